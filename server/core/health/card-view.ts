import { metricBareText, parseStoredMetric, targetText } from '../plans/metric-text.ts';
import { milestoneStatus, type Comparator, type ObjectiveStatus } from '../plans/plan-model.ts';
import { daysInStage, STAGE_LABELS, type LifecycleStage } from '../plans/stages.ts';
import type { Driver, WhatMoved } from './explain.ts';
import { bandOf, type Band, type Bands } from './model.ts';
import type { MissingReason, Score } from './score.ts';
import { DAY_MS, formatValue, isSignalName } from './signals.ts';
import type { Trend, TrendDirection } from './trend.ts';

/**
 * The account health card's view model (server/contracts/cards.ts `AccountCard`), built from the
 * precomputed rows only: the account, its latest explanation, its score history, the override on
 * record, its lifecycle stage and its success plan as the last plans run read it. Pure, so both card APIs answer exactly the same thing for the same rows and moment.
 */

/** How far back the card's history chart reaches. */
export const HISTORY_DAYS = 84;
/** A sync older than this, or a score older than that, makes the card warn that it may not be current. */
export const SYNC_STALE_MS = 60 * 60_000;
export const SCORE_STALE_MS = 26 * 60 * 60_000;

const DEFAULT_BANDS: Bands = { yellowFrom: 40, greenFrom: 70 };

/** The parts of a stored explanation (account_health.explanation) the card reads. */
export interface CardExplanation {
  score: Pick<Score, 'coverage' | 'groups' | 'measures'>;
  drivers: Driver[];
  moved: Pick<WhatMoved, 'delta' | 'text'> | null;
  trend: Pick<Trend, 'direction' | 'text'> | null;
  renewal: { probability: number | null; revenueAtRisk: number | null };
}

export interface CardRows {
  crm: 'hubspot' | 'salesforce';
  account: {
    externalId: string;
    name: string | null;
    segment: string | null;
    arr: number | null;
    /** YYYY-MM-DD. */
    renewalDate: string | null;
  };
  /** The account's latest score; null before its first. */
  health: {
    scoredAt: Date;
    modelVersion: number;
    status: 'scored' | 'insufficient_data';
    score: number | null;
    band: Band | null;
    explanation: CardExplanation;
  } | null;
  /** Scored days, any order; the view keeps the last HISTORY_DAYS. */
  history: readonly { day: string; score: number | null }[];
  /** The latest override not cleared, expired or not. */
  override: {
    score: number | null;
    band: Band | null;
    reason: string;
    author: string;
    setAt: Date;
    expiresAt: Date;
  } | null;
  /** When the installation's latest sync finished; null when none has. */
  lastSyncedAt: Date | null;
  /** The account's open early warnings, with their playbook's steps in order. */
  warnings: readonly CardWarning[];
  /** The account's latest QBR brief and where to read it; null when none was written. */
  brief: {
    id: string;
    version: number;
    qbrDate: string;
    generatedAt: Date;
    links: { html: string; markdown: string; pdf: string };
  } | null;
  /** The account's current stay in a lifecycle stage; null before the first score run derives one. */
  stage: { stage: LifecycleStage; reason: string; enteredAt: Date } | null;
  /** The account's newest active success plan; null when it has none. */
  plan: CardPlan | null;
}

/** A success plan as stored, with what the last plans run read of its objectives. */
export interface CardPlan {
  id: string;
  name: string;
  stage: LifecycleStage;
  /** In the plan's order. */
  objectives: readonly {
    key: string;
    title: string;
    /** What it measures, as stored (read with `metricSchema`). */
    metric: unknown;
    comparator: Comparator;
    target: number;
    dueAt: Date;
    status: ObjectiveStatus;
    value: number | null;
    /** 0–1 of the way from the start value to the target. */
    progress: number | null;
  }[];
  /** In the plan's order. */
  milestones: readonly { key: string; title: string; dueAt: Date; reachedAt: Date | null }[];
}

export interface CardWarning {
  id: string;
  severity: 'low' | 'medium' | 'high';
  title: string;
  /** What fired, in words. */
  detail: string | null;
  openedAt: Date;
  steps: readonly { subject: string; dueAt: Date; done: boolean }[];
}

export interface CardView {
  account: {
    id: string;
    name: string | null;
    crm: 'hubspot' | 'salesforce';
    segment: string | null;
    arr: number | null;
  };
  status: 'scored' | 'insufficient_data' | 'not_scored';
  health: {
    score: number | null;
    band: Band | null;
    source: 'computed' | 'override';
    computed: { score: number | null; band: Band | null };
    coverage: number;
    modelVersion: number;
  } | null;
  trend: { direction: TrendDirection; text: string } | null;
  history: { day: string; score: number }[];
  groups: { key: string; label: string; score: number | null; weight: number }[];
  drivers: { measure: string; group: string; impact: number; text: string }[];
  measures: {
    key: string;
    label: string;
    group: string;
    value: string | null;
    subScore: number | null;
    weight: number;
    contribution: number;
    missing: string | null;
  }[];
  moved: { delta: number | null; text: string } | null;
  alerts: {
    id: string;
    severity: 'info' | 'warning' | 'critical';
    title: string;
    detail: string | null;
    openedAt: string;
    /** The first step not yet done. */
    nextStep: string | null;
    nextSteps: { text: string; dueOn: string; done: boolean }[];
  }[];
  qbr: {
    latest: {
      id: string;
      version: number;
      qbrDate: string;
      generatedAt: string;
      links: { html: string; markdown: string; pdf: string };
    } | null;
  };
  renewal: { date: string | null; daysAway: number | null; probability: number | null; revenueAtRisk: number | null };
  freshness: { lastSyncedAt: string | null; lastScoredAt: string | null; stale: boolean; staleReason: string | null };
  override: {
    score: number | null;
    band: Band;
    reason: string;
    author: string;
    setAt: string;
    expiresAt: string;
    active: boolean;
  } | null;
  stage: { stage: LifecycleStage; label: string; reason: string; daysInStage: number } | null;
  plan: {
    id: string;
    name: string;
    stage: LifecycleStage;
    objectives: {
      key: string;
      title: string;
      status: ObjectiveStatus;
      statusLabel: string;
      /** The latest reading in the metric's unit; null before there is one. */
      valueText: string | null;
      /** The target with its comparator: "≥ 60%", "≤ 0". */
      targetText: string;
      dueOn: string;
      progress: number | null;
    }[];
    /** The unreached milestone due first. */
    nextMilestone: { title: string; dueOn: string; overdue: boolean } | null;
    milestonesReached: number;
    milestonesTotal: number;
  } | null;
}

export const OBJECTIVE_STATUS_LABELS: Readonly<Record<ObjectiveStatus, string>> = {
  on_track: 'On track',
  behind: 'Behind',
  achieved: 'Achieved',
  missed: 'Missed',
  no_data: 'No data yet',
};

const ALERT_SEVERITY = { high: 'critical', medium: 'warning', low: 'info' } as const;
const SEVERITY_ORDER = { high: 0, medium: 1, low: 2 } as const;

const MISSING_TEXT: Record<MissingReason, string> = {
  no_data: 'no data in the window',
  out_of_range: 'outside the range the model scores',
  no_peers: 'too few peers in the segment to compare with',
};

/** A measure's raw value in words; a signal a later release renamed still shows its number. */
function valueText(signal: string, raw: number | boolean | null): string | null {
  if (raw === null) return null;
  if (isSignalName(signal)) return formatValue(signal, raw);
  return typeof raw === 'boolean' ? (raw ? 'yes' : 'no') : String(Math.round(raw * 10) / 10);
}

const dayOf = (at: Date) => at.toISOString().slice(0, 10);

function stageOf(rows: CardRows, now: number): CardView['stage'] {
  if (rows.stage === null) return null;
  const { stage, reason, enteredAt } = rows.stage;
  return { stage, label: STAGE_LABELS[stage], reason, daysInStage: daysInStage(enteredAt.getTime(), now) };
}

/** Overdue is judged now, on read, as the milestone status is everywhere else. */
function planOf(rows: CardRows, now: number): CardView['plan'] {
  const plan = rows.plan;
  if (plan === null) return null;
  const open = plan.milestones
    .filter((milestone) => milestone.reachedAt === null)
    // Stable: milestones due the same instant keep the plan's order.
    .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
  const next = open[0];
  return {
    id: plan.id,
    name: plan.name,
    stage: plan.stage,
    objectives: plan.objectives.map((objective) => {
      // A metric this release does not know (stored by a later or an older one) leaves its numbers
      // bare rather than failing the whole card.
      const metric = parseStoredMetric(objective.metric);
      return {
        key: objective.key,
        title: objective.title,
        status: objective.status,
        statusLabel: OBJECTIVE_STATUS_LABELS[objective.status],
        valueText: objective.value === null ? null : metricBareText(metric, objective.value),
        targetText: targetText(metric, objective.comparator, objective.target),
        dueOn: dayOf(objective.dueAt),
        progress: objective.progress === null ? null : Math.min(1, Math.max(0, objective.progress)),
      };
    }),
    nextMilestone: next
      ? {
          title: next.title,
          dueOn: dayOf(next.dueAt),
          overdue: milestoneStatus({ dueAt: next.dueAt.getTime(), reachedAt: null }, now) === 'overdue',
        }
      : null,
    milestonesReached: plan.milestones.length - open.length,
    milestonesTotal: plan.milestones.length,
  };
}

const dayNumber = (isoDay: string) => Math.floor(Date.parse(`${isoDay}T00:00:00Z`) / DAY_MS);

function ago(ms: number): string {
  const hours = Math.floor(ms / 3_600_000);
  if (hours < 48) return `${Math.max(1, hours)} hour${hours === 1 ? '' : 's'}`;
  return `${Math.floor(hours / 24)} days`;
}

function freshnessOf(rows: CardRows, now: number): CardView['freshness'] {
  const synced = rows.lastSyncedAt?.getTime() ?? null;
  const scored = rows.health?.scoredAt.getTime() ?? null;
  const reasons: string[] = [];
  if (synced === null) reasons.push('the CRM has not been synced yet');
  else if (now - synced > SYNC_STALE_MS) reasons.push(`the last CRM sync finished ${ago(now - synced)} ago`);
  if (scored === null) reasons.push('the account has not been scored yet');
  else if (now - scored > SCORE_STALE_MS) reasons.push(`the score was computed ${ago(now - scored)} ago`);
  const reason = reasons.length === 0 ? null : reasons.join('; ');
  return {
    lastSyncedAt: synced === null ? null : new Date(synced).toISOString(),
    lastScoredAt: scored === null ? null : new Date(scored).toISOString(),
    stale: reason !== null,
    staleReason: reason === null ? null : `${reason[0]?.toUpperCase()}${reason.slice(1)}.`,
  };
}

/** Expiry is judged now, on read: an override past its expiry is shown but no longer applies. */
function overrideOf(rows: CardRows, now: number, bands: Bands): CardView['override'] {
  const override = rows.override;
  if (!override) return null;
  const band = override.band ?? (override.score === null ? null : bandOf(override.score, bands));
  if (band === null) return null;
  return {
    score: override.score,
    band,
    reason: override.reason,
    author: override.author,
    setAt: override.setAt.toISOString(),
    expiresAt: override.expiresAt.toISOString(),
    active: override.setAt.getTime() <= now && now < override.expiresAt.getTime(),
  };
}

export function buildCardView(rows: CardRows, now: number, bands: Bands = DEFAULT_BANDS): CardView {
  const { account, health } = rows;
  const explanation = health?.explanation ?? null;
  const override = overrideOf(rows, now, bands);
  const computed = { score: health?.score ?? null, band: health?.band ?? null };
  const firstDay = Math.floor(now / DAY_MS) - HISTORY_DAYS + 1;
  const history = rows.history
    .filter(
      (point): point is { day: string; score: number } => point.score !== null && dayNumber(point.day) >= firstDay,
    )
    .sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0))
    .map((point) => ({ day: point.day, score: point.score }));

  return {
    account: {
      id: account.externalId,
      name: account.name,
      crm: rows.crm,
      segment: account.segment,
      arr: account.arr,
    },
    status: health?.status ?? 'not_scored',
    health:
      health && explanation
        ? {
            ...(override?.active
              ? { score: override.score, band: override.band, source: 'override' as const }
              : { ...computed, source: 'computed' as const }),
            computed,
            coverage: explanation.score.coverage,
            modelVersion: health.modelVersion,
          }
        : null,
    trend: explanation?.trend ? { direction: explanation.trend.direction, text: explanation.trend.text } : null,
    history,
    groups: (explanation?.score.groups ?? []).map((group) => ({
      key: group.key,
      label: group.label,
      score: group.score,
      weight: group.weight,
    })),
    drivers: (explanation?.drivers ?? []).map((driver) => ({
      measure: driver.measure,
      group: driver.group,
      impact: driver.impact,
      text: driver.text,
    })),
    measures: (explanation?.score.measures ?? []).map((measure) => ({
      key: measure.key,
      label: measure.label,
      group: measure.group,
      value: valueText(measure.signal, measure.raw),
      subScore: measure.subScore,
      weight: measure.weight,
      contribution: measure.contribution,
      missing: measure.missing === null ? null : MISSING_TEXT[measure.missing],
    })),
    moved: explanation?.moved ? { delta: explanation.moved.delta, text: explanation.moved.text } : null,
    alerts: [...rows.warnings]
      .sort(
        (a, b) =>
          SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.openedAt.getTime() - b.openedAt.getTime(),
      )
      .map((warning) => ({
        id: warning.id,
        severity: ALERT_SEVERITY[warning.severity],
        title: warning.title,
        detail: warning.detail,
        openedAt: warning.openedAt.toISOString(),
        nextStep: warning.steps.find((step) => !step.done)?.subject ?? null,
        nextSteps: warning.steps.map((step) => ({
          text: step.subject,
          dueOn: dayOf(step.dueAt),
          done: step.done,
        })),
      })),
    qbr: {
      latest: rows.brief && {
        id: rows.brief.id,
        version: rows.brief.version,
        qbrDate: rows.brief.qbrDate,
        generatedAt: rows.brief.generatedAt.toISOString(),
        links: rows.brief.links,
      },
    },
    renewal: {
      date: account.renewalDate,
      daysAway: account.renewalDate === null ? null : dayNumber(account.renewalDate) - Math.floor(now / DAY_MS),
      probability: explanation?.renewal.probability ?? null,
      revenueAtRisk: explanation?.renewal.revenueAtRisk ?? null,
    },
    freshness: freshnessOf(rows, now),
    override,
    stage: stageOf(rows, now),
    plan: planOf(rows, now),
  };
}
