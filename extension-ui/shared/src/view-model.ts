import type { AccountCard } from '../../../server/contracts/cards.ts';
import {
  DEFAULT_FORMAT,
  formatAgo,
  formatDay,
  formatInstantDay,
  formatMoney,
  formatPoints,
  formatScore,
  formatShare,
  formatShortDay,
  type FormatOptions,
} from './format.ts';
import { BAND_LABEL, BAND_TONE, type Tone } from './palette.ts';

/**
 * What both cards draw, decided once: order, wording, tones and formatting. A card only lays these
 * out with its own components (HubSpot UI extensions, SLDS markup), so the two CRMs cannot drift.
 */

export interface CardView {
  accountName: string | null;
  /** Null once scored; otherwise what to show instead of a score. */
  empty: { title: string; body: string } | null;
  headline: {
    scoreText: string;
    /** 0–100, for a score circle or gauge; null when there is no score. */
    score: number | null;
    bandLabel: string;
    tone: Tone;
    /** `Computed`, or `Override` while a person's override applies. */
    sourceLabel: string;
    coverageText: string;
  } | null;
  trend: { arrow: '↑' | '→' | '↓'; label: string; text: string; tone: Tone } | null;
  moved: string | null;
  drivers: { key: string; label: string; groupLabel: string; impactText: string; tone: Tone; text: string }[];
  groups: { key: string; label: string; scoreText: string; weightText: string; tone: Tone }[];
  measures: {
    key: string;
    label: string;
    groupLabel: string;
    valueText: string;
    subScoreText: string;
    weightText: string;
    contributionText: string;
  }[];
  /** Oldest first, one point per scored day. */
  history: { day: string; label: string; score: number }[];
  alerts: {
    id: string;
    title: string;
    detail: string | null;
    /** `Opened 3 days ago`. */
    opened: string;
    nextStep: string | null;
    steps: { text: string; due: string; done: boolean }[];
    tone: Tone;
  }[];
  /** The latest QBR brief, or what to do to get one. */
  qbr: {
    summary: string;
    links: { label: string; href: string }[];
  };
  renewal: string | null;
  freshness: { banner: string | null; updated: string };
  override: { banner: string; active: boolean; tone: Tone } | null;
  /** `Onboarding · day 12`, with why the account is in the stage. */
  lifecycle: { text: string; stageLabel: string; reason: string; tone: Tone } | null;
  /** The active success plan; null when the account has none (the card then shows nothing of plans). */
  plan: {
    name: string;
    objectives: {
      key: string;
      title: string;
      statusLabel: string;
      tone: Tone;
      /** 0–100 for a progress bar; null before the first reading. */
      percent: number | null;
      percentText: string | null;
      /** `48% · target ≥ 60% · due 31 Mar 2027`. */
      detail: string;
    }[];
    /** `Next: Kickoff call · due 12 Jan 2027`, in the warning colour when overdue. */
    nextMilestone: { title: string; dueText: string; overdue: boolean; tone: Tone } | null;
    /** `2 of 4 milestones reached`; null when the plan has no milestones. */
    milestonesText: string | null;
  } | null;
}

const TREND: Record<
  NonNullable<AccountCard['trend']>['direction'],
  Pick<NonNullable<CardView['trend']>, 'arrow' | 'label' | 'tone'>
> = {
  improving: { arrow: '↑', label: 'Improving', tone: 'success' },
  stable: { arrow: '→', label: 'Stable', tone: 'neutral' },
  declining: { arrow: '↓', label: 'Declining', tone: 'danger' },
};

const ALERT_TONE: Record<AccountCard['alerts'][number]['severity'], Tone> = {
  critical: 'danger',
  warning: 'warning',
  info: 'info',
};
const STAGE_TONE: Record<NonNullable<AccountCard['stage']>['stage'], Tone> = {
  onboarding: 'info',
  adoption: 'info',
  value: 'success',
  renewal: 'warning',
  at_risk: 'danger',
  churned: 'neutral',
};

const OBJECTIVE_TONE: Record<NonNullable<AccountCard['plan']>['objectives'][number]['status'], Tone> = {
  on_track: 'success',
  achieved: 'success',
  behind: 'warning',
  missed: 'danger',
  no_data: 'neutral',
};

const ALERT_ORDER: Record<AccountCard['alerts'][number]['severity'], number> = { critical: 0, warning: 1, info: 2 };

/** The band a group or measure score falls in, with the card's default thresholds. */
const scoreTone = (score: number | null): Tone =>
  score === null ? 'neutral' : score < 40 ? 'danger' : score < 70 ? 'warning' : 'success';

export function buildCardView(
  card: AccountCard,
  options: Partial<FormatOptions> & Pick<FormatOptions, 'now'>,
): CardView {
  const format: FormatOptions = { ...DEFAULT_FORMAT, ...options };
  const groupLabels = new Map(card.groups.map((group) => [group.key, group.label]));
  const measureLabels = new Map(card.measures.map((measure) => [measure.key, measure.label]));
  const groupLabel = (key: string) => groupLabels.get(key) ?? key;

  return {
    accountName: card.account.name,
    empty: emptyState(card, format),
    headline: headline(card, format),
    trend: card.trend ? { ...TREND[card.trend.direction], text: card.trend.text } : null,
    moved: card.moved?.text ?? null,
    drivers: [...card.drivers]
      .sort((a, b) => Math.abs(b.impact) - Math.abs(a.impact) || a.measure.localeCompare(b.measure))
      .map((driver) => ({
        key: driver.measure,
        label: measureLabels.get(driver.measure) ?? driver.measure,
        groupLabel: groupLabel(driver.group),
        impactText: formatPoints(driver.impact, format),
        tone: driver.impact < 0 ? 'danger' : driver.impact > 0 ? 'success' : 'neutral',
        text: driver.text,
      })),
    groups: [...card.groups]
      .sort((a, b) => b.weight - a.weight || a.label.localeCompare(b.label))
      .map((group) => ({
        key: group.key,
        label: group.label,
        scoreText: formatScore(group.score, format),
        // Group weights are shares of the score (0–1) after missing groups handed theirs on.
        weightText: formatShare(group.weight, format),
        tone: scoreTone(group.score),
      })),
    measures: [...card.measures]
      .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution) || a.label.localeCompare(b.label))
      .map((measure) => ({
        key: measure.key,
        label: measure.label,
        groupLabel: groupLabel(measure.group),
        valueText: measure.value ?? measure.missing ?? 'No data',
        subScoreText: formatScore(measure.subScore, format),
        weightText: formatShare(measure.weight, format),
        contributionText: formatPoints(measure.contribution, format),
      })),
    history: card.history.map((point) => ({
      day: point.day,
      label: formatShortDay(point.day, format),
      score: Math.round(point.score * 10) / 10,
    })),
    alerts: [...card.alerts]
      .sort((a, b) => ALERT_ORDER[a.severity] - ALERT_ORDER[b.severity])
      .map((alert) => ({
        id: alert.id,
        title: alert.title,
        detail: alert.detail,
        opened: `Opened ${formatAgo(alert.openedAt, format)}`,
        nextStep: alert.nextStep,
        steps: alert.nextSteps.map((step) => ({
          text: step.text,
          due: `${step.done ? 'Done' : 'Due'} ${formatDay(step.dueOn, format)}`,
          done: step.done,
        })),
        tone: ALERT_TONE[alert.severity],
      })),
    qbr: qbrBlock(card.qbr, format),
    renewal: renewalLine(card.renewal, format),
    freshness: freshness(card.freshness, format),
    override: overrideBanner(card.override, format),
    lifecycle: lifecycleLine(card.stage),
    plan: planBlock(card.plan, format),
  };
}

/** `Onboarding · day 12`: the day of the stay, counting the day it began as day 1. */
export function lifecycleLine(stage: AccountCard['stage']): CardView['lifecycle'] {
  if (stage === null) return null;
  return {
    text: `${stage.label} · day ${stage.daysInStage + 1}`,
    stageLabel: stage.label,
    reason: stage.reason,
    tone: STAGE_TONE[stage.stage],
  };
}

export function planBlock(plan: AccountCard['plan'], format: FormatOptions): CardView['plan'] {
  if (plan === null) return null;
  const next = plan.nextMilestone;
  return {
    name: plan.name,
    objectives: plan.objectives.map((objective) => {
      const reading = objective.valueText ?? 'No reading yet';
      return {
        key: objective.key,
        title: objective.title,
        statusLabel: objective.statusLabel,
        tone: OBJECTIVE_TONE[objective.status],
        percent: objective.progress === null ? null : Math.round(objective.progress * 100),
        percentText: objective.progress === null ? null : formatShare(objective.progress, format),
        detail: `${reading} · target ${objective.targetText} · due ${formatDay(objective.dueOn, format)}`,
      };
    }),
    nextMilestone: next && {
      title: next.title,
      dueText: `${next.overdue ? 'Overdue since' : 'Due'} ${formatDay(next.dueOn, format)}`,
      overdue: next.overdue,
      tone: next.overdue ? 'warning' : 'neutral',
    },
    milestonesText:
      plan.milestonesTotal === 0
        ? null
        : `${plan.milestonesReached} of ${plan.milestonesTotal} milestone${plan.milestonesTotal === 1 ? '' : 's'} reached`,
  };
}

/** `Version 2, for the QBR of 12 Jan 2027, written 3 hours ago` with its three formats. */
function qbrBlock(qbr: AccountCard['qbr'], format: FormatOptions): CardView['qbr'] {
  const latest = qbr.latest;
  if (latest === null) {
    return { summary: 'No QBR brief yet. "Prepare QBR brief" writes one from the latest data.', links: [] };
  }
  return {
    summary: `Version ${latest.version}, for the QBR of ${formatDay(latest.qbrDate, format)}, written ${formatAgo(latest.generatedAt, format)}`,
    links: [
      { label: 'Open brief', href: latest.links.html },
      { label: 'PDF', href: latest.links.pdf },
      { label: 'Markdown', href: latest.links.markdown },
    ],
  };
}

function emptyState(card: AccountCard, format: FormatOptions): CardView['empty'] {
  if (card.status === 'not_scored' || card.health === null) {
    return {
      title: 'Not scored yet',
      body: 'Bellwether scores this account after its next sync. Use "Rescore now" to score it sooner.',
    };
  }
  if (card.status === 'insufficient_data') {
    return {
      title: 'Not enough data to score',
      body: `Only ${formatShare(card.health.coverage, format)} of the health model's signals have data for this account.`,
    };
  }
  return null;
}

function headline(card: AccountCard, format: FormatOptions): CardView['headline'] {
  const health = card.health;
  if (health === null || health.band === null) return null;
  return {
    scoreText: formatScore(health.score, format),
    score: health.score === null ? null : Math.round(health.score),
    bandLabel: BAND_LABEL[health.band],
    tone: BAND_TONE[health.band],
    sourceLabel: health.source === 'override' ? 'Override' : 'Computed',
    coverageText: `${formatShare(health.coverage, format)} of signals have data`,
  };
}

/** `Renews 31 Mar 2027 · 82% likely · $12,400 at risk`, leaving out what is unknown. */
export function renewalLine(renewal: AccountCard['renewal'], format: FormatOptions): string | null {
  if (renewal.date === null) return null;
  const parts = [`Renews ${formatDay(renewal.date, format)}`];
  if (renewal.probability !== null) parts.push(`${formatShare(renewal.probability, format)} likely`);
  if (renewal.revenueAtRisk !== null && renewal.revenueAtRisk > 0) {
    parts.push(`${formatMoney(renewal.revenueAtRisk, format)} at risk`);
  }
  return parts.join(' · ');
}

function freshness(fresh: AccountCard['freshness'], format: FormatOptions): CardView['freshness'] {
  const scored = fresh.lastScoredAt ? `Scored ${formatAgo(fresh.lastScoredAt, format)}` : 'Not scored yet';
  const synced = fresh.lastSyncedAt ? `synced ${formatAgo(fresh.lastSyncedAt, format)}` : 'never synced';
  return {
    banner: fresh.stale ? `This card may be out of date: ${fresh.staleReason ?? 'the data behind it is old'}.` : null,
    updated: `${scored} · ${synced}`,
  };
}

/** `CSM override: Green until 12 Jan — reason`; an expired one still shows, marked as such. */
export function overrideBanner(override: AccountCard['override'], format: FormatOptions): CardView['override'] {
  if (override === null) return null;
  const score = override.score === null ? '' : ` (${formatScore(override.score, format)})`;
  const what = `${BAND_LABEL[override.band]}${score}`;
  const until = formatInstantDay(override.expiresAt, format);
  return override.active
    ? {
        banner: `CSM override: ${what} until ${until} — ${override.reason}`,
        active: true,
        tone: BAND_TONE[override.band],
      }
    : { banner: `Expired CSM override: ${what} ended ${until} — ${override.reason}`, active: false, tone: 'neutral' };
}
