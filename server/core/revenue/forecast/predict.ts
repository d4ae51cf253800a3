/**
 * One renewal's probability from a model: the documented prior read from the health score, moved by
 * the learned coefficients (logit p = logit prior + β·x), and the forecast's own drivers in words:
 * how many percentage points each feature moved the probability away from the prior.
 */
import { renewalProbability } from '../../health/renewal-prior.ts';
import {
  GROUP_PREFIX,
  renewalFeatures,
  SEGMENT_PREFIX,
  UNSCORED_PRIOR_SCORE,
  type RenewalFeatureInput,
} from './features.ts';
import { coefficientsOf, type RenewalBasis, type RenewalModel } from './model.ts';

/** The same bounds the prior keeps: no forecast promises certainty either way. */
export const PROBABILITY_FLOOR = 0.01;
export const PROBABILITY_CEILING = 0.99;

export interface ForecastContribution {
  feature: string;
  /** What the feature is for this account: "Declining trend", "Licence use 35%". */
  label: string;
  /** Percentage points it moved the probability from the prior (the effects add up to the total move). */
  effect: number;
  /** "Declining trend: −6 pts". */
  text: string;
}

export interface RenewalOutlook {
  /** 0–1, clamped like the prior. */
  probability: number;
  /** The documented prior for the same account. */
  prior: number;
  basis: RenewalBasis;
  /** Largest move first; features that did not move it are left out. */
  contributions: ForecastContribution[];
}

export const logit = (p: number) => Math.log(p / (1 - p));
export const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));
export const clampProbability = (p: number) => Math.min(PROBABILITY_CEILING, Math.max(PROBABILITY_FLOOR, p));

/** The prior for an input: the score job rounds the score before reading the curve, so this does too. */
export function priorOf(input: Pick<RenewalFeatureInput, 'score'>): number {
  return renewalProbability(Math.round(input.score ?? UNSCORED_PRIOR_SCORE));
}

/** The prior's log-odds: the offset every learned coefficient is added to. */
export function offsetOf(input: Pick<RenewalFeatureInput, 'score'>): number {
  return logit(priorOf(input));
}

const humanise = (text: string) => {
  const words = text.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

function money(value: number): string {
  if (value >= 1_000_000) return `${(value / 1_000_000).toFixed(1).replace(/\.0$/, '')}M`;
  if (value >= 1_000) return `${Math.round(value / 1_000)}k`;
  return `${Math.round(value)}`;
}

/** The feature as it reads for this account. */
export function featureLabel(feature: string, input: RenewalFeatureInput): string {
  if (feature.startsWith(SEGMENT_PREFIX)) return `${humanise(feature.slice(SEGMENT_PREFIX.length))} segment`;
  if (feature.startsWith(GROUP_PREFIX)) {
    const group = feature.slice(GROUP_PREFIX.length);
    return `${humanise(group)} health ${Math.round(input.groupScores?.[group] ?? 0)}`;
  }
  switch (feature) {
    case 'baseline':
      return 'This book’s renewal record';
    case 'score':
      return `Health score ${Math.round(input.score ?? 0)}`;
    case 'score_missing':
      return 'No health score';
    case 'band_red':
      return 'Red band';
    case 'band_yellow':
      return 'Yellow band';
    case 'trend_improving':
      return 'Improving trend';
    case 'trend_declining':
      return 'Declining trend';
    case 'trend_missing':
      return 'No trend yet';
    case 'arr_log10':
      return `ARR ${money(input.arr ?? 0)}`;
    case 'arr_missing':
      return 'ARR unknown';
    case 'renewal_quarters':
      return `Renewal in ${Math.round(input.daysToRenewal)} days`;
    case 'licence_use':
      return `Licence use ${Math.round((input.licenceUse ?? 0) * 100)}%`;
    case 'licence_use_missing':
      return 'No licence-use data';
    case 'score_slope': {
      const slope = Math.round((input.scoreSlope ?? 0) * 10) / 10;
      return `Score ${slope >= 0 ? 'rising' : 'falling'} ${Math.abs(slope)} points a week`;
    }
    case 'arr_change': {
      const change = Math.round(input.arrChangePct ?? 0);
      return `ARR ${change >= 0 ? 'up' : 'down'} ${Math.abs(change)}% on a year ago`;
    }
    case 'arr_change_missing':
      return 'No ARR a year ago to compare';
    case 'open_expansion':
      return 'Expansion deal open';
    default:
      return humanise(feature);
  }
}

/** "+3 pts", "−6 pts" (a true minus sign), "0 pts". */
export function pointsText(effect: number): string {
  const rounded = Math.round(effect);
  if (rounded === 0) return '0 pts';
  return `${rounded > 0 ? '+' : '−'}${Math.abs(rounded)} pts`;
}

/** Moves smaller than this (in points) are not worth a line. */
const NEGLIGIBLE_POINTS = 0.05;

export function renewalOutlook(model: RenewalModel | null, input: RenewalFeatureInput): RenewalOutlook {
  const prior = priorOf(input);
  if (model === null || model.basis === 'prior') {
    return { probability: prior, prior, basis: 'prior', contributions: [] };
  }
  const eta0 = logit(prior);
  const x = renewalFeatures(input);
  const beta = coefficientsOf(model);
  const terms: { feature: string; term: number }[] = [];
  let move = 0;
  for (const [feature, value] of Object.entries(x)) {
    const coefficient = beta.get(feature);
    if (coefficient === undefined || value === 0 || coefficient === 0) continue;
    terms.push({ feature, term: coefficient * value });
    move += coefficient * value;
  }
  const probability = clampProbability(sigmoid(eta0 + move));
  // Each term's share of the move on the probability scale: the secant of the logistic curve between
  // the prior and the forecast, so the effects add up to exactly the points the forecast moved.
  const slope = Math.abs(move) > 1e-9 ? (probability - prior) / move : prior * (1 - prior);
  const contributions = terms
    .map(({ feature, term }) => {
      const effect = term * slope * 100;
      const label = featureLabel(feature, input);
      return { feature, label, effect, text: `${label}: ${pointsText(effect)}` };
    })
    .filter((contribution) => Math.abs(contribution.effect) >= NEGLIGIBLE_POINTS)
    .sort((a, b) => Math.abs(b.effect) - Math.abs(a.effect) || a.feature.localeCompare(b.feature));
  return { probability, prior, basis: 'learned', contributions };
}
