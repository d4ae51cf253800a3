/**
 * `npm run bench:dashboard`: the dashboard API's latency at 10,000 accounts. A seeding process writes
 * N current customers (default 10,000) with their effective health, owners, open warnings, a renewal
 * model, the forecast rows and the analytics job's five snapshots (payloads of the core types, sized
 * as the job leaves them) into PGlite or the DATABASE_URL Postgres; a server process serves the app on
 * loopback; this process drives every GET endpoint at a steady rate (open loop: latency counts from
 * each send's scheduled moment) and prints p50/p95/p99/max and answer sizes per endpoint; writes
 * bench/results/dashboard.json.
 *
 * Target: p95 ≤ 200 ms on every endpoint.
 *
 * Options: --accounts N, --rate R (requests/s over all endpoints), --seconds S, --warmup S, --no-cache
 * (the server keeps nothing between requests: every answer is read and computed afresh).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { createQueues } from '../jobs/queues.ts';
import { nextMessage, openLoop, percentile, timedGet, type Timed } from './open-loop.ts';
import type { CohortReport } from '../server/core/revenue/cohorts.ts';
import type { RenewalForecast } from '../server/core/revenue/forecast/forecast.ts';
import type { RenewalModel } from '../server/core/revenue/forecast/model.ts';
import type { NpsReport } from '../server/core/revenue/nps.ts';
import type { RetentionFigures, RetentionReport } from '../server/core/revenue/retention.ts';
import type { StaffingForecast, StaffingMonth } from '../server/core/revenue/staffing.ts';
import { createApp } from '../server/http/app.ts';
import { SESSION_COOKIE, sessionCookieValue } from '../server/http/install/cookies.ts';
import { createSealer, type Sealer } from '../server/platform/crypto.ts';
import {
  replaceRenewalForecasts,
  saveAnalyticsSnapshots,
  saveRenewalModel,
  type RenewalForecastRow,
} from '../server/platform/db/analytics-store.ts';
import { openDatabase, type Database } from '../server/platform/db/database.ts';
import { createWorkspace, installationRepository } from '../server/platform/db/installations.ts';
import { accountHealthCurrent, accounts as accountsTable, owners, warnings } from '../server/platform/db/schema.ts';
import type { InstallationKey } from '../server/platform/db/sync-store.ts';
import { createLogger } from '../server/platform/logger.ts';
import { createProducerConnection } from '../server/platform/redis.ts';

// ---- the seed (also used by the dashboard API tests) -------------------------------------------

export const SEGMENTS = ['enterprise', 'mid-market', 'smb'] as const;
const TIERS = ['high_touch', 'low_touch', 'tech_touch'] as const;
const DAY_MS = 86_400_000;

export interface DashboardSeedOptions {
  accounts: number;
  /** The day the figures are as of (epoch ms). */
  asOf: number;
  /** A name for account 3 (which has an open warning) that a spreadsheet would run as a formula. */
  formulaName?: string;
}

export interface DashboardSeed {
  csmIds: string[];
  /** Forecast rows written, and those in the bottom 20 %. */
  renewals: number;
  bottom20: number;
  openWarnings: number;
}

/** A small deterministic generator, so a seed is the same book every time. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4_294_967_296;
  };
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const monthKeyOf = (ms: number) => isoDay(ms).slice(0, 7);
const monthStartOf = (ms: number, add = 0) => {
  const date = new Date(ms);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + add, 1);
};
const perTier = (value: (tier: (typeof TIERS)[number]) => number) =>
  ({ high_touch: value('high_touch'), low_touch: value('low_touch'), tech_touch: value('tech_touch') }) as const;

async function inChunks<T>(rows: readonly T[], size: number, write: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < rows.length; start += size) await write(rows.slice(start, start + size));
}

function figures(from: number, to: number, rand: () => number, openingAccounts: number): RetentionFigures {
  const openingArr = openingAccounts * 40_000;
  const expansionArr = Math.round(openingArr * 0.02 * rand());
  const contractionArr = Math.round(openingArr * 0.005 * rand());
  const churnedAccounts = Math.round(openingAccounts * 0.01 * rand());
  const churnedArr = churnedAccounts * 30_000;
  const closingArr = openingArr + expansionArr - contractionArr - churnedArr;
  return {
    from,
    to,
    openingAccounts,
    openingArr,
    closingArr,
    expansionArr,
    contractionArr,
    churnedAccounts,
    churnedArr,
    newAccounts: Math.round(openingAccounts * 0.015),
    newArr: Math.round(openingAccounts * 0.015) * 35_000,
    nrr: openingArr === 0 ? null : closingArr / openingArr,
    grr: openingArr === 0 ? null : (openingArr - contractionArr - churnedArr) / openingArr,
    logoChurnRate: openingAccounts === 0 ? null : churnedAccounts / openingAccounts,
    revenueChurnRate: openingArr === 0 ? null : (contractionArr + churnedArr) / openingArr,
  };
}

function retentionReport(asOf: number, customers: number, rand: () => number): RetentionReport {
  const months = Array.from({ length: 12 }, (_, index) => {
    const from = monthStartOf(asOf, index - 11);
    const to = Math.min(asOf, monthStartOf(asOf, index - 10) - 1);
    return {
      month: monthKeyOf(from),
      partial: index === 11,
      monthly: figures(from, to, rand, customers),
      trailing12: figures(monthStartOf(asOf, index - 22), to, rand, customers),
    };
  });
  return {
    asOf,
    months,
    trailing12: months.at(-1)!.trailing12,
    definitions: {
      nrr: 'ARR at the end of the period of the customers at its start, over their ARR at the start; expansion counts.',
      grr: 'NRR without expansion: only what was kept, contraction and churn taken off.',
      logo_churn_rate: 'Customers at the start who stopped paying during the period, over customers at the start.',
      revenue_churn_rate: 'ARR lost to churn and contraction, over ARR at the start.',
      expansion: 'ARR added by customers who were paying at the start.',
      contraction: 'ARR lost by customers who stayed but pay less.',
      new_business: 'ARR of customers who started paying during the period; shown, never in a ratio.',
      arr: 'Annual recurring revenue from won new-business and renewal deals, per contract term.',
      trailing_12: 'The twelve months ending with this one, read as one period.',
    },
  };
}

function cohortReport(asOf: number, rand: () => number): CohortReport {
  return {
    asOf,
    definition:
      'Customers by the quarter they started paying; the share still paying, and their ARR, each quarter after.',
    cohorts: Array.from({ length: 8 }, (_, index) => {
      const start = monthStartOf(asOf, (index - 7) * 3);
      const accounts = 50 + Math.round(rand() * 100);
      const quarter = (ms: number) =>
        `${new Date(ms).getUTCFullYear()}-Q${Math.floor(new Date(ms).getUTCMonth() / 3) + 1}`;
      return {
        cohort: quarter(start),
        accounts,
        startingArr: accounts * 35_000,
        quarters: Array.from({ length: 8 - index }, (_, offset) => ({
          offset,
          quarter: quarter(monthStartOf(start, offset * 3)),
          partial: offset === 7 - index,
          logos: Math.round(accounts * (1 - 0.03 * offset)),
          logoRetention: 1 - 0.03 * offset,
          arr: Math.round(accounts * 35_000 * (1 + 0.01 * offset)),
          arrRetention: 1 + 0.01 * offset,
          grossArrRetention: 1 - 0.02 * offset,
        })),
      };
    }),
  };
}

function npsReport(asOf: number, csmIds: readonly string[], rand: () => number): NpsReport {
  const summary = () => {
    const promoters = Math.round(40 + rand() * 40);
    const passives = Math.round(20 + rand() * 20);
    const detractors = Math.round(10 + rand() * 20);
    const responses = promoters + passives + detractors;
    return {
      responses,
      promoters,
      passives,
      detractors,
      promoterShare: promoters / responses,
      passiveShare: passives / responses,
      detractorShare: detractors / responses,
      score: Math.round(((promoters - detractors) / responses) * 100),
    };
  };
  return {
    overall: summary(),
    byMonth: Array.from({ length: 24 }, (_, index) => ({
      period: monthKeyOf(monthStartOf(asOf, index - 23)),
      ...summary(),
    })),
    byQuarter: Array.from({ length: 8 }, (_, index) => {
      const at = monthStartOf(asOf, (index - 7) * 3);
      return {
        period: `${new Date(at).getUTCFullYear()}-Q${Math.floor(new Date(at).getUTCMonth() / 3) + 1}`,
        ...summary(),
      };
    }),
    bySegment: [...SEGMENTS, null].map((key) => ({ key, ...summary() })),
    byCsm: [...csmIds, null].map((key) => ({ key, ...summary() })),
    byTouch: TIERS.map((key) => ({ key, ...summary() })),
    themes: ['onboarding', 'support', 'pricing', 'reporting', 'integrations'].map((theme) => ({
      theme,
      label: theme.charAt(0).toUpperCase() + theme.slice(1),
      mentions: 40,
      promoterMentions: 20,
      passiveMentions: 10,
      detractorMentions: 10,
      detractorShare: 0.25,
      promoterShare: 0.5,
      shareOfDetractorComments: 0.2,
      shareOfPromoterComments: 0.3,
      nps: 25,
      examples: [`The ${theme} works well for us.`, `=cmd|' /C calc'!A0 ${theme} could be better.`],
    })),
    answersRead: 2_400,
    duplicatesDropped: 31,
    definitions: {
      nps: 'Share of promoters (9–10) minus share of detractors (0–6), from −100 to 100.',
      dedupe: 'A contact’s latest answer in each survey wave counts once.',
      themes: 'Verbatims matched against a list of topics; one answer can mention several.',
    },
  };
}

function staffing(asOf: number, customers: number): StaffingForecast {
  const accounts = perTier((tier) =>
    Math.round(customers * (tier === 'high_touch' ? 0.1 : tier === 'low_touch' ? 0.3 : 0.6)),
  );
  const targetLoad = perTier((tier) => (tier === 'high_touch' ? 15 : tier === 'low_touch' ? 50 : 500));
  const newPerMonth = perTier((tier) => (tier === 'high_touch' ? 3 : tier === 'low_touch' ? 10 : 30));
  const capacity = perTier((tier) => Math.round(accounts[tier] / targetLoad[tier]));
  const month = (index: number): StaffingMonth => {
    const at = perTier((tier) => accounts[tier] + newPerMonth[tier] * index * 0.9);
    const needed = perTier((tier) => at[tier] / targetLoad[tier]);
    const totalNeeded = needed.high_touch + needed.low_touch + needed.tech_touch;
    const totalCapacity = capacity.high_touch + capacity.low_touch + capacity.tech_touch;
    return {
      month: monthKeyOf(monthStartOf(asOf, index)),
      accounts: at,
      newAccounts: index === 0 ? perTier(() => 0) : newPerMonth,
      churnedAccounts: perTier((tier) => (index === 0 ? 0 : newPerMonth[tier] * 0.1)),
      needed,
      neededRounded: perTier((tier) => Math.ceil(needed[tier])),
      totalNeeded,
      totalNeededRounded: Math.ceil(totalNeeded),
      capacity,
      totalCapacity,
      gap: totalCapacity - Math.ceil(totalNeeded),
      tierGap: perTier((tier) => capacity[tier] - needed[tier]),
      short: totalCapacity < Math.ceil(totalNeeded),
    };
  };
  const months = Array.from({ length: 6 }, (_, index) => month(index + 1));
  return {
    current: month(0),
    months,
    firstShortMonth: months.find((item) => item.short)?.month ?? null,
    assumptions: {
      asOf,
      months: 6,
      accounts,
      capacity,
      newPerMonth,
      churn: { kind: 'rate', monthly: perTier(() => 0.01) },
      targetLoad,
      plannedHires: [],
    },
    definitions: {
      needed: 'Accounts at the month’s end over the target load per CSM, per tier.',
      capacity: 'CSMs on the team, counted in the tier they mostly carry.',
      gap: 'Capacity minus the CSMs needed (whole people); negative means hire.',
      new: 'New customers per month: won new business over the last six full months, averaged.',
      churn: 'Customers expected to leave: the renewal forecast’s chance each renewal does not happen.',
    },
  };
}

function renewalModel(asOf: number): RenewalModel {
  return {
    version: 1,
    basis: 'learned',
    reason: null,
    features: ['baseline', 'score'],
    coefficients: [0.1, 0.3],
    penalty: 1,
    horizonDays: 182,
    trainedAt: asOf,
    trainedOn: {
      renewals: 1_200,
      examples: 9_000,
      won: 1_000,
      lost: 200,
      accounts: 1_100,
      firstDecision: isoDay(asOf - 700 * DAY_MS),
      lastDecision: isoDay(asOf - 5 * DAY_MS),
      arr: 48_000_000,
      arrWon: 41_000_000,
    },
    brier: { inSample: 0.11, crossValidated: 0.12, prior: 0.14 },
    calibration: Array.from({ length: 10 }, (_, index) => ({
      from: index / 10,
      to: (index + 1) / 10,
      count: 100,
      weight: 100,
      meanPredicted: index / 10 + 0.05,
      observed: index / 10 + 0.04,
    })),
    explanation:
      'Learned from 1,200 renewals decided in the last two years: health score and trend move the odds most.',
  };
}

/**
 * Writes a dashboard's worth of data for one installation: customers, health, owners, warnings, the
 * renewal model, forecast rows and the five snapshots (through the analytics store, as the job does).
 */
export async function seedDashboard(
  db: Database,
  key: InstallationKey,
  options: DashboardSeedOptions,
): Promise<DashboardSeed> {
  const rand = random(options.accounts * 7 + 11);
  const { asOf } = options;
  const csmCount = Math.max(3, Math.round(options.accounts / 120));
  const csmIds = Array.from({ length: csmCount }, (_, index) => `owner-${index + 1}`);
  const modifiedAt = new Date(asOf);
  await db.insert(owners).values(
    csmIds.map((externalId, index) => ({
      ...key,
      externalId,
      modifiedAt,
      name: `CSM ${index + 1}`,
      email: `csm${index + 1}@example.com`,
    })),
  );

  const rows = Array.from({ length: options.accounts }, (_, index) => {
    const segment = SEGMENTS[index % SEGMENTS.length]!;
    const arr = Math.round(
      (segment === 'enterprise' ? 80_000 : segment === 'mid-market' ? 30_000 : 8_000) * (0.5 + rand()),
    );
    const score = Math.round(rand() * 100);
    const band = score < 40 ? 'red' : score < 70 ? 'yellow' : 'green';
    const probability = Math.min(0.99, Math.max(0.01, 0.3 + score / 150));
    return {
      externalId: `acc-${index}`,
      name: index === 3 && options.formulaName ? options.formulaName : `Account ${index}`,
      segment,
      arr,
      licences: Math.round(arr / 500),
      csm: index % 50 === 49 ? null : csmIds[index % csmIds.length]!,
      renewalDate: asOf + Math.floor(rand() * 365) * DAY_MS,
      score,
      band,
      probability,
    };
  });
  await inChunks(rows, 1_000, (chunk) =>
    db.insert(accountsTable).values(
      chunk.map((row) => ({
        ...key,
        externalId: row.externalId,
        modifiedAt,
        name: row.name,
        segment: row.segment,
        arr: row.arr.toFixed(2),
        licences: row.licences,
        csmExternalId: row.csm,
        renewalDate: isoDay(row.renewalDate),
        customerStatus: 'active' as const,
      })),
    ),
  );
  await inChunks(rows, 1_000, (chunk) =>
    db.insert(accountHealthCurrent).values(
      chunk.map((row) => ({
        ...key,
        accountExternalId: row.externalId,
        scoredAt: modifiedAt,
        modelVersion: '1',
        values: {
          health_score: row.score,
          health_band: row.band,
          health_trend: 'stable',
          health_drivers: 'Active users 35% of licences; 2 open escalations',
          renewal_probability: Math.round(row.probability * 100),
          revenue_at_risk: Math.round(row.arr * (1 - row.probability)),
          last_scored_at: modifiedAt.toISOString(),
        },
      })),
    ),
  );

  const warned = rows.filter((_, index) => index % 10 === 3);
  await inChunks(warned, 1_000, (chunk) =>
    db.insert(warnings).values(
      chunk.map((row, index) => ({
        ...key,
        accountExternalId: row.externalId,
        rule: index % 2 === 0 ? 'usage_drop' : 'champion_left',
        dedupeKey: `${row.externalId}:${index % 2}`,
        severity: (['high', 'medium', 'low'] as const)[index % 3]!,
        status: 'open' as const,
        title: index % 2 === 0 ? 'Usage fell by half' : 'The champion left',
        evidence: {
          text: 'Active users fell from 40 to 18 in 30 days.',
          values: { from: 40, to: 18 },
          thresholds: { drop: 0.4 },
        },
        csmExternalId: row.csm,
        openedAt: new Date(asOf - (index % 30) * DAY_MS),
        lastSeenAt: modifiedAt,
      })),
    ),
  );

  // The forecast: renewals in the six calendar months from asOf's, least likely first.
  const windowEnd = monthStartOf(asOf, 6);
  const upcoming = rows
    .filter((row) => row.renewalDate >= monthStartOf(asOf) && row.renewalDate < windowEnd)
    .sort((a, b) => a.probability - b.probability || b.arr - a.arr);
  const bottomCount = Math.ceil(upcoming.length * 0.2);
  const forecastRows: RenewalForecastRow[] = upcoming.map((row, index) => ({
    accountExternalId: row.externalId,
    renewalDate: isoDay(row.renewalDate),
    arr: row.arr,
    probability: row.probability,
    expectedArr: Math.round(row.arr * row.probability),
    revenueAtRisk: row.arr - Math.round(row.arr * row.probability),
    basis: 'learned',
    contributions: [
      { feature: 'trend_declining', label: 'Declining trend', effect: -6.2, text: 'Declining trend: −6 pts' },
      { feature: 'score', label: `Health score ${row.score}`, effect: -3.1, text: `Health score ${row.score}: −3 pts` },
    ],
    healthDrivers: 'Active users 35% of licences; 2 open escalations',
    opportunities:
      index < bottomCount
        ? [
            {
              kind: 'adoption',
              title: 'Lift licence use',
              detail: '-Half the seats are idle; a training session.',
              expectedGain: 6,
              measures: [],
            },
            {
              kind: 'stakeholders',
              title: 'Find a new champion',
              detail: 'The champion left in May.',
              expectedGain: 4,
              measures: [],
            },
          ]
        : [],
    bottom20: index < bottomCount,
    rank: index + 1,
  }));
  const computedAt = new Date(asOf);
  await replaceRenewalForecasts(db, key, forecastRows, computedAt);
  await saveRenewalModel(db, key, renewalModel(asOf), computedAt);

  const months = Array.from({ length: 6 }, (_, index) => monthKeyOf(monthStartOf(asOf, index)));
  const byDay = [...upcoming].sort((a, b) => a.renewalDate - b.renewalDate);
  const forecast: RenewalForecast = {
    asOf,
    from: isoDay(monthStartOf(asOf)),
    to: isoDay(windowEnd - DAY_MS),
    basis: 'learned',
    explanation:
      'Learned from 1,200 renewals decided in the last two years: health score and trend move the odds most.',
    renewals: byDay.map((row) => ({
      accountId: row.externalId,
      name: row.name,
      segment: row.segment,
      csm: row.csm,
      arr: row.arr,
      renewalDay: isoDay(row.renewalDate),
      month: monthKeyOf(row.renewalDate),
      probability: row.probability,
      prior: row.probability,
      basis: 'learned',
      expectedRenewedArr: Math.round(row.arr * row.probability),
      revenueAtRisk: row.arr - Math.round(row.arr * row.probability),
      contributions: [
        {
          feature: 'score',
          label: `Health score ${row.score}`,
          effect: -3.1,
          text: `Health score ${row.score}: −3 pts`,
        },
      ],
      healthDrivers: 'Active users 35% of licences',
    })),
    months: months.map((month) => ({ month, renewals: 0, arr: 0, expectedRenewedArr: 0, revenueAtRisk: 0 })),
    totals: {
      renewals: upcoming.length,
      arr: 0,
      expectedRenewedArr: 0,
      revenueAtRisk: 0,
      meanProbability: null,
      arrWeightedProbability: null,
    },
    bottom20: forecastRows.filter((row) => row.bottom20).map((row) => row.accountExternalId),
    outsideWindow: 0,
  };
  const overall = retentionReport(asOf, options.accounts, rand);
  const sourceVersion = 'model:1;settings:default';
  await saveAnalyticsSnapshots(
    db,
    key,
    [
      { kind: 'forecast', payload: forecast, sourceVersion },
      {
        kind: 'retention',
        payload: {
          overall,
          bySegment: SEGMENTS.map((segment) => ({
            segment,
            report: retentionReport(asOf, Math.round(options.accounts / 3), rand),
          })),
          byTouch: TIERS.map((tier) => ({
            tier,
            report: retentionReport(asOf, Math.round(options.accounts / 3), rand),
          })),
          cohorts: cohortReport(asOf, rand),
        },
        sourceVersion,
      },
      { kind: 'nps', payload: npsReport(asOf, csmIds, rand), sourceVersion },
      { kind: 'portfolio', payload: { csmNames: {}, tiers: {}, touchModel: 'default tiers' }, sourceVersion },
      { kind: 'staffing', payload: staffing(asOf, options.accounts), sourceVersion },
    ],
    computedAt,
  );
  return { csmIds, renewals: forecastRows.length, bottom20: bottomCount, openWarnings: warned.length };
}

// ---- the bench ---------------------------------------------------------------------------------

const TARGET_P95_MS = 200;
const ENDPOINTS = ['portfolio', 'renewals', 'retention', 'nps', 'team', 'warnings', 'settings'] as const;
/** Each endpoint is asked with these filters in turn, as a leader clicking through the menus would. */
const FILTERS = ['', '?tier=high_touch', '?segment=smb', '?csm=owner-1'] as const;
const INBOX_FILTERS = ['', '?severity=high', '?rule=usage_drop', '?csm=owner-1'] as const;
type Endpoint = (typeof ENDPOINTS)[number];

interface Seeded {
  dataDir: string;
  workspaceId: string;
  installationId: string;
  sealerKey: string;
  seedSeconds: number;
}

/** What the server process is started with; `cache` false: it keeps nothing between requests. */
type ServeOptions = Seeded & { cache: boolean };

type ServerMessage = ({ type: 'seeded' } & Seeded) | { type: 'ready'; port: number; database: string };

async function seed(accounts: number): Promise<void> {
  const logger = createLogger({ level: 'silent' });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'bench-dashboard-'));
  const handle = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir, logger });
  await handle.migrate();
  const sealerKey = randomBytes(32).toString('base64');
  const installations = installationRepository(handle.db, createSealer(Buffer.from(sealerKey, 'base64')));
  const workspace = await createWorkspace(handle.db, 'Dashboard bench');
  const installation = await installations.install({
    workspaceId: workspace.id,
    provider: 'hubspot',
    externalId: String(Math.floor(1e8 + Math.random() * 8e8)),
    displayName: 'Dashboard bench',
    baseUrl: null,
    scopes: [],
    tokens: { accessToken: 'access', refreshToken: 'refresh', accessTokenExpiresAt: null },
  });
  const key = { workspaceId: workspace.id, installationId: installation.id };
  const started = performance.now();
  await seedDashboard(handle.db, key, { accounts, asOf: Date.now() });
  // Fresh planner statistics, as autovacuum keeps them on Postgres (PGlite runs none).
  await handle.rows(sql`analyze`);
  const seeded: Seeded = { dataDir, ...key, sealerKey, seedSeconds: (performance.now() - started) / 1000 };
  await handle.close();
  process.send?.({ type: 'seeded', ...seeded });
}

async function serve(seeded: ServeOptions): Promise<void> {
  const logger = createLogger({ level: 'silent' });
  const handle = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir: seeded.dataDir, logger });
  const redis = createProducerConnection(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', logger);
  const queues = createQueues(redis, `bench-dashboard-${randomUUID()}`);
  const sealer: Sealer = createSealer(Buffer.from(seeded.sealerKey, 'base64'));
  const server = http.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const app = createApp({
    logger,
    version: 'bench',
    bodyLimit: '1mb',
    readiness: {},
    install: {
      db: handle.db,
      sealer,
      queues,
      installations: installationRepository(handle.db, sealer),
      oauth: {},
      publicUrl: `http://127.0.0.1:${port}`,
    },
    dashboard: { db: handle.db, queues, cache: seeded.cache },
  });
  server.on('request', app);
  process.on('message', (message: { type: string }) => {
    if (message.type !== 'stop') return;
    server.closeAllConnections();
    server.close(() => {
      void queues.close().then(async () => {
        redis.disconnect();
        await handle.close();
        process.exit(0);
      });
    });
  });
  process.send?.({ type: 'ready', port, database: `${handle.driver} ${handle.location}` });
}

interface Outcome extends Timed {
  endpoint: Endpoint;
}

/** Open-loop load over every endpoint in turn, each with its filters in rotation. */
async function load(base: string, cookie: string, rate: number, durationS: number): Promise<Outcome[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const done = await openLoop(rate, durationS, async (index, due) => {
    const endpoint = ENDPOINTS[index % ENDPOINTS.length]!;
    const turn = Math.floor(index / ENDPOINTS.length) % FILTERS.length;
    const filter = endpoint === 'settings' ? '' : endpoint === 'warnings' ? INBOX_FILTERS[turn]! : FILTERS[turn]!;
    return { endpoint, ...(await timedGet(`${base}/${endpoint}${filter}`, { agent, headers: { cookie } }, due)) };
  });
  agent.destroy();
  return done;
}

const round1 = (value: number) => Math.round(value * 10) / 10;

async function main(options: {
  accounts: number;
  rate: number;
  seconds: number;
  warmup: number;
  cache: boolean;
}): Promise<void> {
  const self = fileURLToPath(import.meta.url);
  const passOn = ['--accounts', String(options.accounts)];
  console.log(`seeding ${options.accounts.toLocaleString('en')} accounts with their analytics…`);
  const seeder = fork(self, ['--seed', ...passOn], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const { type: _type, ...seeded } = await nextMessage<ServerMessage, 'seeded'>(seeder, 'seeded');
  void _type;
  if (seeder.exitCode === null) await once(seeder, 'exit');
  const child = fork(self, ['--serve', JSON.stringify({ ...seeded, cache: options.cache } satisfies ServeOptions)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const ready = await nextMessage<ServerMessage, 'ready'>(child, 'ready');
    const sealer = createSealer(Buffer.from(seeded.sealerKey, 'base64'));
    const cookie = `${SESSION_COOKIE}=${sessionCookieValue({ sealer, now: Date.now }, { workspaceId: seeded.workspaceId, installationId: seeded.installationId })}`;
    const base = `http://127.0.0.1:${ready.port}/api/installations/${seeded.installationId}/dashboard`;
    console.log(
      `seeded in ${seeded.seedSeconds.toFixed(1)} s on ${ready.database.split(' ')[0]}; ${options.rate} requests/s for ${options.seconds} s over ${ENDPOINTS.length} endpoints`,
    );
    // The first answer of each view, one at a time with nothing cached: what the first leader of the morning waits.
    const cold = new Map<Endpoint, number>();
    for (const endpoint of ENDPOINTS) {
      const started = performance.now();
      const answer = await fetch(`${base}/${endpoint}`, { headers: { cookie } });
      await answer.arrayBuffer();
      cold.set(endpoint, round1(performance.now() - started));
    }
    if (options.warmup > 0) await load(base, cookie, options.rate, options.warmup);
    const started = performance.now();
    const outcomes = await load(base, cookie, options.rate, options.seconds);
    const elapsedS = (performance.now() - started) / 1000;
    const endpoints = ENDPOINTS.map((endpoint) => {
      const mine = outcomes.filter((outcome) => outcome.endpoint === endpoint);
      const latencies = mine.map((outcome) => outcome.latencyMs).sort((a, b) => a - b);
      const sizes = mine
        .filter((outcome) => outcome.status === 200)
        .map((outcome) => outcome.bytes)
        .sort((a, b) => a - b);
      return {
        endpoint,
        requests: mine.length,
        errors: mine.filter((outcome) => outcome.status !== 200).length,
        p50: round1(percentile(latencies, 50)),
        p95: round1(percentile(latencies, 95)),
        p99: round1(percentile(latencies, 99)),
        max: round1(latencies.at(-1) ?? Number.NaN),
        bytes: percentile(sizes, 50),
        coldMs: cold.get(endpoint) ?? Number.NaN,
      };
    });
    const met = endpoints.every((row) => row.p95 <= TARGET_P95_MS && row.errors === 0);
    console.log(
      `\n${'endpoint'.padEnd(10)} ${'req'.padStart(5)} ${'err'.padStart(4)} ${'p50'.padStart(7)} ${'p95'.padStart(7)} ${'p99'.padStart(7)} ${'max'.padStart(7)} ${'bytes'.padStart(9)} ${'cold'.padStart(7)}`,
    );
    for (const row of endpoints) {
      console.log(
        `${row.endpoint.padEnd(10)} ${String(row.requests).padStart(5)} ${String(row.errors).padStart(4)} ${row.p50.toFixed(1).padStart(7)} ${row.p95.toFixed(1).padStart(7)} ${row.p99.toFixed(1).padStart(7)} ${row.max.toFixed(1).padStart(7)} ${String(row.bytes).padStart(9)} ${row.coldMs.toFixed(1).padStart(7)}`,
      );
    }
    console.log(
      `\nlatency in ms (cold: the first answer, nothing cached)${options.cache ? '' : '; the server cached nothing'}; target p95 ≤ ${TARGET_P95_MS} ms on every endpoint: ${met ? 'met' : 'MISSED'}`,
    );
    const result = {
      accounts: options.accounts,
      database: ready.database.split(' ')[0],
      targetRate: options.rate,
      achievedRate: round1(outcomes.length / elapsedS),
      seconds: options.seconds,
      seedSeconds: round1(seeded.seedSeconds),
      cache: options.cache,
      endpoints,
      targetP95Ms: TARGET_P95_MS,
      met,
    };
    const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
    await mkdir(resultsDir, { recursive: true });
    await writeFile(
      path.join(resultsDir, options.cache ? 'dashboard.json' : 'dashboard-no-cache.json'),
      `${JSON.stringify(result, null, 2)}\n`,
    );
    if (!met) process.exitCode = 1;
  } finally {
    child.send({ type: 'stop' });
    if (child.exitCode === null) await once(child, 'exit');
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      accounts: { type: 'string', default: '10000' },
      rate: { type: 'string', default: '20' },
      seconds: { type: 'string', default: '20' },
      warmup: { type: 'string', default: '3' },
      seed: { type: 'boolean', default: false },
      'no-cache': { type: 'boolean', default: false },
      serve: { type: 'string' },
    },
  });
  const options = {
    accounts: Number(values.accounts),
    rate: Number(values.rate),
    seconds: Number(values.seconds),
    warmup: Number(values.warmup),
    cache: !values['no-cache'],
  };
  if (![options.accounts, options.rate, options.seconds].every((value) => Number.isInteger(value) && value >= 1)) {
    console.error(
      'usage: npm run bench:dashboard -- [--accounts N] [--rate R] [--seconds S] [--warmup S] [--no-cache]',
    );
    process.exit(2);
  }
  if (values.seed) await seed(options.accounts);
  else if (values.serve) await serve(JSON.parse(values.serve) as ServeOptions);
  else await main(options);
}
