// Types of scripts/build-wasm.mjs, so the kernel tests can build the engine when it is stale.

/** Folder of the built modules (src/engine/kernels/build). */
export const WASM_DIR: string;

/** The two targets: file name and the WebAssembly features beyond the MVP each enables. */
export const TARGETS: { file: string; features: string[] }[];

/** Targets whose module is missing or older than a source file. */
export function staleTargets(): { file: string; features: string[] }[];

/** Builds the stale modules (all with force); returns what was built. */
export function buildWasm(options?: {
  force?: boolean;
}): Promise<{ file: string; bytes: number }[]>;
