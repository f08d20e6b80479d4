// Types of scripts/chromium.mjs, so the TypeScript e2e config can import it.

/** Path of the Chromium binary to launch; throws with instructions when there is none. */
export function findChromium(): string;

/** Flags for headless Chromium here: no sandbox as root, no network chatter, WebGPU on. */
export const CHROMIUM_ARGS: string[];
