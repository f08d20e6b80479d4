// The Chromium the e2e tests drive; the lookup is shared with `npm run bench`.
export { CHROMIUM_ARGS, findChromium } from '../scripts/chromium.mjs';
