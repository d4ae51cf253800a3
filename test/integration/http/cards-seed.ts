import { topDrivers, whatMoved } from '../../../server/core/health/explain.ts';
import { DEFAULT_MODEL } from '../../../server/core/health/model.ts';
import { effectiveHealth } from '../../../server/core/health/override.ts';
import { renewalProbability, revenueAtRisk } from '../../../server/core/health/renewal-prior.ts';
import { compileModel } from '../../../server/core/health/score.ts';
import { DAY_MS, type SignalValues } from '../../../server/core/health/signals.ts';
import { trendOf } from '../../../server/core/health/trend.ts';
import type { Database } from '../../../server/platform/db/database.ts';
import { accountHealth, accounts, healthScores, syncState } from '../../../server/platform/db/schema.ts';
import type { InstallationKey } from '../../../server/platform/db/sync-store.ts';

/**
 * Scored accounts written straight into the tables the card reads, with explanations the real
 * scoring code computes from varied signals (so sizes and shapes are those of a score run), and a
 * score per day of history. Shared by the card API tests and bench:cards.
 */

const compiled = compileModel(DEFAULT_MODEL);
const SEGMENTS = ['smb', 'mid_market', 'enterprise'] as const;

/** A small deterministic generator, so a seed gives the same book every time. */
function random(seed: number) {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4_294_967_296;
  };
}

function signalsOf(next: () => number): SignalValues {
  return {
    'usage.active_user_ratio': next(),
    'usage.events_per_licence': next() * 400,
    'usage.feature_breadth': next(),
    'support.open_tickets': Math.floor(next() * 12),
    'support.high_priority_open': Math.floor(next() * 3),
    'support.oldest_open_days': Math.floor(next() * 60),
    'support.tickets_per_100_licences': next() * 30,
    'engagement.days_since_last': Math.floor(next() * 90),
    'relationship.champion_present': next() > 0.3,
    'relationship.sponsor_present': next() > 0.5,
    'relationship.departed_champion': next() > 0.85,
    'commercial.days_to_renewal': Math.floor(next() * 365),
    'commercial.arr_change_pct': next() * 40 - 20,
    'commercial.open_expansion': next() > 0.7,
    'voice.nps': Math.floor(next() * 11),
    'voice.csat': 1 + next() * 4,
    'voice.ces': 1 + next() * 6,
    'voice.detractor_share': next() * 0.5,
    'sentiment.csm': next() * 2 - 1,
  };
}

export interface SeededAccount {
  externalId: string;
  name: string;
  score: number | null;
  band: string | null;
  drivers: string[];
}

export interface SeedOptions {
  now: number;
  /** Days of history per account, today included. */
  historyDays: number;
  seed?: number;
  /** Rows per insert statement. */
  batchSize?: number;
}

/** Writes the accounts with their latest health and history; answers what was written. */
export async function seedScoredAccounts(
  db: Database,
  key: InstallationKey,
  ids: readonly string[],
  options: SeedOptions,
): Promise<SeededAccount[]> {
  const next = random(options.seed ?? 7);
  const batch = options.batchSize ?? 200;
  const today = new Date(options.now).toISOString().slice(0, 10);
  const seeded: SeededAccount[] = [];
  for (let start = 0; start < ids.length; start += batch) {
    const accountRows = [];
    const healthRows = [];
    const historyRows = [];
    for (const externalId of ids.slice(start, start + batch)) {
      const segment = SEGMENTS[Math.floor(next() * SEGMENTS.length)] ?? null;
      const arr = Math.round(5_000 + next() * 200_000);
      const score = compiled.score({ segment, signals: signalsOf(next) });
      const yesterday = compiled.score({ segment, signals: signalsOf(next) });
      const base = score.score ?? 50;
      const points = Array.from({ length: options.historyDays }, (_, back) => ({
        at: options.now - back * DAY_MS,
        score: Math.max(0, Math.min(100, base + (next() - 0.5) * 20 + back * 0.1)),
      })).reverse();
      if (score.score !== null) points[points.length - 1] = { at: options.now, score: score.score };
      const trend = score.score === null ? null : trendOf(points, DEFAULT_MODEL.trend, options.now);
      const drivers = topDrivers(score);
      const health = effectiveHealth(score, null, options.now, DEFAULT_MODEL.bands);
      const probability = score.score === null ? null : renewalProbability(Math.round(score.score));
      const name = `Account ${externalId}`;
      accountRows.push({
        ...key,
        externalId,
        name,
        segment,
        arr: String(arr),
        renewalDate: new Date(options.now + Math.floor(next() * 300) * DAY_MS).toISOString().slice(0, 10),
        modifiedAt: new Date(options.now - DAY_MS),
      });
      healthRows.push({
        ...key,
        accountExternalId: externalId,
        day: today,
        scoredAt: new Date(options.now - 60_000),
        modelVersion: DEFAULT_MODEL.version,
        status: score.status,
        score: score.score,
        band: score.band,
        trend: trend?.direction ?? null,
        explanation: {
          score,
          drivers,
          moved: whatMoved(yesterday, score),
          trend,
          health,
          renewal: { probability, revenueAtRisk: probability === null ? null : revenueAtRisk(arr, probability) },
        },
      });
      for (const point of points) {
        historyRows.push({
          ...key,
          accountExternalId: externalId,
          day: new Date(point.at).toISOString().slice(0, 10),
          scoredAt: new Date(point.at),
          modelVersion: DEFAULT_MODEL.version,
          status: 'scored' as const,
          score: point.score,
          band: null,
          trend: null,
          coverage: score.coverage,
          contributions: {},
        });
      }
      seeded.push({ externalId, name, score: score.score, band: score.band, drivers: drivers.map((d) => d.text) });
    }
    await db.insert(accounts).values(accountRows);
    await db.insert(accountHealth).values(healthRows);
    for (let at = 0; at < historyRows.length; at += 2_000) {
      await db.insert(healthScores).values(historyRows.slice(at, at + 2_000));
    }
  }
  return seeded;
}

/** Marks the installation's sync of every object as finished at `at`. */
export async function markSynced(db: Database, key: InstallationKey, at: Date): Promise<void> {
  await db
    .insert(syncState)
    .values(['accounts', 'contacts', 'deals'].map((objectType) => ({ ...key, objectType, lastFinishedAt: at })))
    .onConflictDoUpdate({
      target: [syncState.workspaceId, syncState.installationId, syncState.objectType],
      set: { lastFinishedAt: at },
    });
}
