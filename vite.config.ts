import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/** Cross-origin isolation lets the threaded SIMD wasm binary use SharedArrayBuffer (every core). */
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [react()],
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
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
