/**
 * Imported first by the page and the worker: zod never probes `new Function` for its JIT, which a
 * strict Content-Security-Policy (no 'unsafe-eval') would report as a violation.
 */
import { z } from 'zod';

z.config({ jitless: true });
