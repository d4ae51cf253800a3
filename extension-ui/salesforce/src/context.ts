import { z } from 'zod';

/**
 * What the server puts in the Canvas page when it opens a session: the bearer token, the Account the
 * card is about and where the card API lives. It arrives as inert JSON in a script element.
 */

export const CONTEXT_ELEMENT_IDS = ['bellwether-context', 'bellwether-canvas'] as const;

const canvasContextSchema = z.object({
  session: z.string().min(1),
  recordId: z.string().min(1),
  apiBase: z.string().startsWith('/', 'must be a path on this origin'),
});
export type CanvasContext = z.infer<typeof canvasContextSchema>;

export class CanvasContextError extends Error {
  override name = 'CanvasContextError';
}

/** Parses the context element's text; says what is wrong when the page was opened without a session. */
export function parseCanvasContext(text: string | null | undefined): CanvasContext {
  if (!text) throw new CanvasContextError('The card was opened without a Salesforce session; reload the page.');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CanvasContextError('The card context is not valid JSON.');
  }
  const parsed = canvasContextSchema.safeParse(json);
  if (!parsed.success) {
    const where = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'context'}: ${issue.message}`);
    throw new CanvasContextError(`The card context is invalid (${where.join('; ')}).`);
  }
  return parsed.data;
}

/** Structural, so the parser is testable without a DOM. */
interface ElementSource {
  getElementById(id: string): { textContent: string | null } | null;
}

export function readCanvasContext(doc: ElementSource): CanvasContext {
  const element = CONTEXT_ELEMENT_IDS.map((id) => doc.getElementById(id)).find((found) => found !== null);
  return parseCanvasContext(element?.textContent);
}
