import type { Definition } from '../../contracts/dashboard.ts';
import type { AnalyticsSettings } from '../../core/revenue/analytics-settings.ts';
import { touchModelText } from '../../core/revenue/definitions.ts';

/** The definitions written next to the figures: named for a reader, texts from the core or the job. */

const NAMES: Record<string, string> = {
  nrr: 'Net revenue retention (NRR)',
  grr: 'Gross revenue retention (GRR)',
  logo_churn_rate: 'Logo churn',
  revenue_churn_rate: 'Revenue churn rate',
  expansion: 'Expansion',
  contraction: 'Contraction',
  new_business: 'New business',
  cohorts: 'Cohort retention',
  nps: 'Net Promoter Score',
  dedupe: 'One answer per contact and wave',
  themes: 'Themes',
  needed: 'CSMs needed',
  capacity: 'Capacity',
  gap: 'Gap',
  new: 'New customers',
  churn: 'Expected churn',
  touch: 'Touch tiers',
  probability: 'Probability to renew',
  expected_arr: 'Expected renewed ARR',
  revenue_at_risk: 'Revenue at risk',
  bottom20: 'Least likely 20 %',
};

const humanise = (key: string) => {
  const words = key.replace(/[_-]+/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

export const definition = (key: string, text: string): Definition => ({ key, name: NAMES[key] ?? humanise(key), text });

export const definitionsOf = (texts: Readonly<Record<string, string>>): Definition[] =>
  Object.entries(texts).map(([key, text]) => definition(key, text));

export const touchDefinition = (settings: AnalyticsSettings): Definition =>
  definition('touch', touchModelText(settings.touch));

/** The forecast's figures in words; the probability's text is the model's own sentence. */
export const renewalDefinitions = (explanation: string): Definition[] => [
  definition('probability', explanation),
  definition(
    'expected_arr',
    'Each renewal’s ARR times its probability to renew, summed: the ARR expected to renew if the forecast is right on average.',
  ),
  definition(
    'revenue_at_risk',
    'Each renewal’s ARR times the chance it does not renew (1 − probability), summed. Expected renewed ARR and revenue at risk add up to the ARR up for renewal.',
  ),
  definition(
    'bottom20',
    'The fifth of the renewals in the window least likely to renew (ties: larger ARR first), across the whole book; filters show the ones that match.',
  ),
];
