import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountFacts } from '../../../server/core/health/facts.ts';
import { createSealer } from '../../../server/platform/crypto.ts';
import type { DatabaseHandle } from '../../../server/platform/db/database.ts';
import { listAccountIds, loadAccountFacts, loadFactsContext } from '../../../server/platform/db/health-facts-store.ts';
import { createWorkspace, installationRepository } from '../../../server/platform/db/installations.ts';
import {
  accounts,
  contacts,
  csmSentiment,
  deals,
  surveyResponses,
  tickets,
  usageDaily,
} from '../../../server/platform/db/schema.ts';
import type { InstallationKey } from '../../../server/platform/db/sync-store.ts';
import { testDatabases } from '../../support/databases.ts';

const DAY_MS = 86_400_000;
/** Noon on 30 June; with 30 days of lookback the facts run from noon on 31 May. */
const AS_OF = new Date('2026-06-30T12:00:00Z');
const LOOKBACK = 30;
const ms = (instant: string) => Date.parse(instant);
const modifiedAt = new Date('2026-07-15T00:00:00Z');

const noFacts = {
  usage: [],
  tickets: [],
  contacts: [],
  deals: [],
  surveys: [],
  sentiment: [],
} satisfies Partial<AccountFacts>;

describe.each(testDatabases())('health facts store on $name', (database) => {
  let handle: DatabaseHandle;
  let key: InstallationKey;
  let other: InstallationKey;
  let empty: InstallationKey;

  beforeAll(async () => {
    handle = await database.open();
    await handle.migrate();
    const repo = installationRepository(handle.db, createSealer(Buffer.alloc(32, 5)));
    const tokens = { accessToken: 'a', refreshToken: 'r', accessTokenExpiresAt: null };
    const make = async (name: string, externalId: string): Promise<InstallationKey> => {
      const workspace = await createWorkspace(handle.db, name);
      const installation = await repo.install({
        workspaceId: workspace.id,
        provider: 'hubspot',
        externalId,
        displayName: name,
        baseUrl: null,
        scopes: [],
        tokens,
      });
      return { workspaceId: workspace.id, installationId: installation.id };
    };
    key = await make('Acme', '7101');
    other = await make('Globex', '7102');
    empty = await make('Initech', '7103');
    await seed();
  });
  afterAll(async () => {
    await handle.close();
    await database.cleanup();
  });

  /** The same account ids in both installations, with different facts, so a leak would show. */
  async function seed() {
    const db = handle.db;
    const crm = (at: InstallationKey, externalId: string, createdAtCrm: Date | null = null, archived = false) => ({
      ...at,
      externalId,
      modifiedAt,
      createdAtCrm,
      archived,
    });
    await db.insert(accounts).values([
      {
        ...crm(key, 'acc-1', new Date('2024-01-10T09:00:00Z')),
        arr: '120000.50',
        licences: 40,
        renewalDate: '2026-09-01',
        segment: 'smb',
        customerStatus: 'active',
      },
      { ...crm(key, 'acc-2', null, true), arr: '5000' },
      crm(key, 'acc-3'),
      crm(key, 'acc-4'),
      crm(key, 'acc-5'),
      { ...crm(other, 'acc-1'), arr: '1', licences: 1, segment: 'enterprise', customerStatus: 'churned' },
      crm(other, 'acc-9'),
    ]);
    await db.insert(usageDaily).values([
      // 31 May starts before the lookback, 1 July is after asOf.
      { ...key, accountExternalId: 'acc-1', date: '2026-05-31', activeUsers: 1, licences: 40, events: 1, features: {} },
      {
        ...key,
        accountExternalId: 'acc-1',
        date: '2026-06-01',
        activeUsers: 12,
        licences: null,
        events: 300,
        features: { reports: 3, alerts: 0, exports: 1 },
      },
      {
        ...key,
        accountExternalId: 'acc-1',
        date: '2026-06-30',
        activeUsers: 20,
        licences: 42,
        events: 500,
        features: { reports: 9 },
      },
      { ...key, accountExternalId: 'acc-1', date: '2026-07-01', activeUsers: 2, licences: 42, events: 2, features: {} },
      { ...key, accountExternalId: 'acc-2', date: '2026-06-10', activeUsers: 2, licences: 4, events: 2, features: {} },
      {
        ...other,
        accountExternalId: 'acc-1',
        date: '2026-06-15',
        activeUsers: 99,
        licences: 1,
        events: 9,
        features: {},
      },
    ]);
    await db.insert(tickets).values([
      { ...crm(key, 't-open', new Date('2026-06-10T08:00:00Z')), accountExternalId: 'acc-1', priority: 'urgent' },
      {
        ...crm(key, 't-closed-long-ago', new Date('2026-05-01T08:00:00Z')),
        accountExternalId: 'acc-1',
        closed: true,
        closedAt: new Date('2026-05-20T08:00:00Z'),
      },
      {
        ...crm(key, 't-closed-in-lookback', new Date('2026-05-01T08:00:00Z')),
        accountExternalId: 'acc-1',
        priority: 'low',
        closed: true,
        closedAt: new Date('2026-06-05T08:00:00Z'),
      },
      // Reopened: a close time left behind does not make it closed.
      {
        ...crm(key, 't-reopened', new Date('2026-06-01T08:00:00Z')),
        accountExternalId: 'acc-1',
        closed: false,
        closedAt: new Date('2026-06-02T08:00:00Z'),
      },
      { ...crm(key, 't-after-as-of', new Date('2026-07-01T08:00:00Z')), accountExternalId: 'acc-1' },
      {
        ...crm(key, 't-closed-no-time', new Date('2026-06-01T08:00:00Z')),
        accountExternalId: 'acc-1',
        closed: true,
      },
      { ...crm(key, 't-archived', new Date('2026-06-01T08:00:00Z'), true), accountExternalId: 'acc-1' },
      { ...crm(key, 't-no-created', null), accountExternalId: 'acc-1' },
      { ...crm(other, 't-other', new Date('2026-06-10T08:00:00Z')), accountExternalId: 'acc-1', priority: 'high' },
    ]);
    await db.insert(contacts).values([
      {
        ...crm(key, 'c-champion', new Date('2025-02-01T00:00:00Z')),
        accountExternalId: 'acc-1',
        role: 'champion',
        departed: true,
        departedOn: '2026-06-10',
      },
      {
        ...crm(key, 'c-sponsor'),
        accountExternalId: 'acc-1',
        email: ' Sam.Sponsor@Example.COM ',
        role: 'executive_sponsor',
        lastEngagedAt: new Date('2026-06-20T15:30:00Z'),
      },
      { ...crm(key, 'c-archived', null, true), accountExternalId: 'acc-1', role: 'champion' },
      { ...crm(other, 'c-other'), accountExternalId: 'acc-1', role: 'champion' },
    ]);
    await db.insert(deals).values([
      {
        ...crm(key, 'd-renewal', new Date('2026-05-01T00:00:00Z')),
        accountExternalId: 'acc-1',
        connectorExternalId: '006000000000001AAA',
        kind: 'renewal',
        stage: 'open',
        closeDate: '2026-09-01',
      },
      {
        ...crm(key, 'd-new'),
        accountExternalId: 'acc-1',
        kind: 'new_business',
        stage: 'won',
        amount: '100000.00',
        closeDate: '2025-07-01',
      },
      {
        ...crm(key, 'd-archived', null, true),
        accountExternalId: 'acc-1',
        kind: 'expansion',
        stage: 'won',
        amount: '1',
        closeDate: '2026-01-01',
      },
      {
        ...crm(other, 'd-other'),
        accountExternalId: 'acc-1',
        kind: 'renewal',
        stage: 'lost',
        amount: '7',
        closeDate: '2026-06-01',
      },
    ]);
    const survey = (
      at: InstallationKey,
      clientId: string,
      kind: 'nps' | 'csat',
      score: number,
      respondedAt: string,
    ) => ({
      ...at,
      clientId,
      accountExternalId: 'acc-1',
      kind,
      score,
      respondedAt: new Date(respondedAt),
    });
    await db
      .insert(surveyResponses)
      .values([
        survey(key, 's-in', 'nps', 9, '2026-06-20T10:00:00Z'),
        survey(key, 's-before', 'nps', 3, '2026-05-01T10:00:00Z'),
        survey(key, 's-after', 'csat', 4, '2026-07-01T10:00:00Z'),
        survey(other, 's-other', 'nps', 0, '2026-06-20T10:00:00Z'),
      ]);
    const note = (
      at: InstallationKey,
      clientId: string,
      sentiment: 'positive' | 'neutral' | 'negative',
      recordedAt: Date,
    ) => ({
      ...at,
      clientId,
      accountExternalId: 'acc-1',
      sentiment,
      recordedAt,
    });
    await db
      .insert(csmSentiment)
      .values([
        note(key, 'n-start', 'neutral', new Date(AS_OF.getTime() - LOOKBACK * DAY_MS)),
        note(key, 'n-in', 'negative', new Date('2026-06-29T09:00:00Z')),
        note(key, 'n-at-as-of', 'positive', AS_OF),
        note(other, 'n-other', 'negative', new Date('2026-06-25T09:00:00Z')),
      ]);
  }

  const acc1Facts: AccountFacts = {
    externalId: 'acc-1',
    segment: 'smb',
    status: 'active',
    arr: 120000.5,
    licences: 40,
    renewalDate: ms('2026-09-01T00:00:00Z'),
    createdAt: ms('2024-01-10T09:00:00Z'),
    usage: [
      { day: ms('2026-06-01T00:00:00Z'), activeUsers: 12, licences: null, events: 300, featureUsers: [3, 1, 0] },
      { day: ms('2026-06-30T00:00:00Z'), activeUsers: 20, licences: 42, events: 500, featureUsers: [9] },
    ],
    tickets: [
      { createdAt: ms('2026-05-01T08:00:00Z'), closedAt: ms('2026-06-05T08:00:00Z'), priority: 'low' },
      { createdAt: ms('2026-06-01T08:00:00Z'), closedAt: null, priority: null },
      { createdAt: ms('2026-06-10T08:00:00Z'), closedAt: null, priority: 'urgent' },
    ],
    contacts: [
      {
        email: null,
        role: 'champion',
        createdAt: ms('2025-02-01T00:00:00Z'),
        departedOn: ms('2026-06-10T00:00:00Z'),
        departed: true,
        lastEngagedAt: null,
      },
      {
        // Lower-case and trimmed: the same person in the other CRM is one contact when facts are merged.
        email: 'sam.sponsor@example.com',
        role: 'executive_sponsor',
        createdAt: null,
        departedOn: null,
        departed: false,
        lastEngagedAt: ms('2026-06-20T15:30:00Z'),
      },
    ],
    deals: [
      {
        id: 'd-new',
        connectorId: null,
        kind: 'new_business',
        stage: 'won',
        amount: 100000,
        closeDate: ms('2025-07-01T00:00:00Z'),
        createdAt: null,
      },
      {
        id: 'd-renewal',
        connectorId: '006000000000001AAA',
        kind: 'renewal',
        stage: 'open',
        amount: null,
        closeDate: ms('2026-09-01T00:00:00Z'),
        createdAt: ms('2026-05-01T00:00:00Z'),
      },
    ],
    surveys: [{ kind: 'nps', score: 9, at: ms('2026-06-20T10:00:00Z') }],
    sentiment: [
      { sentiment: 'negative', at: ms('2026-06-29T09:00:00Z') },
      { sentiment: 'positive', at: AS_OF.getTime() },
    ],
  };

  const bare = (externalId: string): AccountFacts => ({
    externalId,
    segment: null,
    status: null,
    arr: null,
    licences: null,
    renewalDate: null,
    createdAt: null,
    ...noFacts,
  });

  it('loads every non-archived account of the installation with its facts as of the day', async () => {
    const facts = await loadAccountFacts(handle.db, key, { asOf: AS_OF, lookbackDays: LOOKBACK });
    expect(facts).toEqual([acc1Facts, bare('acc-3'), bare('acc-4'), bare('acc-5')]);
  });

  it('loads only the given ids, never an archived account or another installation’s', async () => {
    const facts = await loadAccountFacts(handle.db, key, {
      asOf: AS_OF,
      lookbackDays: LOOKBACK,
      accountIds: ['acc-1', 'acc-2', 'acc-9'],
    });
    expect(facts).toEqual([acc1Facts]);
    expect(await loadAccountFacts(handle.db, key, { asOf: AS_OF, lookbackDays: LOOKBACK, accountIds: [] })).toEqual([]);
  });

  it('gives the other installation its own facts for the same account id', async () => {
    const facts = await loadAccountFacts(handle.db, other, { asOf: AS_OF, lookbackDays: LOOKBACK });
    expect(facts.map((account) => account.externalId)).toEqual(['acc-1', 'acc-9']);
    expect(facts[0]).toEqual({
      externalId: 'acc-1',
      segment: 'enterprise',
      status: 'churned',
      arr: 1,
      licences: 1,
      renewalDate: null,
      createdAt: null,
      usage: [{ day: ms('2026-06-15T00:00:00Z'), activeUsers: 99, licences: 1, events: 9, featureUsers: [] }],
      tickets: [{ createdAt: ms('2026-06-10T08:00:00Z'), closedAt: null, priority: 'high' }],
      contacts: [
        { email: null, role: 'champion', createdAt: null, departedOn: null, departed: false, lastEngagedAt: null },
      ],
      deals: [
        {
          id: 'd-other',
          connectorId: null,
          kind: 'renewal',
          stage: 'lost',
          amount: 7,
          closeDate: ms('2026-06-01T00:00:00Z'),
          createdAt: null,
        },
      ],
      surveys: [{ kind: 'nps', score: 0, at: ms('2026-06-20T10:00:00Z') }],
      sentiment: [{ sentiment: 'negative', at: ms('2026-06-25T09:00:00Z') }],
    });
  });

  it('sees later rows once asOf reaches them, and drops what the shorter lookback leaves behind', async () => {
    const [later] = await loadAccountFacts(handle.db, key, {
      asOf: new Date('2026-07-01T12:00:00Z'),
      lookbackDays: 2,
      accountIds: ['acc-1'],
    });
    expect(later?.usage.map((day) => new Date(day.day).toISOString().slice(0, 10))).toEqual([
      '2026-06-30',
      '2026-07-01',
    ]);
    expect(later?.tickets.map((ticket) => ticket.createdAt)).toEqual([
      ms('2026-06-01T08:00:00Z'),
      ms('2026-06-10T08:00:00Z'),
      ms('2026-07-01T08:00:00Z'),
    ]);
    expect(later?.surveys).toEqual([{ kind: 'csat', score: 4, at: ms('2026-07-01T10:00:00Z') }]);
    expect(later?.sentiment).toEqual([{ sentiment: 'positive', at: AS_OF.getTime() }]);
    // Deals and contacts are few and undated in this sense: all of them, whatever the day.
    expect(later?.deals).toEqual(acc1Facts.deals);
    expect(later?.contacts).toEqual(acc1Facts.contacts);
  });

  it('lists account ids in pages, ascending, without archived ones or another installation’s', async () => {
    const first = await listAccountIds(handle.db, key, { after: null, limit: 2 });
    const second = await listAccountIds(handle.db, key, { after: first.at(-1) ?? null, limit: 2 });
    const third = await listAccountIds(handle.db, key, { after: second.at(-1) ?? null, limit: 2 });
    expect([first, second, third]).toEqual([['acc-1', 'acc-3'], ['acc-4', 'acc-5'], []]);
    expect(await listAccountIds(handle.db, other, { after: null, limit: 10 })).toEqual(['acc-1', 'acc-9']);
    expect(await listAccountIds(handle.db, empty, { after: null, limit: 10 })).toEqual([]);
  });

  it('counts the features offered from the installation’s last 90 days of usage', async () => {
    const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString().slice(0, 10);
    await handle.db.insert(usageDaily).values([
      {
        ...key,
        accountExternalId: 'acc-3',
        date: daysAgo(3),
        activeUsers: 1,
        licences: 5,
        events: 1,
        features: { reports: 1, alerts: 0 },
      },
      {
        ...key,
        accountExternalId: 'acc-4',
        date: daysAgo(10),
        activeUsers: 1,
        licences: 5,
        events: 1,
        features: { reports: 2, forecasts: 1 },
      },
      {
        ...key,
        accountExternalId: 'acc-4',
        date: daysAgo(120),
        activeUsers: 1,
        licences: 5,
        events: 1,
        features: { legacy: 4 },
      },
      {
        ...other,
        accountExternalId: 'acc-9',
        date: daysAgo(3),
        activeUsers: 1,
        licences: 5,
        events: 1,
        features: { a: 1, b: 1, c: 1, d: 1, e: 1 },
      },
    ]);
    expect(await loadFactsContext(handle.db, key)).toEqual({ featuresOffered: 3 });
    expect(await loadFactsContext(handle.db, other)).toEqual({ featuresOffered: 5 });
    expect(await loadFactsContext(handle.db, empty)).toEqual({ featuresOffered: 0 });
  });
});
