import type { Request } from 'express';
import type { Clock } from '../shared/clock.ts';
import type { FaultRegistry } from '../shared/faults.ts';
import type { RollingWindowLimiter } from '../shared/rolling-window.ts';
import type { OrgStore } from './org-store.ts';
import type { SessionStore } from './sessions.ts';

/** What every route of the stand-in shares. */
export interface SandboxState {
  orgs: Map<string, OrgStore>;
  sessions: SessionStore;
  clock: Clock;
  faults: FaultRegistry;
  /** The org's API requests in the rolling 24 h Salesforce counts (reference §1.7, §5). */
  allowance: RollingWindowLimiter;
  /** The version the stand-in reports as current (others in the vNN.N form are accepted too). */
  apiVersion: string;
  /** How long the delete log keeps entries (getDeleted's window). */
  deletedRetentionMs: number;
}

/** The stand-in serves at the root of its own server, so its instance URL is the request's origin. */
export function instanceUrlOf(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? '127.0.0.1'}`;
}
