import { writeBackStore } from '../../../server/platform/db/write-back-store.ts';
import { healthScoreStore } from '../../../server/platform/db/health-score-store.ts';
import { overrideStore } from '../../../server/platform/db/override-store.ts';
import {
  createIngestKey,
  insertSentiment,
  insertSurveyResponses,
  insertUsageEvents,
  runIngestBatch,
  upsertUsageDaily,
} from '../../../server/platform/db/ingest-store.ts';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORE_OBJECTS, defaultMapping, fieldMappingSchema } from '../../../server/core/accounts/mapping.ts';
import { normaliseRecords, type RawRecord } from '../../../server/core/accounts/normalise.ts';
import { createSealer } from '../../../server/platform/crypto.ts';
import { listAudit, recordAudit } from '../../../server/platform/db/audit.ts';
import type { DatabaseHandle } from '../../../server/platform/db/database.ts';
import { createWorkspace, installationRepository } from '../../../server/platform/db/installations.ts';
import { mappingRepository } from '../../../server/platform/db/mappings.ts';
import { planStore } from '../../../server/platform/db/plan-store.ts';
import { purgeInstallation } from '../../../server/platform/db/purge.ts';
import {
  analyticsSettings,
  accountLinks,
  accountMatchDecisions,
  accountMatchReports,
  analyticsSnapshots,
  notificationChannels,
  notificationDeliveries,
  qbrBriefs,
  renewalForecasts,
  renewalModels,
  warnings,
  warningSettings,
  warningTasks,
} from '../../../server/platform/db/schema.ts';
import { syncStore, type InstallationKey } from '../../../server/platform/db/sync-store.ts';
import { testDatabases } from '../../support/databases.ts';

const record = (id: string): RawRecord => ({
  id,
  modifiedAt: 1_000,
  createdAt: 1_000,
  archived: false,
  properties: { name: `Record ${id}`, email: `${id}@example.com` },
  associations: { accounts: ['a1'] },
});

describe.each(testDatabases())('purging an installation on $name', (database) => {
  let handle: DatabaseHandle;
  let purged: InstallationKey;
  let kept: InstallationKey;

  /** A stage stay with its plan, objective, milestone, note and share link, and the plan settings. */
  async function seedPlans(key: InstallationKey, at: Date) {
    const plans = planStore(handle.db);
    await plans.saveSettings(key, { stageRules: {} }, 'x', at);
    const [stay] = await plans.recordStages(key, [{ accountExternalId: 'a1', stage: 'onboarding', reason: 'x' }], at);
    const [plan] = await plans.createPlans(
      key,
      [
        {
          accountExternalId: 'a1',
          name: 'Onboarding',
          templateKey: 'onboarding',
          stage: 'onboarding',
          stageEntryId: stay!.id,
          startedAt: at,
          createdBy: 'system',
          objectives: [
            { key: 'o', position: 0, title: 'o', metric: {}, comparator: 'gte', target: 1, startAt: at, dueAt: at },
          ],
          milestones: [{ key: 'm', position: 0, title: 'm', dueAt: at, ownerExternalId: null, reachedWhen: null }],
        },
      ],
      at,
    );
    await plans.addNote(key, plan!.id, 'x', 'note', at);
    await plans.createShareLink(key, {
      planId: plan!.id,
      tokenHash: `${key.installationId}`.padEnd(64, '0'),
      createdBy: 'x',
      createdAt: at,
      expiresAt: at,
    });
  }

  /**
   * Every table of the migrated database that has installation rows, as the database itself says,
   * with its installation columns (a two-CRM pair's tables have one per CRM).
   */
  async function installationTables(): Promise<Map<string, string[]>> {
    const rows = await handle.rows<{ table_name: string; column_name: string }>(sql`
      select table_name, column_name from information_schema.columns
      where table_schema = 'public'
        and column_name in ('installation_id', 'hubspot_installation_id', 'salesforce_installation_id')
      order by table_name, column_name`);
    const tables = new Map<string, string[]>();
    for (const row of rows) tables.set(row.table_name, [...(tables.get(row.table_name) ?? []), row.column_name]);
    return tables;
  }

  async function rowsOf(key: InstallationKey): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const [table, columns] of await installationTables()) {
      const ofInstallation = sql.join(
        columns.map((column) => sql`${sql.identifier(column)} = ${key.installationId}`),
        sql` or `,
      );
      const [row] = await handle.rows<{ n: number }>(
        sql`select count(*)::int as n from ${sql.identifier(table)}
            where workspace_id = ${key.workspaceId} and (${ofInstallation})`,
      );
      counts[table] = row?.n ?? 0;
    }
    const [own] = await handle.rows<{ n: number }>(
      sql`select count(*)::int as n from installations where workspace_id = ${key.workspaceId} and id = ${key.installationId}`,
    );
    counts.installations = own?.n ?? 0;
    return counts;
  }

  beforeAll(async () => {
    handle = await database.open();
    await handle.migrate();
    const repo = installationRepository(handle.db, createSealer(Buffer.alloc(32, 9)));
    const store = syncStore(handle.db);
    const mappings = mappingRepository(handle.db, fieldMappingSchema);
    const make = async (name: string, externalId: string): Promise<InstallationKey> => {
      const workspace = await createWorkspace(handle.db, name);
      const installation = await repo.install({
        workspaceId: workspace.id,
        provider: 'hubspot',
        externalId,
        displayName: name,
        baseUrl: null,
        scopes: [],
        tokens: { accessToken: 'a', refreshToken: 'r', accessTokenExpiresAt: null },
      });
      const key = { workspaceId: workspace.id, installationId: installation.id };
      const mapping = defaultMapping('hubspot', {});
      // A row in every tenant table: state, raw records, every normalised table, mapping, audit.
      for (const object of CORE_OBJECTS) {
        const records = [record('1'), record('2')];
        await store.savePage(
          key,
          object,
          records,
          { cursor: 'c', calls: 1 },
          normaliseRecords('hubspot', object, records, mapping),
        );
      }
      await mappings.save(key, mapping, 'admin:test');
      // The ingest API's tables: a key, and one batch holding a usage day, an event, a survey and a sentiment.
      await createIngestKey(handle.db, key, 'test');
      const at = new Date('2026-06-01T00:00:00Z');
      await runIngestBatch(handle.db, key, { kind: 'test', idempotencyKey: 'k1', requestHash: 'h1' }, async (tx) => {
        const account = { accountExternalId: '1' };
        await upsertUsageDaily(tx, key, [
          { ...account, date: '2026-06-01', activeUsers: 1, licences: null, events: 1, features: {} },
        ]);
        await insertUsageEvents(tx, key, [
          { ...account, clientId: 'e1', occurredAt: at, userId: null, event: 'x', feature: null, properties: {} },
        ]);
        await insertSurveyResponses(tx, key, [
          {
            ...account,
            clientId: 's1',
            kind: 'nps',
            score: 9,
            verbatim: null,
            contactExternalId: null,
            respondedAt: at,
          },
        ]);
        await insertSentiment(tx, key, [
          { ...account, clientId: 'm1', sentiment: 'neutral', note: null, csmExternalId: null, recordedAt: at },
        ]);
        return { accepted: 4, duplicates: 0 };
      });
      // The write-back tables: current values, a ledger row and a schema report.
      const writeBack = writeBackStore(handle.db);
      await writeBack.saveCurrent(key, [
        { accountExternalId: '1', values: { health_score: 42 }, scoredAt: at, modelVersion: 'v1' },
      ]);
      await writeBack.recordOutcomes(
        key,
        [{ accountExternalId: '1', values: { health_score: 42 }, texts: { health_score: '42' } }],
        [{ id: '1', ok: true }],
      );
      await writeBack.saveSchemaReport(key, 'hash', { present: ['health_score'], created: [], blocked: [] });
      // The score's tables: stored signals, a day of history, the current health and an override.
      const scores = healthScoreStore(handle.db);
      await scores.saveSignals(key, [{ accountExternalId: '1', segment: null, values: { 'voice.nps': 9 } }], at);
      await scores.saveScores(key, [
        {
          accountExternalId: '1',
          day: '2026-06-01',
          scoredAt: at,
          modelVersion: 1,
          status: 'scored',
          score: 42,
          band: 'yellow',
          trend: 'stable',
          coverage: 1,
          contributions: {},
          explanation: {},
          previous: null,
          values: { health_score: 42 },
        },
      ]);
      await scores.finishRun(key, at, { accounts: 1 });
      await overrideStore(handle.db).set(key, {
        accountExternalId: '1',
        score: 80,
        band: null,
        reason: 'renewal signed',
        author: 'csm@example.com',
        setAt: at,
        expiresAt: new Date('2026-07-01T00:00:00Z'),
      });
      // Warnings, their tasks and notifications, and a QBR brief.
      await handle.db.insert(warningSettings).values({ ...key, version: 1, rules: {}, updatedAt: at, updatedBy: 'x' });
      const [warning] = await handle.db
        .insert(warnings)
        .values({
          ...key,
          accountExternalId: '1',
          rule: 'band_drop',
          dedupeKey: 'band_drop:1',
          severity: 'high',
          status: 'open',
          title: 'Band dropped',
          evidence: {},
          openedAt: at,
          lastSeenAt: at,
        })
        .returning();
      await handle.db.insert(warningTasks).values({
        ...key,
        warningId: warning!.id,
        step: 0,
        taskKey: `${key.installationId}:${warning!.id}:0`,
        accountExternalId: '1',
        subject: 'Call',
        body: 'Call',
        dueAt: at,
        state: 'pending',
      });
      const [channel] = await handle.db
        .insert(notificationChannels)
        .values({
          ...key,
          format: 'json',
          url: 'https://example.com/hook',
          secret: 's',
          minSeverity: 'low',
          createdAt: at,
          createdBy: 'x',
        })
        .returning();
      await handle.db.insert(notificationDeliveries).values({
        ...key,
        channelId: channel!.id,
        warningId: warning!.id,
        event: 'opened',
        state: 'pending',
        createdAt: at,
      });
      await handle.db.insert(qbrBriefs).values({
        ...key,
        accountExternalId: '1',
        qbrDate: '2026-07-01',
        periodStart: '2026-04-01',
        periodEnd: '2026-06-30',
        version: 1,
        contentHash: 'h',
        brief: {},
        trigger: 'api',
        generatedAt: at,
        noteState: 'pending',
      });
      await handle.db
        .insert(analyticsSettings)
        .values({ ...key, version: 1, settings: {}, updatedAt: at, updatedBy: 'x' });
      await handle.db.insert(renewalModels).values({ ...key, version: 1, model: {}, trainedAt: at });
      await handle.db.insert(renewalForecasts).values({
        ...key,
        accountExternalId: '1',
        renewalDate: '2026-09-01',
        arr: '1000',
        probability: 0.8,
        expectedArr: '800',
        revenueAtRisk: '200',
        basis: 'prior',
        contributions: [],
        opportunities: [],
        bottom20: false,
        rank: 1,
        computedAt: at,
      });
      await handle.db
        .insert(analyticsSnapshots)
        .values({ ...key, kind: 'nps', payload: {}, computedAt: at, sourceVersion: 'v' });
      // The workspace's Salesforce org, and what matching keeps for the pair.
      const org = await repo.install({
        workspaceId: workspace.id,
        provider: 'salesforce',
        externalId: `00D${externalId}`,
        displayName: name,
        baseUrl: null,
        scopes: [],
        tokens: { accessToken: 'a', refreshToken: 'r', accessTokenExpiresAt: null },
      });
      const pair = {
        workspaceId: workspace.id,
        hubspotInstallationId: key.installationId,
        salesforceInstallationId: org.id,
      };
      await handle.db
        .insert(accountLinks)
        .values({ ...pair, hubspotAccountId: '1', salesforceAccountId: '001', rule: 'domain', linkedAt: at });
      await handle.db.insert(accountMatchDecisions).values({
        ...pair,
        hubspotAccountId: '2',
        salesforceAccountId: '002',
        decision: 'rejected',
        decidedBy: 'x',
        decidedAt: at,
      });
      await handle.db.insert(accountMatchReports).values({ ...pair, report: {}, computedAt: at });
      await seedPlans(key, at);
      await recordAudit(handle.db, { ...key, actor: 'system', action: 'installation.installed' });
      return key;
    };
    purged = await make('Purged', '7001');
    kept = await make('Kept', '7002');
  });
  afterAll(async () => {
    await handle.close();
    await database.cleanup();
  });

  it('deletes every row of the installation in every tenant table, keeps its audit trail and others’ rows', async () => {
    const before = await rowsOf(purged);
    const keptBefore = await rowsOf(kept);
    // The seeding above must reach every table; a new tenant table fails here until it is seeded.
    for (const [table, n] of Object.entries(before)) expect({ table, seeded: n > 0 }).toEqual({ table, seeded: true });

    const deleted = await purgeInstallation(handle.db, purged);

    const after = await rowsOf(purged);
    const { audit_events: auditAfter, ...rest } = after;
    expect(Object.values(rest).every((n) => n === 0)).toBe(true);
    expect(Object.keys(rest).sort()).toEqual(Object.keys(deleted).sort());
    for (const [table, n] of Object.entries(deleted)) expect({ table, n }).toEqual({ table, n: before[table] });
    expect(auditAfter).toBe(before.audit_events);
    expect(await rowsOf(kept)).toEqual(keptBefore);
    expect((await listAudit(handle.db, purged.workspaceId)).map((event) => event.action)).toContain(
      'installation.installed',
    );
  });

  it('is harmless when run again (a retried uninstall job)', async () => {
    const deleted = await purgeInstallation(handle.db, purged);
    expect(Object.values(deleted).every((n) => n === 0)).toBe(true);
  });
});
