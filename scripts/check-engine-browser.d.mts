// Types of scripts/check-engine-browser.mjs, so the TypeScript e2e config can import it.

export interface ExactnessRow {
  name: string;
  batch: number;
  module: string;
  kernel: string;
  kernels: string;
  exact: boolean;
}

/** One case on the WGSL int8 path (src/engine/kernels/wgsl/wgsl-check.ts). */
export interface WgslRow {
  name: string;
  batch: number;
  exact: boolean;
  /** Why the case stays off the path (then it is not counted). */
  skipped?: string;
  input: 'buffer' | 'gpu tensor' | 'cpu tensor';
}

export interface EngineCheckReport {
  simd: { simd: boolean; relaxedSimd: boolean };
  /** null when the relaxed build passed its self-test, else why not. */
  selfTest: string | null;
  exactness: ExactnessRow[];
  /** The WGSL int8 path's rows, or why it could not run in this browser. */
  wgsl: WgslRow[] | string;
  /** null when run with runs = 0 (exactness only). */
  timings: { rows: { what: string; batch: number; ms: number }[]; threads: number } | null;
  runs: number;
  chromium: string;
  build: string;
}

/** Serves the check page, runs it in headless Chromium and returns the worker's report. */
export function runEngineCheck(options?: {
  production?: boolean;
  runs?: number;
  log?: (line: string) => void;
}): Promise<EngineCheckReport>;
