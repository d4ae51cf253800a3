import type { IngestKeyBody } from '../../contracts/ingest.ts';
import type { IngestKey } from '../../platform/db/ingest-store.ts';
import type { Viewer } from '../install/access.ts';

export function ingestKeyBody(key: IngestKey): IngestKeyBody {
  return {
    id: key.id,
    prefix: key.prefix,
    label: key.label,
    createdAt: key.createdAt.toISOString(),
    revokedAt: key.revokedAt?.toISOString() ?? null,
  };
}

/** The audit's actor, in the words the disconnect route uses. */
export function viewerActor(viewer: Viewer): string {
  return viewer.kind === 'admin' ? 'operator (admin token)' : 'workspace session';
}
