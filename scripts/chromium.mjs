// Finds the Chromium the e2e tests and the bench drive: $CHROMIUM_PATH, then Debian's
// /usr/bin/chromium, then a browser Playwright installed itself; a clear message when none.
// Plain JS so `scripts/bench.mjs` can import it; e2e/chromium.ts re-exports it with types.
import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** Path of the Chromium binary to launch; throws with instructions when there is none. */
export function findChromium() {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (existsSync(fromEnv)) return fromEnv;
    throw new Error(`CHROMIUM_PATH is set to ${fromEnv}, but no file is there.`);
  }
  const system = CANDIDATES.find((p) => existsSync(p));
  if (system) return system;
  try {
    const bundled = chromium.executablePath();
    if (bundled && existsSync(bundled)) return bundled;
  } catch {
    // Playwright has no browser of its own here: fall through to the message.
  }
  throw new Error(
    'No Chromium found. Install one (Debian/Ubuntu: `sudo apt-get install chromium`), ' +
      'or set CHROMIUM_PATH to a Chromium or Chrome binary, or run `npx playwright install chromium`.',
  );
}

/** Flags for headless Chromium here: no sandbox as root, no network chatter, WebGPU on. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--enable-unsafe-webgpu',
  // SwiftShader is slow: without this the GPU watchdog can cut a long WebGPU dispatch.
  '--disable-gpu-watchdog',
];
