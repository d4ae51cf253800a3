import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSealer, type Sealer } from '../../../server/platform/crypto.ts';
import type { DatabaseHandle } from '../../../server/platform/db/database.ts';
import { createWorkspace, installationRepository } from '../../../server/platform/db/installations.ts';
import { accounts, notificationDeliveries, warnings, warningTasks } from '../../../server/platform/db/schema.ts';
import type { InstallationKey } from '../../../server/platform/db/sync-store.ts';
import type { TestDatabase } from '../../support/databases.ts';

/**
 * What the notification suites share: a migrated database with two workspaces (A with a HubSpot portal,
 * B with one of its own), rows seeded as the warnings job writes them, and a local HTTP receiver that
 * records what it is sent and answers the statuses a test scripts per path.
 */

export interface NotifyWorld {
  handle: DatabaseHandle;
  sealer: Sealer;
  installations: ReturnType<typeof installationRepository>;
  portal: InstallationKey;
  stranger: InstallationKey;
  /** Another portal (in a workspace of its own), so a test's deliveries are its own. */
  addInstallation(): Promise<InstallationKey>;
  close(): Promise<void>;
}

export async function openWorld(database: TestDatabase): Promise<NotifyWorld> {
  const handle = await database.open();
  await handle.migrate();
  const sealer = createSealer(randomBytes(32));
  const installations = installationRepository(handle.db, sealer);
  const install = async (workspaceId: string): Promise<InstallationKey> => {
    const row = await installations.install({
      workspaceId,
      provider: 'hubspot',
      externalId: `portal-${randomUUID()}`,
      displayName: 'HubSpot',
      baseUrl: null,
      scopes: [],
      tokens: { accessToken: 'access', refreshToken: 'refresh', accessTokenExpiresAt: null },
    });
    return { workspaceId, installationId: row.id };
  };
  const a = await createWorkspace(handle.db, 'Workspace A');
  const b = await createWorkspace(handle.db, 'Workspace B');
  return {
    handle,
    sealer,
    installations,
    portal: await install(a.id),
    stranger: await install(b.id),
    // A portal of its own, so in a workspace of its own: a workspace holds one HubSpot portal.
    addInstallation: async () => install((await createWorkspace(handle.db, 'Workspace C')).id),
    async close() {
      await handle.close();
      await database.cleanup();
    },
  };
}

export interface SeedAccount {
  externalId: string;
  name: string;
  csm?: string | null;
  owner?: string | null;
  archived?: boolean;
}

export async function seedAccounts(world: NotifyWorld, key: InstallationKey, rows: SeedAccount[]): Promise<void> {
  await world.handle.db.insert(accounts).values(
    rows.map((row) => ({
      ...key,
      externalId: row.externalId,
      name: row.name,
      csmExternalId: row.csm ?? null,
      ownerExternalId: row.owner ?? null,
      archived: row.archived ?? false,
      modifiedAt: new Date('2026-11-01T00:00:00Z'),
    })),
  );
}

export interface SeedWarning {
  accountExternalId: string;
  severity: 'low' | 'medium' | 'high';
  title: string;
  openedAt: Date;
  resolvedAt?: Date | null;
  resolution?: string;
  tasks?: { subject: string; dueAt: Date; state?: 'pending' | 'created' | 'closed' | 'failed' }[];
}

/** A warning as the warnings job stores it, with its playbook tasks; answers its id. */
export async function seedWarning(world: NotifyWorld, key: InstallationKey, warning: SeedWarning): Promise<string> {
  const id = randomUUID();
  const resolvedAt = warning.resolvedAt ?? null;
  await world.handle.db.insert(warnings).values({
    ...key,
    id,
    accountExternalId: warning.accountExternalId,
    rule: 'usage_drop',
    dedupeKey: `usage_drop:${warning.accountExternalId}:${id}`,
    severity: warning.severity,
    status: resolvedAt ? 'resolved' : 'open',
    title: warning.title,
    evidence: { text: `${warning.title} (seeded)` },
    openedAt: warning.openedAt,
    lastSeenAt: warning.openedAt,
    resolvedAt,
    resolution: warning.resolution ?? (resolvedAt ? 'condition cleared' : null),
  });
  const tasks = warning.tasks ?? [];
  if (tasks.length > 0) {
    await world.handle.db.insert(warningTasks).values(
      tasks.map((task, step) => ({
        ...key,
        warningId: id,
        step,
        taskKey: `bw-${randomBytes(12).toString('hex')}`,
        accountExternalId: warning.accountExternalId,
        subject: task.subject,
        body: task.subject,
        dueAt: task.dueAt,
        state: task.state ?? 'created',
      })),
    );
  }
  return id;
}

/** A delivery the warnings job owes, pending. */
export async function owe(
  world: NotifyWorld,
  key: InstallationKey,
  channelId: string,
  warningId: string,
  event: 'opened' | 'resolved',
  createdAt: Date,
): Promise<void> {
  await world.handle.db
    .insert(notificationDeliveries)
    .values({ ...key, channelId, warningId, event, state: 'pending', createdAt });
}

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Statuses answered on a path, in turn; the last one repeats. Unscripted paths answer 200. */
  script(path: string, statuses: number[]): void;
  on(path: string): Received[];
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const scripts = new Map<string, number[]>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const statuses = scripts.get(path) ?? [200];
      const status = statuses.length > 1 ? statuses.shift()! : statuses[0]!;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'no');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    script(path, statuses) {
      scripts.set(path, [...statuses]);
    },
    on(path) {
      return received.filter((request) => request.path === path);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
