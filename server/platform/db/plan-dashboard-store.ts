import { sql, type SQL } from 'drizzle-orm';
import type { Database } from './database.ts';
import type { InstallationKey } from './sync-store.ts';

/**
 * The dashboard's reads of lifecycle stages and success plans across an installation's book: a
 * fingerprint of what changed (for the answers cache), every account in the CRM with its current
 * stay, the active plans with their objectives counted by status, and for the plans shown the
 * objectives behind or missed and the next milestone. A handful of statements per answer, none per
 * account; each is scoped by workspace and installation. Stored JSON (an objective's metric) comes
 * back unparsed: the HTTP layer checks it.
 */

type Row = Record<string, unknown>;

async function rowsOf(db: Database, query: SQL): Promise<Row[]> {
  const result: unknown = await db.execute(query);
  return (result as { rows: Row[] }).rows;
}

const ofInstallation = (alias: string, key: InstallationKey) =>
  sql`${sql.raw(alias)}.workspace_id = ${key.workspaceId} and ${sql.raw(alias)}.installation_id = ${key.installationId}`;
const sameInstallation = (left: string, right: string) =>
  sql`${sql.raw(left)}.workspace_id = ${sql.raw(right)}.workspace_id and ${sql.raw(left)}.installation_id = ${sql.raw(right)}.installation_id`;
const idList = (ids: readonly string[]) =>
  sql.join(
    ids.map((id) => sql`${id}`),
    sql`, `,
  );

const numOrNull = (value: unknown): number | null => {
  if (value === null || value === undefined) return null;
  const number = Number(value);
  return Number.isFinite(number) ? number : null;
};
const textOrNull = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const instantOrNull = (value: unknown): Date | null => {
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : null;
  if (date === null) return null;
  return Number.isNaN(date.getTime()) ? null : date;
};
const instantOf = (value: unknown): Date => instantOrNull(value) ?? new Date(Number.NaN);
/** jsonb arrives parsed from node-postgres and PGlite; text from anything else. */
const jsonOf = (value: unknown): unknown => (typeof value === 'string' ? (JSON.parse(value) as unknown) : value);

const STAGES = new Set(['onboarding', 'adoption', 'value', 'renewal', 'at_risk', 'churned']);
export type StageName = 'onboarding' | 'adoption' | 'value' | 'renewal' | 'at_risk' | 'churned';
const stageOrNull = (value: unknown): StageName | null => (STAGES.has(value as string) ? (value as StageName) : null);

export interface PlansState {
  /** Stays recorded; none means the score run has not staged this installation yet. */
  stays: number;
  plans: number;
  /** When the plans were last read from the signals; null before the first reading. */
  lastReadAt: Date | null;
  /** When an account last entered a stage. */
  lastEnteredAt: Date | null;
  /** Changes whenever a stay, a plan, a reading or a reached milestone does. */
  version: string;
}

/** An account in the CRM (archived left out) with its current stay, if it has one. */
export interface StagedAccount {
  id: string;
  name: string | null;
  segment: string | null;
  csmId: string | null;
  arr: number | null;
  licences: number | null;
  churned: boolean;
  stage: StageName | null;
  enteredAt: Date | null;
}

export interface ObjectiveCounts {
  on_track: number;
  behind: number;
  achieved: number;
  missed: number;
  no_data: number;
}

export interface ActivePlanRow {
  id: string;
  accountId: string;
  name: string;
  stage: StageName;
  startedAt: Date;
  objectives: ObjectiveCounts;
}

export interface LateObjectiveRow {
  planId: string;
  key: string;
  title: string;
  status: 'behind' | 'missed';
  metric: unknown;
  comparator: 'gte' | 'lte';
  target: number;
  value: number | null;
  expected: number | null;
  dueAt: Date;
}

export interface NextMilestoneRow {
  planId: string;
  key: string;
  title: string;
  dueAt: Date;
}

export function planDashboardStore(db: Database) {
  return {
    async state(key: InstallationKey): Promise<PlansState> {
      const [row] = await rowsOf(
        db,
        sql`select
              (select count(*) from account_stage_history h where ${ofInstallation('h', key)}) as stays,
              (select max(h.entered_at) from account_stage_history h where ${ofInstallation('h', key)}) as entered,
              (select max(h.left_at) from account_stage_history h where ${ofInstallation('h', key)}) as left_at,
              (select count(*) from success_plans p where ${ofInstallation('p', key)}) as plans,
              (select count(*) from success_plans p where ${ofInstallation('p', key)} and p.status = 'active') as active,
              (select max(p.read_at) from success_plans p where ${ofInstallation('p', key)}) as read_at,
              (select max(p.closed_at) from success_plans p where ${ofInstallation('p', key)}) as closed_at,
              (select max(m.reached_at) from plan_milestones m where ${ofInstallation('m', key)}) as reached_at,
              (select count(*) from plan_milestones m where ${ofInstallation('m', key)} and m.reached_at is not null) as reached`,
      );
      const stamp = (value: unknown) => instantOrNull(value)?.getTime() ?? '';
      return {
        stays: Number(row?.stays ?? 0),
        plans: Number(row?.plans ?? 0),
        lastReadAt: instantOrNull(row?.read_at),
        lastEnteredAt: instantOrNull(row?.entered),
        version: [
          row?.stays,
          stamp(row?.entered),
          stamp(row?.left_at),
          row?.plans,
          row?.active,
          stamp(row?.read_at),
          stamp(row?.closed_at),
          stamp(row?.reached_at),
          row?.reached,
        ].join('|'),
      };
    },

    /** Every account in the CRM (archived left out), with its current stay if it has one. */
    async accounts(key: InstallationKey): Promise<StagedAccount[]> {
      const rows = await rowsOf(
        db,
        sql`select a.external_id, a.name, a.segment, a.csm_external_id, a.arr, a.licences, a.customer_status,
                   h.stage, h.entered_at
            from accounts a
            left join account_stage_history h
              on ${sameInstallation('h', 'a')} and h.account_external_id = a.external_id and h.left_at is null
            where ${ofInstallation('a', key)} and not a.archived`,
      );
      return rows.map((row) => ({
        id: String(row.external_id),
        name: textOrNull(row.name),
        segment: textOrNull(row.segment),
        csmId: textOrNull(row.csm_external_id),
        arr: numOrNull(row.arr),
        licences: numOrNull(row.licences),
        churned: row.customer_status === 'churned',
        stage: stageOrNull(row.stage),
        enteredAt: instantOrNull(row.entered_at),
      }));
    },

    /** Active plans with their objectives counted by status. */
    async activePlans(key: InstallationKey): Promise<ActivePlanRow[]> {
      const rows = await rowsOf(
        db,
        sql`select p.id, p.account_external_id, p.name, p.stage, p.started_at,
                   count(o.key) filter (where o.status = 'on_track') as on_track,
                   count(o.key) filter (where o.status = 'behind') as behind,
                   count(o.key) filter (where o.status = 'achieved') as achieved,
                   count(o.key) filter (where o.status = 'missed') as missed,
                   count(o.key) filter (where o.status = 'no_data') as no_data
            from success_plans p
            left join plan_objectives o on ${sameInstallation('o', 'p')} and o.plan_id = p.id
            where ${ofInstallation('p', key)} and p.status = 'active'
            group by p.workspace_id, p.installation_id, p.id`,
      );
      return rows.flatMap((row) => {
        const stage = stageOrNull(row.stage);
        if (stage === null) return [];
        return [
          {
            id: String(row.id),
            accountId: String(row.account_external_id),
            name: String(row.name),
            stage,
            startedAt: instantOf(row.started_at),
            objectives: {
              on_track: Number(row.on_track),
              behind: Number(row.behind),
              achieved: Number(row.achieved),
              missed: Number(row.missed),
              no_data: Number(row.no_data),
            },
          },
        ];
      });
    },

    /**
     * The objectives behind or missed, in plan order, and each plan's earliest milestone not reached,
     * of these active plans (null: of every active plan, for an export).
     */
    async lateDetails(
      key: InstallationKey,
      planIds: readonly string[] | null,
    ): Promise<{ objectives: LateObjectiveRow[]; milestones: NextMilestoneRow[] }> {
      if (planIds?.length === 0) return { objectives: [], milestones: [] };
      const ofPlans = (alias: string) =>
        planIds === null ? sql`true` : sql`${sql.raw(alias)}.plan_id in (${idList(planIds)})`;
      const [objectives, milestones] = await Promise.all([
        rowsOf(
          db,
          sql`select o.plan_id, o.key, o.title, o.status, o.metric, o.comparator, o.target, o.value, o.expected, o.due_at
              from plan_objectives o
              join success_plans p on ${sameInstallation('p', 'o')} and p.id = o.plan_id and p.status = 'active'
              where ${ofInstallation('o', key)} and ${ofPlans('o')} and o.status in ('behind', 'missed')
              order by o.plan_id, o.position`,
        ),
        rowsOf(
          db,
          sql`select distinct on (m.plan_id) m.plan_id, m.key, m.title, m.due_at
              from plan_milestones m
              join success_plans p on ${sameInstallation('p', 'm')} and p.id = m.plan_id and p.status = 'active'
              where ${ofInstallation('m', key)} and ${ofPlans('m')} and m.reached_at is null
              order by m.plan_id, m.due_at, m.position`,
        ),
      ]);
      return {
        objectives: objectives.map((row) => ({
          planId: String(row.plan_id),
          key: String(row.key),
          title: String(row.title),
          status: row.status === 'missed' ? 'missed' : 'behind',
          metric: jsonOf(row.metric),
          comparator: row.comparator === 'lte' ? 'lte' : 'gte',
          target: Number(row.target),
          value: numOrNull(row.value),
          expected: numOrNull(row.expected),
          dueAt: instantOf(row.due_at),
        })),
        milestones: milestones.map((row) => ({
          planId: String(row.plan_id),
          key: String(row.key),
          title: String(row.title),
          dueAt: instantOf(row.due_at),
        })),
      };
    },
  };
}

export type PlanDashboardStore = ReturnType<typeof planDashboardStore>;
