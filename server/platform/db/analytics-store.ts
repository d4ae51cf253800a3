import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { Database } from './database.ts';
import {
  type ANALYTICS_SNAPSHOT_KINDS,
  analyticsSettings,
  analyticsSnapshots,
  renewalForecasts,
  renewalModels,
} from './schema.ts';
import type { InstallationKey } from './sync-store.ts';

/**
 * The revenue analytics' own tables (settings and renewal model versions, the forecast rows, the
 * dashboard's precomputed figures) and the loaders the analytics job reads the book with. Each loader
 * is one statement over one installation, so a 10,000-account book is read in a few round trips;
 * archived CRM records are left out everywhere.
 */

export type AnalyticsSnapshotKind = (typeof ANALYTICS_SNAPSHOT_KINDS)[number];

async function rowsOf<T>(db: Database, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query);
  return (result as { rows: T[] }).rows;
}

/** Numbers arrive as numbers or strings (numeric, bigint) depending on the driver. */
const numOrNull = (value: unknown): number | null => {
  if (value === null || value === undefined) return null;
  const number = Number(value);
  return Number.isFinite(number) ? number : null;
};
const dayText = (value: unknown): string =>
  value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10);
const dayOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : dayText(value));
const textOrNull = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
/** jsonb aggregates arrive parsed (node-postgres, PGlite) or, from some drivers, as text. */
const jsonOf = <T>(value: unknown, fallback: T): T => {
  if (value === null || value === undefined) return fallback;
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
};

const ofInstallation = (alias: string, key: InstallationKey) =>
  sql`${sql.raw(alias)}.workspace_id = ${key.workspaceId} and ${sql.raw(alias)}.installation_id = ${key.installationId}`;

const BANDS = new Set(['red', 'yellow', 'green']);
const TRENDS = new Set(['improving', 'stable', 'declining']);
const bandOf = (value: unknown) => (BANDS.has(value as string) ? (value as 'red' | 'yellow' | 'green') : null);
const trendOf = (value: unknown) =>
  TRENDS.has(value as string) ? (value as 'improving' | 'stable' | 'declining') : null;

// ---- settings and model versions ---------------------------------------------------------------

export interface StoredAnalyticsSettings {
  version: number;
  /** As saved; the caller validates it (a stored row may predate today's schema). */
  settings: unknown;
  updatedAt: Date;
  updatedBy: string;
}

export async function latestAnalyticsSettings(
  db: Database,
  key: InstallationKey,
): Promise<StoredAnalyticsSettings | null> {
  const [row] = await db
    .select({
      version: analyticsSettings.version,
      settings: analyticsSettings.settings,
      updatedAt: analyticsSettings.updatedAt,
      updatedBy: analyticsSettings.updatedBy,
    })
    .from(analyticsSettings)
    .where(
      and(eq(analyticsSettings.workspaceId, key.workspaceId), eq(analyticsSettings.installationId, key.installationId)),
    )
    .orderBy(desc(analyticsSettings.version))
    .limit(1);
  return row ?? null;
}

/**
 * Saves settings as the installation's next version. The version is taken in the insert itself; two
 * saves at once collide on the key and the later one fails rather than overwriting the other.
 */
export async function saveAnalyticsSettings(
  db: Database,
  key: InstallationKey,
  settings: unknown,
  updatedBy: string,
  at: Date,
): Promise<{ version: number }> {
  const [row] = await rowsOf<{ version: number }>(
    db,
    sql`insert into analytics_settings (workspace_id, installation_id, version, settings, updated_at, updated_by)
        select ${key.workspaceId}, ${key.installationId}, coalesce(max(version), 0) + 1,
               ${JSON.stringify(settings)}::jsonb, ${at.toISOString()}, ${updatedBy}
        from analytics_settings s where ${ofInstallation('s', key)}
        returning version`,
  );
  return { version: Number(row!.version) };
}

export interface StoredRenewalModel {
  version: number;
  /** As saved; the caller parses it (core `parseRenewalModel`). */
  model: unknown;
  trainedAt: Date;
}

export async function latestRenewalModel(db: Database, key: InstallationKey): Promise<StoredRenewalModel | null> {
  const [row] = await db
    .select({ version: renewalModels.version, model: renewalModels.model, trainedAt: renewalModels.trainedAt })
    .from(renewalModels)
    .where(and(eq(renewalModels.workspaceId, key.workspaceId), eq(renewalModels.installationId, key.installationId)))
    .orderBy(desc(renewalModels.version))
    .limit(1);
  return row ?? null;
}

/** Saves a trained model as the installation's next version (the version taken in the insert). */
export async function saveRenewalModel(
  db: Database,
  key: InstallationKey,
  model: unknown,
  trainedAt: Date,
): Promise<{ version: number }> {
  const [row] = await rowsOf<{ version: number }>(
    db,
    sql`insert into renewal_models (workspace_id, installation_id, version, model, trained_at)
        select ${key.workspaceId}, ${key.installationId}, coalesce(max(version), 0) + 1,
               ${JSON.stringify(model)}::jsonb, ${trainedAt.toISOString()}
        from renewal_models m where ${ofInstallation('m', key)}
        returning version`,
  );
  return { version: Number(row!.version) };
}

// ---- what the job writes -----------------------------------------------------------------------

export interface RenewalForecastRow {
  accountExternalId: string;
  renewalDate: string;
  arr: number | null;
  probability: number;
  expectedArr: number;
  revenueAtRisk: number;
  basis: string;
  contributions: unknown;
  healthDrivers: string | null;
  opportunities: unknown;
  bottom20: boolean;
  rank: number;
}

const FORECAST_CHUNK = 500;

/** Replaces the installation's forecast rows whole, in one transaction: readers see the old set or the new one. */
export async function replaceRenewalForecasts(
  db: Database,
  key: InstallationKey,
  rows: readonly RenewalForecastRow[],
  computedAt: Date,
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx
      .delete(renewalForecasts)
      .where(
        and(eq(renewalForecasts.workspaceId, key.workspaceId), eq(renewalForecasts.installationId, key.installationId)),
      );
    for (let start = 0; start < rows.length; start += FORECAST_CHUNK) {
      await tx.insert(renewalForecasts).values(
        rows.slice(start, start + FORECAST_CHUNK).map((row) => ({
          ...key,
          accountExternalId: row.accountExternalId,
          renewalDate: row.renewalDate,
          arr: row.arr === null ? null : row.arr.toFixed(2),
          probability: row.probability,
          expectedArr: row.expectedArr.toFixed(2),
          revenueAtRisk: row.revenueAtRisk.toFixed(2),
          basis: row.basis,
          contributions: row.contributions,
          healthDrivers: row.healthDrivers,
          opportunities: row.opportunities,
          bottom20: row.bottom20,
          rank: row.rank,
          computedAt,
        })),
      );
    }
  });
}

export interface AnalyticsSnapshotInput {
  kind: AnalyticsSnapshotKind;
  payload: unknown;
  sourceVersion: string;
}

/** Upserts the snapshots given, in one transaction; other kinds keep what they had. */
export async function saveAnalyticsSnapshots(
  db: Database,
  key: InstallationKey,
  snapshots: readonly AnalyticsSnapshotInput[],
  computedAt: Date,
): Promise<void> {
  if (snapshots.length === 0) return;
  await db.transaction(async (tx) => {
    for (const snapshot of snapshots) {
      await tx
        .insert(analyticsSnapshots)
        .values({
          ...key,
          kind: snapshot.kind,
          payload: snapshot.payload,
          sourceVersion: snapshot.sourceVersion,
          computedAt,
        })
        .onConflictDoUpdate({
          target: [analyticsSnapshots.workspaceId, analyticsSnapshots.installationId, analyticsSnapshots.kind],
          set: { payload: snapshot.payload, sourceVersion: snapshot.sourceVersion, computedAt },
        });
    }
  });
}

export async function analyticsSnapshot(
  db: Database,
  key: InstallationKey,
  kind: AnalyticsSnapshotKind,
): Promise<{ payload: unknown; computedAt: Date; sourceVersion: string } | null> {
  const [row] = await db
    .select({
      payload: analyticsSnapshots.payload,
      computedAt: analyticsSnapshots.computedAt,
      sourceVersion: analyticsSnapshots.sourceVersion,
    })
    .from(analyticsSnapshots)
    .where(
      and(
        eq(analyticsSnapshots.workspaceId, key.workspaceId),
        eq(analyticsSnapshots.installationId, key.installationId),
        eq(analyticsSnapshots.kind, kind),
      ),
    );
  return row ?? null;
}

/** The installation's forecast rows, least likely to renew first. */
export async function renewalForecastRows(db: Database, key: InstallationKey) {
  return db
    .select()
    .from(renewalForecasts)
    .where(
      and(eq(renewalForecasts.workspaceId, key.workspaceId), eq(renewalForecasts.installationId, key.installationId)),
    )
    .orderBy(renewalForecasts.rank);
}

// ---- what the job reads ------------------------------------------------------------------------

/** An account's current health as the score job left it; nulls before its first score. */
export interface CurrentHealthFacts {
  /** The effective (override-aware) score, unrounded, and band. */
  score: number | null;
  band: 'red' | 'yellow' | 'green' | null;
  trend: 'improving' | 'stable' | 'declining' | null;
  /** The drivers in words, as written to the CRM. */
  drivers: string | null;
  /** The renewal figures written beside the score (probability 0–1). */
  renewalProbability: number | null;
  revenueAtRisk: number | null;
  /** The latest windowed signal values (account_signals). */
  signals: Record<string, number | boolean | null>;
}

export interface UpcomingRenewalRow {
  accountExternalId: string;
  name: string | null;
  segment: string | null;
  csmExternalId: string | null;
  /** The CSM's name from the CRM's owners, when known. */
  csmName: string | null;
  arr: number | null;
  licences: number | null;
  renewalDate: string;
  health: CurrentHealthFacts;
}

/** The health columns every health-reading loader selects (aliases a, h, c, s). */
const healthColumns = sql`
  coalesce((h.explanation #>> '{health,effective,score}')::float8, h.score) as score,
  coalesce(h.explanation #>> '{health,effective,band}', c.values ->> 'health_band', h.band) as band,
  h.trend as trend,
  c.values ->> 'health_drivers' as drivers,
  (c.values ->> 'renewal_probability')::float8 as renewal_probability,
  (c.values ->> 'revenue_at_risk')::float8 as revenue_at_risk,
  s.values as signals`;

const healthJoins = sql`
  left join account_health h
    on h.workspace_id = a.workspace_id and h.installation_id = a.installation_id and h.account_external_id = a.external_id
  left join account_health_current c
    on c.workspace_id = a.workspace_id and c.installation_id = a.installation_id and c.account_external_id = a.external_id
  left join account_signals s
    on s.workspace_id = a.workspace_id and s.installation_id = a.installation_id and s.account_external_id = a.external_id`;

function healthOf(row: Record<string, unknown>): CurrentHealthFacts {
  const probability = numOrNull(row.renewal_probability);
  return {
    score: numOrNull(row.score),
    band: bandOf(row.band),
    trend: trendOf(row.trend),
    drivers: textOrNull(row.drivers),
    // Written to the CRM as a whole percentage.
    renewalProbability: probability === null ? null : probability / 100,
    revenueAtRisk: numOrNull(row.revenue_at_risk),
    signals: jsonOf<Record<string, number | boolean | null>>(row.signals, {}),
  };
}

/** Customers are the accounts the CRM does not call churned (an unknown status counts as a customer). */
const isCustomer = sql`(a.customer_status is null or a.customer_status <> 'churned')`;

/**
 * Current customers whose renewal day falls in [from, to) (ISO days), with their current health and
 * CSM: what the renewal forecast predicts.
 */
export async function upcomingRenewals(
  db: Database,
  key: InstallationKey,
  window: { from: string; to: string },
): Promise<UpcomingRenewalRow[]> {
  const rows = await rowsOf<Record<string, unknown>>(
    db,
    sql`select a.external_id, a.name, a.segment, a.csm_external_id, o.name as csm_name, a.arr, a.licences,
               a.renewal_date, ${healthColumns}
        from accounts a
        ${healthJoins}
        left join owners o
          on o.workspace_id = a.workspace_id and o.installation_id = a.installation_id
         and o.external_id = a.csm_external_id and not o.archived
        where ${ofInstallation('a', key)} and not a.archived and ${isCustomer}
          and a.renewal_date >= ${window.from}::date and a.renewal_date < ${window.to}::date
        order by a.renewal_date, a.external_id`,
  );
  return rows.map((row) => ({
    accountExternalId: String(row.external_id),
    name: textOrNull(row.name),
    segment: textOrNull(row.segment),
    csmExternalId: textOrNull(row.csm_external_id),
    csmName: textOrNull(row.csm_name),
    arr: numOrNull(row.arr),
    licences: numOrNull(row.licences),
    renewalDate: dayText(row.renewal_date),
    health: healthOf(row),
  }));
}

/** A deal as retention, intake and training read it. */
export interface AccountDealRow {
  kind: 'new_business' | 'renewal' | 'expansion' | 'other';
  stage: 'open' | 'won' | 'lost';
  amount: number | null;
  /** ISO day; for an open deal the expected close. */
  closeDate: string | null;
  createdAt: string | null;
}

export interface AccountWithDeals {
  accountExternalId: string;
  segment: string | null;
  csmExternalId: string | null;
  arr: number | null;
  licences: number | null;
  status: 'active' | 'churned' | 'other' | null;
  createdAt: string | null;
  deals: AccountDealRow[];
}

/**
 * Every account of the installation, former customers included (retention needs the ones that
 * left), with all its deals, oldest first.
 */
export async function accountsWithDeals(db: Database, key: InstallationKey): Promise<AccountWithDeals[]> {
  const rows = await rowsOf<Record<string, unknown>>(
    db,
    sql`select a.external_id, a.segment, a.csm_external_id, a.arr, a.licences, a.customer_status, a.created_at_crm,
               coalesce(d.deals, '[]'::jsonb) as deals
        from accounts a
        left join (
          select d.account_external_id,
                 jsonb_agg(jsonb_build_array(d.kind, d.stage, d.amount, d.close_date, d.created_at_crm)
                           order by d.close_date nulls last, d.external_id) as deals
          from deals d
          where ${ofInstallation('d', key)} and not d.archived and d.account_external_id is not null
          group by d.account_external_id
        ) d on d.account_external_id = a.external_id
        where ${ofInstallation('a', key)} and not a.archived
        order by a.external_id`,
  );
  return rows.map((row) => ({
    accountExternalId: String(row.external_id),
    segment: textOrNull(row.segment),
    csmExternalId: textOrNull(row.csm_external_id),
    arr: numOrNull(row.arr),
    licences: numOrNull(row.licences),
    status: (row.customer_status as AccountWithDeals['status']) ?? null,
    createdAt: row.created_at_crm === null ? null : new Date(row.created_at_crm as string | Date).toISOString(),
    deals: jsonOf<[AccountDealRow['kind'], AccountDealRow['stage'], unknown, unknown, string | null][]>(
      row.deals,
      [],
    ).map(
      // jsonb holds the created stamp as text.
      ([kind, stage, amount, closeDate, createdAt]: [
        AccountDealRow['kind'],
        AccountDealRow['stage'],
        unknown,
        unknown,
        string | null,
      ]) => ({
        kind,
        stage,
        amount: numOrNull(amount),
        closeDate: dayOrNull(closeDate),
        createdAt: createdAt === null ? null : new Date(createdAt).toISOString(),
      }),
    ),
  }));
}

export interface NpsResponseRow {
  accountExternalId: string;
  contactExternalId: string | null;
  score: number;
  verbatim: string | null;
  respondedAt: Date;
  /** The account's segment, CSM, ARR and licences today (for the by-segment, by-CSM and by-tier views). */
  segment: string | null;
  csmExternalId: string | null;
  arr: number | null;
  licences: number | null;
}

/** NPS answers responded in [from, to), with their account's segment and CSM; answers of archived accounts stay out. */
export async function npsResponses(
  db: Database,
  key: InstallationKey,
  window: { from: Date; to: Date },
): Promise<NpsResponseRow[]> {
  const rows = await rowsOf<Record<string, unknown>>(
    db,
    sql`select r.account_external_id, r.contact_external_id, r.score, r.verbatim, r.responded_at,
               a.segment, a.csm_external_id, a.arr, a.licences
        from survey_responses r
        join accounts a
          on a.workspace_id = r.workspace_id and a.installation_id = r.installation_id
         and a.external_id = r.account_external_id and not a.archived
        where ${ofInstallation('r', key)} and r.kind = 'nps'
          and r.responded_at >= ${window.from.toISOString()} and r.responded_at < ${window.to.toISOString()}
        order by r.responded_at, r.client_id`,
  );
  return rows.map((row) => ({
    accountExternalId: String(row.account_external_id),
    contactExternalId: textOrNull(row.contact_external_id),
    score: Number(row.score),
    verbatim: textOrNull(row.verbatim),
    respondedAt: new Date(row.responded_at as string | Date),
    segment: textOrNull(row.segment),
    csmExternalId: textOrNull(row.csm_external_id),
    arr: numOrNull(row.arr),
    licences: numOrNull(row.licences),
  }));
}

export interface PortfolioAccountRow {
  accountExternalId: string;
  segment: string | null;
  csmExternalId: string | null;
  csmName: string | null;
  arr: number | null;
  licences: number | null;
  renewalDate: string | null;
  health: CurrentHealthFacts;
}

/** Current customers with their CSM and current health: what portfolios and staffing count. */
export async function portfolioAccounts(db: Database, key: InstallationKey): Promise<PortfolioAccountRow[]> {
  const rows = await rowsOf<Record<string, unknown>>(
    db,
    sql`select a.external_id, a.segment, a.csm_external_id, o.name as csm_name, a.arr, a.licences, a.renewal_date,
               ${healthColumns}
        from accounts a
        ${healthJoins}
        left join owners o
          on o.workspace_id = a.workspace_id and o.installation_id = a.installation_id
         and o.external_id = a.csm_external_id and not o.archived
        where ${ofInstallation('a', key)} and not a.archived and ${isCustomer}
        order by a.external_id`,
  );
  return rows.map((row) => ({
    accountExternalId: String(row.external_id),
    segment: textOrNull(row.segment),
    csmExternalId: textOrNull(row.csm_external_id),
    csmName: textOrNull(row.csm_name),
    arr: numOrNull(row.arr),
    licences: numOrNull(row.licences),
    renewalDate: dayOrNull(row.renewal_date),
    health: healthOf(row),
  }));
}

/** The first day the installation has product usage for, or null: how far back a replay can see usage. */
export async function firstUsageDay(db: Database, key: InstallationKey): Promise<string | null> {
  const [row] = await rowsOf<{ first: unknown }>(
    db,
    sql`select min(u.date) as first from usage_daily u where ${ofInstallation('u', key)}`,
  );
  return dayOrNull(row?.first ?? null);
}
