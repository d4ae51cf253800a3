import type { Database } from '../../platform/db/database.ts';

/** What the ingest API needs; its key routes also use the install flow's access check. */
export interface IngestDeps {
  db: Database;
}
