import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The CS leaders' dashboard and admin pages, built into dist/ and served by the server at /app/
 * (the page for every path under it, assets under /app/assets/).
 */

export const WEB_UI_DIR = import.meta.dirname;
export const WEB_DIST_DIR = path.join(WEB_UI_DIR, 'dist');

export default defineConfig({
  root: WEB_UI_DIR,
  base: '/app/',
  plugins: [react()],
  build: {
    outDir: WEB_DIST_DIR,
    emptyOutDir: true,
    // Leaders open it in an evergreen browser; no legacy bundle.
    target: 'es2022',
    reportCompressedSize: false,
    // The charting library is most of the bundle; one chunk for it keeps the page's own code small to re-fetch.
    chunkSizeWarningLimit: 1200,
  },
});
