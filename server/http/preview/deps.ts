import type { Sealer } from '../../platform/crypto.ts';
import type { Database } from '../../platform/db/database.ts';
import type { Installation } from '../../platform/db/installations.ts';

/** What Salesforce would put in a Canvas signed_request for one user viewing one Account. */
export interface PreviewSignInput {
  consumerSecret: string;
  orgId: string;
  recordId: string;
}

/**
 * The local preview (demo mode only). The signer comes from the entry point, which may use the
 * Salesforce stand-in's Canvas code; the HTTP layer never imports the sandbox.
 */
export interface PreviewDeps {
  db: Database;
  /** Seals the card's links to QBR briefs. */
  sealer: Sealer;
  /** The public origin: the canvas URL a real org would post to. */
  publicUrl: string;
  salesforceConsumerSecret: string;
  /** The demo's installations; the preview shows the active Salesforce ones. */
  installations: () => Promise<readonly Installation[]>;
  /** A real signed_request, as the Salesforce stand-in signs it. */
  signRequest: (input: PreviewSignInput) => string;
  /** The built card (extension-ui/salesforce/dist): the HubSpot-layout panel and SLDS styles come from it. */
  canvasDistDir?: string;
  now?: () => number;
}
