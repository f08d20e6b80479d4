import { createHash } from 'node:crypto';
import { defineConfig } from 'vite';
import type { Plugin } from 'vite';
import react from '@vitejs/plugin-react';

/** Cross-origin isolation lets the threaded SIMD wasm binary use SharedArrayBuffer (every core). */
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * The Content-Security-Policy of the page: scripts only from this origin (no inline script, no
 * eval; 'wasm-unsafe-eval' compiles WebAssembly; blob: because tfjs-wasm starts its threads from
 * blobs its own code makes), workers from this origin or blob:, network only to this origin.
 * `extraScript` / `extraStyle`: dev-server additions (React's refresh preamble by hash; Vite
 * injects CSS as <style>). `meta`: leaves out frame-ancestors, which only a header can carry.
 */
export function contentSecurityPolicy(extraScript = '', extraStyle = '', meta = false): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'wasm-unsafe-eval' blob:${extraScript}`,
    "worker-src 'self' blob:",
    "connect-src 'self'",
    "img-src 'self' data: blob:",
    `style-src 'self'${extraStyle}`,
    // KaTeX lays formulas out with style attributes in its HTML (attributes run no script).
    "style-src-attr 'unsafe-inline'",
    // KaTeX's fonts are inlined into the stylesheet as data: URLs.
    "font-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    ...(meta ? [] : ["frame-ancestors 'none'"]),
  ].join('; ');
}

/** sha256 source of an inline script's exact text, for script-src. */
function scriptHash(text: string): string {
  return ` 'sha256-${createHash('sha256').update(text).digest('base64')}'`;
}

// The one inline script of the dev server: React Fast Refresh's preamble, allowed by its hash.
const devScript = scriptHash(react.preambleCode.replace('__BASE__', '/'));
const devPolicy = contentSecurityPolicy(devScript, " 'unsafe-inline'");
const sitePolicy = contentSecurityPolicy();
const metaPolicy = contentSecurityPolicy('', '', true);

/** The built page carries the policy as a <meta> too, for static hosts that cannot send headers. */
function policyMeta(): Plugin {
  return {
    name: 'csp-meta',
    apply: 'build',
    transformIndexHtml: () => [
      {
        tag: 'meta',
        attrs: { 'http-equiv': 'Content-Security-Policy', content: metaPolicy },
        injectTo: 'head-prepend',
      },
    ],
  };
}

export default defineConfig({
  plugins: [react(), policyMeta()],
  server: { headers: { ...isolationHeaders, 'Content-Security-Policy': devPolicy } },
  preview: { headers: { ...isolationHeaders, 'Content-Security-Policy': sitePolicy } },
  worker: { format: 'es' },
  optimizeDeps: { include: ['@tensorflow/tfjs-backend-wasm'] },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 4000,
    // tfjs-backend-wasm rebuilds its threaded factory in each pthread worker from
    // `factory.toString()`; the minifier folds the factory's `typeof _scriptDir !== 'undefined'`
    // guard into a bare reference to an outer variable ("e is not defined" there). build.minify
    // also decides the worker bundles, so it stays off, and the page's bundle (no tfjs) is
    // minified through rolldown's own option: 1.8 MB → 0.78 MB.
    minify: false,
    rolldownOptions: { output: { minify: true } },
  },
});
