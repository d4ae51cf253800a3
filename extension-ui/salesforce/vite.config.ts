import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The Canvas card and the preview's HubSpot-layout panel, built into dist/ and served by the server
 * under /canvas/assets/ (the page itself comes from POST /canvas, with its session put in).
 */

export const SALESFORCE_UI_DIR = import.meta.dirname;
export const SALESFORCE_DIST_DIR = path.join(SALESFORCE_UI_DIR, 'dist');

export default defineConfig({
  root: SALESFORCE_UI_DIR,
  base: '/canvas/assets/',
  plugins: [react()],
  build: {
    outDir: SALESFORCE_DIST_DIR,
    emptyOutDir: true,
    // Salesforce's browsers are evergreen; no legacy bundle.
    target: 'es2022',
    reportCompressedSize: false,
    rollupOptions: {
      input: {
        card: path.join(SALESFORCE_UI_DIR, 'index.html'),
        'hubspot-preview': path.join(SALESFORCE_UI_DIR, 'hubspot-preview.html'),
      },
    },
  },
});
