import { readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The Canvas card's HTML shell: the built page (extension-ui/salesforce/dist/index.html) with the
 * session token and record id put in as inert JSON, which the page reads on start. Salesforce frames
 * it from another site, so nothing rides on cookies.
 */

export const CANVAS_DATA_ELEMENT_ID = 'bellwether-canvas';

export interface CanvasPageData {
  session: string;
  recordId: string;
  /** Where the card's API lives, relative to the page's origin. */
  apiBase: string;
}

// JSON inside <script> must not be able to close the element.
const inertJson = (value: unknown) =>
  JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');

const FALLBACK = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Account health</title></head>
<body><main><p>The account health card is not built in this deployment.</p></main></body></html>`;

export function canvasPage(distDir: string | undefined) {
  let template: Promise<string> | undefined;
  const load = async () => {
    if (!distDir) return FALLBACK;
    try {
      return await readFile(path.join(distDir, 'index.html'), 'utf8');
    } catch {
      // Not built yet: serve the shell, and look again on the next request.
      template = undefined;
      return FALLBACK;
    }
  };
  return async (data: CanvasPageData): Promise<string> => {
    template ??= load();
    const html = await template;
    const element = `<script id="${CANVAS_DATA_ELEMENT_ID}" type="application/json">${inertJson(data)}</script>`;
    return html.includes('</head>') ? html.replace('</head>', `${element}\n</head>`) : `${element}${html}`;
  };
}
