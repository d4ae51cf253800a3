import type { Request, RequestHandler, Response } from 'express';
import {
  PLAN_STAGES,
  type LateObjective,
  type PlanBehind,
  type Plans,
  type PlansByCsm,
  type PlansBySegment,
  type StageSlice,
} from '../../contracts/dashboard.ts';
import { milestoneStatus } from '../../core/plans/plan-model.ts';
import { daysInStage, LIFECYCLE_STAGES, STAGE_LABELS } from '../../core/plans/stages.ts';
import { touchTierOf } from '../../core/revenue/touch-model.ts';
import type { InstallationKey } from '../../platform/db/sync-store.ts';
import {
  planDashboardStore,
  type ActivePlanRow,
  type LateObjectiveRow,
  type NextMilestoneRow,
  type StagedAccount,
} from '../../platform/db/plan-dashboard-store.ts';
import { passes } from './book.ts';
import { sendCsv, wantsCsv, type CsvColumn } from './csv.ts';
import { definition } from './definitions.ts';
import { answerKey, callerOf, type DashboardContext } from './deps.ts';
import { metricBareText, metricValueText, targetText } from '../../core/plans/metric-text.ts';
import { storedMetric } from './plan-text.ts';
import { figureQuery, type FigureQuery } from './query.ts';
import { isoDay, pendingCsv, pendingFigure, sendJson, sendJsonText } from './respond.ts';
import { settingsInForce } from './settings.ts';

type Ready = Extract<Plans, { status: 'ready' }>;

// The contract spells the core's stages out for the web app; this fails to compile if they drift apart.
const SAME_STAGES: readonly (typeof LIFECYCLE_STAGES)[number][] = PLAN_STAGES;
void SAME_STAGES;

const WHAT = 'lifecycle stages and success plans';

const roundMoney = (value: number, decimals: number) => {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
};
const shareOf = (part: number, whole: number) => (whole === 0 ? null : part / whole);
const isBehind = (plan: ActivePlanRow) => plan.objectives.behind + plan.objectives.missed > 0;

const DEFINITIONS = [
  definition(
    'lifecycle_stage',
    'Each account’s stage (onboarding, adoption, value, renewal, at risk, churned) is derived with every score run from contract dates, usage, deals and health by the installation’s stage rules. Days in stage count from when the account entered the stage it is in.',
  ),
  definition(
    'objective_status',
    'Read from the signals after each score run: achieved once the target is met by its due date; on track while the value is at or past the straight line from its first reading to the target; behind when short of that line; missed when the due date has passed short of the target; no data while the signal has no reading.',
  ),
  definition(
    'plans_behind',
    'Active plans with at least one objective behind or missed. Share: plans behind ÷ active plans of the CSM or segment.',
  ),
];

/* ------------------------------------------------------------------ CSV tables */

const objectiveText = (objective: LateObjective) =>
  `${objective.title}: ${objective.valueText} (target ${objective.targetText}${
    objective.status === 'missed'
      ? ', missed'
      : objective.expectedText
        ? `, expected ${objective.expectedText} by now`
        : ''
  })`;

const BEHIND_COLUMNS: CsvColumn<PlanBehind>[] = [
  { header: 'Account id', value: (row) => row.accountId },
  { header: 'Account', value: (row) => row.accountName },
  { header: 'CSM', value: (row) => row.csmName ?? row.csmId },
  { header: 'Segment', value: (row) => row.segment },
  { header: 'ARR', value: (row) => row.arr },
  { header: 'Plan', value: (row) => row.planName },
  { header: 'Stage', value: (row) => row.stageLabel },
  { header: 'Days in stage', value: (row) => row.daysInStage },
  { header: 'Objectives behind', value: (row) => row.objectives.map(objectiveText).join('; ') },
  { header: 'Next milestone', value: (row) => row.nextMilestone?.title },
  { header: 'Milestone due', value: (row) => (row.nextMilestone ? row.nextMilestone.dueAt.slice(0, 10) : null) },
  { header: 'Milestone overdue', value: (row) => (row.nextMilestone ? row.nextMilestone.overdue : null) },
  { header: 'Plan id', value: (row) => row.planId },
];

const groupColumns = <Row extends PlansByCsm | PlansBySegment>(first: CsvColumn<Row>[]): CsvColumn<Row>[] => [
  ...first,
  { header: 'Active plans', value: (row) => row.plans },
  { header: 'Plans behind', value: (row) => row.plansBehind },
  { header: 'Share behind', value: (row) => row.share },
];

const CSM_COLUMNS = groupColumns<PlansByCsm>([
  { header: 'CSM id', value: (row) => row.csmId ?? '' },
  { header: 'CSM', value: (row) => row.name ?? (row.csmId === null ? 'Unassigned' : '') },
]);
const SEGMENT_COLUMNS = groupColumns<PlansBySegment>([{ header: 'Segment', value: (row) => row.segment ?? '' }]);
const STAGE_COLUMNS: CsvColumn<StageSlice>[] = [
  { header: 'Stage', value: (row) => row.label },
  { header: 'Accounts', value: (row) => row.accounts },
  { header: 'ARR', value: (row) => row.arr },
];

function sendTable(res: Response, table: string, body: Ready, day: string): void {
  if (table === 'csms') sendCsv(res, 'plans-behind-by-csm', CSM_COLUMNS, body.byCsm);
  else if (table === 'segments') sendCsv(res, 'plans-behind-by-segment', SEGMENT_COLUMNS, body.bySegment);
  else if (table === 'stages') sendCsv(res, 'accounts-by-stage', STAGE_COLUMNS, body.stages);
  else sendCsv(res, `plans-behind-${day}`, BEHIND_COLUMNS, body.plansBehind);
}

/* ------------------------------------------------------------------ figures */

interface Group {
  plans: number;
  plansBehind: number;
}

function addTo<K>(groups: Map<K, Group>, key: K, behind: boolean): void {
  const group = groups.get(key) ?? { plans: 0, plansBehind: 0 };
  group.plans += 1;
  if (behind) group.plansBehind += 1;
  groups.set(key, group);
}

/** Most plans behind first, then most plans; the row without a CSM or segment last, ties by name. */
function ranked<K, Row extends Group>(
  groups: Map<K | null, Group>,
  row: (key: K | null, group: Group) => Row,
  name: (row: Row) => string,
  isNone: (row: Row) => boolean,
): Row[] {
  return [...groups.entries()]
    .map(([key, group]) => row(key, group))
    .sort(
      (a, b) =>
        Number(isNone(a)) - Number(isNone(b)) ||
        b.plansBehind - a.plansBehind ||
        b.plans - a.plans ||
        name(a).localeCompare(name(b)),
    );
}

function lateObjective(req: Request, row: LateObjectiveRow): LateObjective {
  const metric = storedMetric(req, { planId: row.planId, key: row.key }, row.metric);
  return {
    key: row.key,
    title: row.title,
    status: row.status,
    comparator: row.comparator,
    target: row.target,
    value: row.value,
    expected: row.expected,
    dueAt: row.dueAt.toISOString(),
    valueText: metricValueText(metric, row.value),
    targetText: targetText(metric, row.comparator, row.target),
    expectedText: row.expected === null ? null : metricBareText(metric, row.expected),
  };
}

async function buildPlans(
  req: Request,
  ctx: DashboardContext,
  store: ReturnType<typeof planDashboardStore>,
  key: InstallationKey,
  query: FigureQuery,
  context: { computedAt: Date; decimals: number; touch: Parameters<typeof touchTierOf>[1] },
  paged: boolean,
): Promise<Ready> {
  const now = ctx.now();
  const [accounts, active, names] = await Promise.all([
    store.accounts(key),
    store.activePlans(key),
    ctx.store.ownerNames(key),
  ]);
  const shown = new Map<string, StagedAccount>();
  for (const account of accounts) {
    const tier = touchTierOf(account, context.touch);
    if (passes({ segment: account.segment, csmId: account.csmId, tier }, query.filters)) shown.set(account.id, account);
  }

  const stages = new Map(LIFECYCLE_STAGES.map((stage) => [stage, { accounts: 0, arr: 0 }]));
  let staged = 0;
  let unstaged = 0;
  for (const account of shown.values()) {
    if (account.stage === null) {
      if (!account.churned) unstaged += 1;
      continue;
    }
    staged += 1;
    const slice = stages.get(account.stage)!;
    slice.accounts += 1;
    slice.arr += account.arr ?? 0;
  }

  const objectives = { on_track: 0, behind: 0, achieved: 0, missed: 0, no_data: 0, total: 0 };
  const byCsm = new Map<string | null, Group>();
  const bySegment = new Map<string | null, Group>();
  const behind: { plan: ActivePlanRow; account: StagedAccount }[] = [];
  let activePlans = 0;
  for (const plan of active) {
    const account = shown.get(plan.accountId);
    if (!account) continue;
    activePlans += 1;
    for (const status of ['on_track', 'behind', 'achieved', 'missed', 'no_data'] as const) {
      objectives[status] += plan.objectives[status];
      objectives.total += plan.objectives[status];
    }
    const late = isBehind(plan);
    addTo(byCsm, account.csmId, late);
    addTo(bySegment, account.segment?.trim() || null, late);
    if (late) behind.push({ plan, account });
  }
  behind.sort(
    (a, b) =>
      (b.account.arr ?? 0) - (a.account.arr ?? 0) ||
      (a.account.name ?? a.account.id).localeCompare(b.account.name ?? b.account.id) ||
      a.account.id.localeCompare(b.account.id) ||
      a.plan.id.localeCompare(b.plan.id),
  );
  const { page, pageSize } = query.page;
  const rows = paged ? behind.slice((page - 1) * pageSize, page * pageSize) : behind;
  const details = await store.lateDetails(key, paged ? rows.map((row) => row.plan.id) : null);
  const lateOf = new Map<string, LateObjectiveRow[]>();
  for (const row of details.objectives) lateOf.set(row.planId, [...(lateOf.get(row.planId) ?? []), row]);
  const nextOf = new Map<string, NextMilestoneRow>(details.milestones.map((row) => [row.planId, row]));

  const csmName = (csmId: string | null) => (csmId === null ? null : (names.get(csmId) ?? null));
  return {
    status: 'ready',
    computedAt: context.computedAt.toISOString(),
    filters: query.filters,
    summary: {
      activePlans,
      plansBehind: behind.length,
      objectives,
      stagedAccounts: staged,
      unstagedAccounts: unstaged,
    },
    stages: LIFECYCLE_STAGES.map((stage) => {
      const slice = stages.get(stage)!;
      return {
        stage,
        label: STAGE_LABELS[stage],
        accounts: slice.accounts,
        arr: roundMoney(slice.arr, context.decimals),
      };
    }),
    byCsm: ranked(
      byCsm,
      (csmId, group): PlansByCsm => ({
        csmId,
        name: csmName(csmId),
        ...group,
        share: shareOf(group.plansBehind, group.plans),
      }),
      (row) => row.name ?? row.csmId ?? '',
      (row) => row.csmId === null,
    ),
    bySegment: ranked(
      bySegment,
      (segment, group): PlansBySegment => ({ segment, ...group, share: shareOf(group.plansBehind, group.plans) }),
      (row) => row.segment ?? '',
      (row) => row.segment === null,
    ),
    plansBehind: rows.map(({ plan, account }): PlanBehind => {
      const next = nextOf.get(plan.id);
      const stage = account.stage ?? plan.stage;
      return {
        planId: plan.id,
        planName: plan.name,
        accountId: account.id,
        accountName: account.name,
        csmId: account.csmId,
        csmName: csmName(account.csmId),
        segment: account.segment,
        arr: account.arr,
        stage,
        stageLabel: STAGE_LABELS[stage],
        daysInStage: account.enteredAt === null ? null : daysInStage(account.enteredAt.getTime(), now),
        objectives: (lateOf.get(plan.id) ?? []).map((row) => lateObjective(req, row)),
        nextMilestone: next
          ? {
              key: next.key,
              title: next.title,
              dueAt: next.dueAt.toISOString(),
              overdue: milestoneStatus({ dueAt: next.dueAt.getTime(), reachedAt: null }, now) === 'overdue',
            }
          : null,
      };
    }),
    plansBehindPage: query.page,
    definitions: DEFINITIONS,
  };
}

/**
 * `GET /api/installations/:id/dashboard/plans?segment&tier&csm&page&pageSize`: accounts by lifecycle
 * stage, the active success plans and their objectives by status, plans behind by CSM and segment,
 * and a page of the plans behind with what is late and what is next (the CSV holds every row). Read
 * live from the stored stays and plans; `computedAt` is when the plans were last read from the signals.
 */
export function getDashboardPlans(ctx: DashboardContext): RequestHandler {
  const store = planDashboardStore(ctx.db);
  return async (req, res) => {
    const { key } = await callerOf(req, ctx);
    const query = figureQuery(req, 'plans');
    const csv = wantsCsv(req, query.format);
    const state = await store.state(key);
    if (state.stays === 0 && state.plans === 0) {
      if (csv) throw pendingCsv(WHAT);
      sendJson(res, pendingFigure(WHAT));
      return;
    }
    const settings = await settingsInForce(req, ctx, key);
    const computedAt = state.lastReadAt ?? state.lastEnteredAt ?? new Date(ctx.now());
    const context = {
      computedAt,
      decimals: settings.settings.retention.currencyDecimals,
      touch: settings.settings.touch,
    };
    if (!csv) {
      const version = `${settings.version}|${state.version}`;
      sendJsonText(
        res,
        await ctx.answers.get(answerKey('plans', key, { ...query.filters, ...query.page }), version, () =>
          buildPlans(req, ctx, store, key, query, context, true).then((body) => JSON.stringify(body)),
        ),
      );
      return;
    }
    const body = await buildPlans(req, ctx, store, key, query, context, false);
    sendTable(res, query.table, body, isoDay(ctx.now()));
  };
}
