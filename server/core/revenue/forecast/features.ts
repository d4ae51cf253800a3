/**
 * What the renewal forecast looks at for one account on one day, and how that becomes numbers a
 * logistic model can weigh. Every number is centred on an ordinary account and scaled to a step a
 * CS leader thinks in (10 score points, ten times the ARR, a quarter closer to renewal, 10 points of
 * licence use), so a coefficient reads as "per step". A missing value becomes 0 plus an indicator:
 * an account without usage data is a fact worth learning from, not a row to drop.
 */
import { DAY_MS } from '../../health/signals.ts';

export type RenewalBand = 'red' | 'yellow' | 'green';
export type RenewalTrend = 'improving' | 'stable' | 'declining';

export interface RenewalFeatureInput {
  /** The effective health score (0–100) the prior is read from; null when the account could not be scored. */
  score: number | null;
  band: RenewalBand | null;
  trend: RenewalTrend | null;
  arr: number | null;
  segment: string | null;
  /** Days from the day the input describes to the renewal (0 or more). */
  daysToRenewal: number;
  /** Active users ÷ licences (the signal `usage.active_user_ratio`), 0–1 and above. */
  licenceUse: number | null;
  /** The score's slope in points a week over the trend's long window (`Trend.longSlope`). */
  scoreSlope?: number | null | undefined;
  /** ARR now against a year ago, in percent (the signal `commercial.arr_change_pct`). */
  arrChangePct?: number | null | undefined;
  /** Whether an expansion deal is open (the signal `commercial.open_expansion`). */
  openExpansion?: boolean | null | undefined;
  /** The health model's group scores (0–100) by group key (`Score.groups`); null for a group without data. */
  groupScores?: Readonly<Record<string, number | null>> | undefined;
}

/** A named numeric vector: feature name → value. Features a model does not know are ignored by it. */
export type FeatureVector = Readonly<Record<string, number>>;

/** The constant term: the book's own base rate against the prior's. */
export const BASELINE_FEATURE = 'baseline';
export const SEGMENT_PREFIX = 'segment:';
export const GROUP_PREFIX = 'group:';

/** The fixed features (segments add `segment:<name>` ones). */
export const FIXED_FEATURES = [
  BASELINE_FEATURE,
  'score',
  'score_missing',
  'band_red',
  'band_yellow',
  'trend_improving',
  'trend_declining',
  'trend_missing',
  'arr_log10',
  'arr_missing',
  'renewal_quarters',
  'licence_use',
  'licence_use_missing',
  'score_slope',
  'arr_change',
  'arr_change_missing',
  'open_expansion',
] as const;

/** The score used for the prior when the account has none: the middle of a book, documented with the prior. */
export const UNSCORED_PRIOR_SCORE = 50;

const SCORE_CENTRE = 60;
const SCORE_STEP = 10;
const ARR_CENTRE = 50_000;
const RENEWAL_CENTRE_DAYS = 90;
const RENEWAL_STEP_DAYS = 91;
const LICENCE_CENTRE = 0.5;
const LICENCE_STEP = 0.1;
/** Slopes beyond a few points a week are noise from a short history, not a faster decline. */
const SLOPE_LIMIT = 5;
const ARR_CHANGE_STEP = 10;
const ARR_CHANGE_LIMIT = 100;

export function segmentFeature(segment: string): string {
  return `${SEGMENT_PREFIX}${segment}`;
}

/** A group score's feature; a group without data adds nothing (the score's coverage already fell). */
export function groupFeature(group: string): string {
  return `${GROUP_PREFIX}${group}`;
}

const GROUP_CENTRE = 50;
const GROUP_STEP = 10;

/** The input as the model's numbers. */
export function renewalFeatures(input: RenewalFeatureInput): FeatureVector {
  const x: Record<string, number> = {};
  for (const name of FIXED_FEATURES) x[name] = 0;
  x[BASELINE_FEATURE] = 1;
  if (input.score === null) x['score_missing'] = 1;
  else x['score'] = (input.score - SCORE_CENTRE) / SCORE_STEP;
  if (input.band === 'red') x['band_red'] = 1;
  if (input.band === 'yellow') x['band_yellow'] = 1;
  if (input.trend === null) x['trend_missing'] = 1;
  else if (input.trend === 'improving') x['trend_improving'] = 1;
  else if (input.trend === 'declining') x['trend_declining'] = 1;
  // A credit note mapped as ARR says nothing about size; a missing ARR is its own fact.
  if (input.arr === null || !(input.arr > 0)) x['arr_missing'] = 1;
  else x['arr_log10'] = Math.log10(input.arr / ARR_CENTRE);
  x['renewal_quarters'] = (Math.max(0, input.daysToRenewal) - RENEWAL_CENTRE_DAYS) / RENEWAL_STEP_DAYS;
  if (input.licenceUse === null || !Number.isFinite(input.licenceUse)) x['licence_use_missing'] = 1;
  else x['licence_use'] = (Math.min(1.5, Math.max(0, input.licenceUse)) - LICENCE_CENTRE) / LICENCE_STEP;
  if (typeof input.scoreSlope === 'number' && Number.isFinite(input.scoreSlope)) {
    x['score_slope'] = Math.min(SLOPE_LIMIT, Math.max(-SLOPE_LIMIT, input.scoreSlope));
  }
  if (typeof input.arrChangePct === 'number' && Number.isFinite(input.arrChangePct)) {
    x['arr_change'] = Math.min(ARR_CHANGE_LIMIT, Math.max(-ARR_CHANGE_LIMIT, input.arrChangePct)) / ARR_CHANGE_STEP;
  } else {
    x['arr_change_missing'] = 1;
  }
  if (input.openExpansion === true) x['open_expansion'] = 1;
  if (input.segment !== null && input.segment !== '') x[segmentFeature(input.segment)] = 1;
  for (const [group, score] of Object.entries(input.groupScores ?? {})) {
    if (score !== null && Number.isFinite(score)) x[groupFeature(group)] = (score - GROUP_CENTRE) / GROUP_STEP;
  }
  return x;
}

/** What the score job holds for an account when it scores it. */
export interface ScoredAccountState {
  /** The effective (override-aware) score and band. */
  score: number | null;
  band: RenewalBand | null;
  trend: RenewalTrend | null;
  arr: number | null;
  segment: string | null;
  /** Start of the renewal day, epoch ms; null when unknown. */
  renewalDate: number | null;
  /** The instant the state describes, epoch ms. */
  at: number;
  /** The account's signal values by name (`computeSignals`). */
  signals: Readonly<Record<string, number | boolean | null | undefined>>;
  /** The trend's long slope, points a week (`Trend.longSlope`), when the trend was computed. */
  scoreSlope?: number | null | undefined;
  /** The health model's group scores by key (`Score.groups`). */
  groupScores?: Readonly<Record<string, number | null>> | undefined;
}

/** The signal the forecast reads licence use from. */
export const LICENCE_USE_SIGNAL = 'usage.active_user_ratio';
export const ARR_CHANGE_SIGNAL = 'commercial.arr_change_pct';
export const OPEN_EXPANSION_SIGNAL = 'commercial.open_expansion';

/** The forecast input from the score job's state; a past or unknown renewal day counts as due now. */
export function featureInputOf(state: ScoredAccountState): RenewalFeatureInput {
  const use = state.signals[LICENCE_USE_SIGNAL];
  const arrChange = state.signals[ARR_CHANGE_SIGNAL];
  const expansion = state.signals[OPEN_EXPANSION_SIGNAL];
  const days = state.renewalDate === null ? 0 : Math.max(0, Math.round((state.renewalDate - state.at) / DAY_MS));
  return {
    score: state.score,
    band: state.band,
    trend: state.trend,
    arr: state.arr,
    segment: state.segment,
    daysToRenewal: days,
    licenceUse: typeof use === 'number' && Number.isFinite(use) ? use : null,
    scoreSlope: state.scoreSlope ?? null,
    arrChangePct: typeof arrChange === 'number' && Number.isFinite(arrChange) ? arrChange : null,
    openExpansion: typeof expansion === 'boolean' ? expansion : null,
    ...(state.groupScores ? { groupScores: state.groupScores } : {}),
  };
}
