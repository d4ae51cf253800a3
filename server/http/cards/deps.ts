import type { Queues } from '../../../jobs/queues.ts';
import type { Sealer } from '../../platform/crypto.ts';
import type { Database } from '../../platform/db/database.ts';
import type { InstallationRepository } from '../../platform/db/installations.ts';

/** What the card API needs; main.ts builds it, tests build it over their own database and Redis. */
export interface CardsDeps {
  db: Database;
  queues: Queues;
  installations: Pick<InstallationRepository, 'findByExternalId'>;
  /** The public origin (PUBLIC_URL): HubSpot signs this plus the request's path and query. */
  publicUrl: string;
  /** The HubSpot app's client secret; without it the HubSpot card routes answer 503. */
  hubspotClientSecret: string | undefined;
  /** The Salesforce app's consumer secret; without it `POST /canvas` answers 503. */
  salesforceConsumerSecret: string | undefined;
  /** Seals the card's links to QBR briefs (the app's encryption key). */
  sealer: Sealer;
  /** The built Canvas card (extension-ui/salesforce/dist); a plain shell is served while it is absent. */
  canvasDistDir?: string;
  now?: () => number;
}
