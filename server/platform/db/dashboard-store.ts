import { sql, type SQL } from 'drizzle-orm';
import type { Database } from './database.ts';
import type { InstallationKey } from './sync-store.ts';

/**
 * The dashboard's reads: the analytics job's snapshots (only the part a view needs, cut out in SQL so a
 * large payload is not shipped whole), the forecast rows, the book of current customers with their
 * effective health, owners' names and the warnings inbox. Every statement is scoped by workspace and
 * installation and reads one installation's rows by their key prefix. Payloads come back unparsed: the
 * HTTP layer checks them against the core's shapes and answers a clear error for a corrupt one.
 */

async function rowsOf<T>(db: Database, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query);
  return (result as { rows: T[] }).rows;
}

const ofInstallation = (alias: string, key: InstallationKey) =>
  sql`${sql.raw(alias)}.workspace_id = ${key.workspaceId} and ${sql.raw(alias)}.installation_id = ${key.installationId}`;

const numOrNull = (value: unknown): number | null => {
  if (value === null || value === undefined) return null;
  const number = Number(value);
  return Number.isFinite(number) ? number : null;
};
const textOrNull = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const dayText = (value: unknown): string =>
  value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10);
const instantOf = (value: unknown): Date => (value instanceof Date ? value : new Date(String(value)));
/** jsonb arrives parsed from node-postgres and PGlite; text from anything else. */
const jsonOf = (value: unknown): unknown => (typeof value === 'string' ? (JSON.parse(value) as unknown) : value);

/** A Postgres text[] literal of a JSON path: `{"months"}`; the steps are the code's own names. */
const pathLiteral = (path: readonly string[]) =>
  `{${path.map((step) => `"${step.replace(/["\\{},]/g, '')}"`).join(',')}}`;

const BANDS = new Set(['red', 'yellow', 'green']);
export type Band = 'red' | 'yellow' | 'green';
const bandOf = (value: unknown): Band | null => (BANDS.has(value as string) ? (value as Band) : null);

export type SnapshotKind = 'forecast' | 'retention' | 'nps' | 'portfolio' | 'staffing';

export interface SnapshotParts {
  computedAt: Date;
  sourceVersion: string;
  /** The parts of the payload asked for, in order; null where the payload holds nothing. */
  parts: unknown[];
}

/** A current customer as the portfolio and team views count them. */
export interface BookAccount {
  id: string;
  name: string | null;
  segment: string | null;
  csmId: string | null;
  arr: number | null;
  licences: number | null;
  renewalDate: string | null;
  /** The effective score (override included) as written to the CRM, and its band; null before a score. */
  score: number | null;
  band: Band | null;
  /** ARR × (1 − renewal probability) as written beside the score. */
  revenueAtRisk: number | null;
}

/** A forecast renewal with what the filters read about its account. */
export interface ForecastRow {
  accountId: string;
  name: string | null;
  segment: string | null;
  csmId: string | null;
  licences: number | null;
  /** The account's ARR today, which tiers read (the forecast's own ARR may be null). */
  accountArr: number | null;
  renewalDate: string;
  arr: number | null;
  probability: number;
  expectedArr: number;
  revenueAtRisk: number;
  bottom20: boolean;
  rank: number;
  /** Only for the bottom 20 % (the table shows them); null for the rest. */
  contributions: unknown;
  opportunities: unknown;
  healthDrivers: string | null;
  computedAt: Date;
}

export interface InboxFilters {
  severity?: 'high' | 'medium' | 'low' | undefined;
  rule?: string | undefined;
  csm?: string | undefined;
}

export interface InboxRow {
  id: string;
  accountId: string;
  accountName: string | null;
  rule: string;
  severity: 'high' | 'medium' | 'low';
  title: string;
  evidence: unknown;
  csmId: string | null;
  openedAt: Date;
  lastSeenAt: Date;
}

/** `none` as a CSM filter: the accounts nobody is assigned to. */
export const UNASSIGNED_CSM = 'none';

export function dashboardStore(db: Database) {
  return {
    async workspace(workspaceId: string): Promise<{ id: string; name: string } | null> {
      const [row] = await rowsOf<{ id: string; name: string }>(
        db,
        sql`select id, name from workspaces where id = ${workspaceId}`,
      );
      return row ?? null;
    },

    /**
     * One snapshot's time and the parts of its payload at the JSON paths asked for (`['overall']`,
     * `['months']`), so a large payload is not shipped whole; null when the analytics job has not
     * written that kind yet. A path the payload does not hold reads as null.
     */
    async snapshot(
      key: InstallationKey,
      kind: SnapshotKind,
      paths: readonly (readonly string[])[],
    ): Promise<SnapshotParts | null> {
      const selected = paths.map(
        (path, index) => sql`s.payload #> ${pathLiteral(path)}::text[] as ${sql.raw(`p${index}`)}`,
      );
      const [row] = await rowsOf<Record<string, unknown>>(
        db,
        sql`select s.computed_at, s.source_version${selected.length > 0 ? sql`, ${sql.join(selected, sql`, `)}` : sql``}
            from analytics_snapshots s
            where ${ofInstallation('s', key)} and s.kind = ${kind}`,
      );
      if (!row) return null;
      return {
        computedAt: instantOf(row.computed_at),
        sourceVersion: String(row.source_version),
        parts: paths.map((_, index) => {
          const value = row[`p${index}`];
          // Drivers hand jsonb over parsed; a scalar part is already its value (a string stays a string).
          return value === undefined ? null : value;
        }),
      };
    },

    /** Current customers (archived and churned left out) with their effective health and written risk. */
    async book(key: InstallationKey): Promise<BookAccount[]> {
      const rows = await rowsOf<Record<string, unknown>>(
        db,
        sql`select a.external_id, a.name, a.segment, a.csm_external_id, a.arr, a.licences, a.renewal_date,
                   c.values ->> 'health_score' as score, c.values ->> 'health_band' as band,
                   c.values ->> 'revenue_at_risk' as revenue_at_risk
            from accounts a
            left join account_health_current c
              on c.workspace_id = a.workspace_id and c.installation_id = a.installation_id
             and c.account_external_id = a.external_id
            where ${ofInstallation('a', key)} and not a.archived
              and (a.customer_status is null or a.customer_status <> 'churned')`,
      );
      return rows.map((row) => ({
        id: String(row.external_id),
        name: textOrNull(row.name),
        segment: textOrNull(row.segment),
        csmId: textOrNull(row.csm_external_id),
        arr: numOrNull(row.arr),
        licences: numOrNull(row.licences),
        renewalDate: row.renewal_date === null || row.renewal_date === undefined ? null : dayText(row.renewal_date),
        score: numOrNull(row.score),
        band: bandOf(row.band),
        revenueAtRisk: numOrNull(row.revenue_at_risk),
      }));
    },

    /** Owners' names by CRM id (archived owners keep their name: old books still name them). */
    async ownerNames(key: InstallationKey): Promise<Map<string, string | null>> {
      const rows = await rowsOf<Record<string, unknown>>(
        db,
        sql`select o.external_id, coalesce(o.name, nullif(trim(concat_ws(' ', o.first_name, o.last_name)), ''), o.email) as name
            from owners o where ${ofInstallation('o', key)}`,
      );
      return new Map(rows.map((row) => [String(row.external_id), textOrNull(row.name)]));
    },

    /** The forecast rows, least likely first, with the account facts the filters read. */
    async forecastRows(key: InstallationKey): Promise<ForecastRow[]> {
      const rows = await rowsOf<Record<string, unknown>>(
        db,
        sql`select f.account_external_id, a.name, a.segment, a.csm_external_id, a.licences, a.arr as account_arr,
                   f.renewal_date, f.arr, f.probability, f.expected_arr, f.revenue_at_risk, f.bottom20, f.rank,
                   case when f.bottom20 then f.contributions end as contributions,
                   case when f.bottom20 then f.opportunities end as opportunities,
                   case when f.bottom20 then f.health_drivers end as health_drivers,
                   f.computed_at
            from renewal_forecasts f
            left join accounts a
              on a.workspace_id = f.workspace_id and a.installation_id = f.installation_id
             and a.external_id = f.account_external_id
            where ${ofInstallation('f', key)}
            order by f.rank`,
      );
      return rows.map((row) => ({
        accountId: String(row.account_external_id),
        name: textOrNull(row.name),
        segment: textOrNull(row.segment),
        csmId: textOrNull(row.csm_external_id),
        licences: numOrNull(row.licences),
        accountArr: numOrNull(row.account_arr),
        renewalDate: dayText(row.renewal_date),
        arr: numOrNull(row.arr),
        probability: Number(row.probability),
        expectedArr: Number(row.expected_arr),
        revenueAtRisk: Number(row.revenue_at_risk),
        bottom20: row.bottom20 === true,
        rank: Number(row.rank),
        contributions: row.contributions === null ? null : jsonOf(row.contributions),
        opportunities: row.opportunities === null ? null : jsonOf(row.opportunities),
        healthDrivers: textOrNull(row.health_drivers),
        computedAt: instantOf(row.computed_at),
      }));
    },

    /** The latest renewal model, unparsed. */
    async latestModel(key: InstallationKey): Promise<{ version: number; model: unknown; trainedAt: Date } | null> {
      const [row] = await rowsOf<Record<string, unknown>>(
        db,
        sql`select m.version, m.model, m.trained_at from renewal_models m
            where ${ofInstallation('m', key)} order by m.version desc limit 1`,
      );
      if (!row) return null;
      return { version: Number(row.version), model: jsonOf(row.model), trainedAt: instantOf(row.trained_at) };
    },

    /** The latest analytics settings, unparsed; null while the installation uses the defaults. */
    async settings(
      key: InstallationKey,
    ): Promise<{ version: number; settings: unknown; updatedAt: Date; updatedBy: string } | null> {
      const [row] = await rowsOf<Record<string, unknown>>(
        db,
        sql`select s.version, s.settings, s.updated_at, s.updated_by from analytics_settings s
            where ${ofInstallation('s', key)} order by s.version desc limit 1`,
      );
      if (!row) return null;
      return {
        version: Number(row.version),
        settings: jsonOf(row.settings),
        updatedAt: instantOf(row.updated_at),
        updatedBy: String(row.updated_by),
      };
    },

    /**
     * Open warnings, newest first, one page of them with the count of all that match, and the rules
     * that have any open (for the filter menu).
     */
    async warningsInbox(
      key: InstallationKey,
      filters: InboxFilters,
      page: { limit: number; offset: number },
    ): Promise<{ total: number; rows: InboxRow[]; rules: string[] }> {
      const conditions = [sql`${ofInstallation('w', key)}`, sql`w.status = 'open'`];
      if (filters.severity) conditions.push(sql`w.severity = ${filters.severity}`);
      if (filters.rule) conditions.push(sql`w.rule = ${filters.rule}`);
      if (filters.csm === UNASSIGNED_CSM) conditions.push(sql`w.csm_external_id is null`);
      else if (filters.csm) conditions.push(sql`w.csm_external_id = ${filters.csm}`);
      const where = sql.join(conditions, sql` and `);
      const [rows, totals, rules] = await Promise.all([
        rowsOf<Record<string, unknown>>(
          db,
          sql`select w.id, w.account_external_id, a.name as account_name, w.rule, w.severity, w.title, w.evidence,
                     w.csm_external_id, w.opened_at, w.last_seen_at
              from warnings w
              left join accounts a
                on a.workspace_id = w.workspace_id and a.installation_id = w.installation_id
               and a.external_id = w.account_external_id
              where ${where}
              order by w.opened_at desc, w.id
              limit ${page.limit} offset ${page.offset}`,
        ),
        rowsOf<{ total: unknown }>(db, sql`select count(*) as total from warnings w where ${where}`),
        rowsOf<{ rule: string }>(
          db,
          sql`select distinct w.rule from warnings w where ${ofInstallation('w', key)} and w.status = 'open' order by w.rule`,
        ),
      ]);
      return {
        total: Number(totals[0]?.total ?? 0),
        rows: rows.map((row) => ({
          id: String(row.id),
          accountId: String(row.account_external_id),
          accountName: textOrNull(row.account_name),
          rule: String(row.rule),
          severity: row.severity as InboxRow['severity'],
          title: String(row.title),
          evidence: jsonOf(row.evidence),
          csmId: textOrNull(row.csm_external_id),
          openedAt: instantOf(row.opened_at),
          lastSeenAt: instantOf(row.last_seen_at),
        })),
        rules: rules.map((row) => row.rule),
      };
    },
  };
}

export type DashboardStore = ReturnType<typeof dashboardStore>;
