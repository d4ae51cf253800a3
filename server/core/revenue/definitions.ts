import type { NpsSettings, RetentionDefinitions, TouchModel, TouchRule } from './analytics-settings.ts';
import type { RetentionMetric } from './retention.ts';

/**
 * The words written next to every figure, made from the installation's own definitions, so a reader
 * never has to guess which NRR this is.
 */

const TIER_NAMES = { high_touch: 'high touch', low_touch: 'low touch', tech_touch: 'tech touch' } as const;

function churnMoment(definitions: RetentionDefinitions): string {
  return definitions.churnCountsIn === 'renewal_close'
    ? 'A lost customer counts in the month its renewal was closed lost.'
    : `A lost customer counts in the month its contract ended (the last won term's close plus ${definitions.termMonths} months).`;
}

export function retentionDefinitionTexts(definitions: RetentionDefinitions): Record<RetentionMetric, string> {
  const gross = definitions.contractionInGrr
    ? 'churned and contracted ARR'
    : 'churned ARR (contraction is not counted)';
  return {
    nrr:
      'NRR = ARR at the end of the period of the customers paying when it began, ÷ their ARR when it began; ' +
      `expansion and contraction count, new customers are excluded. ${churnMoment(definitions)}`,
    grr:
      `GRR = ARR when the period began of the customers paying then, minus ${gross}, ÷ that ARR; ` +
      `expansion never lifts it above 100%. ${churnMoment(definitions)}`,
    logo_churn_rate:
      'Logo churn = customers paying when the period began who pay nothing at its end, ÷ customers paying when it began; ' +
      `one who leaves and returns within the period is not churned. ${churnMoment(definitions)}`,
    revenue_churn_rate: `Revenue churn = ${gross} of the customers paying when the period began, ÷ their ARR then (1 − GRR).`,
    expansion: 'Expansion = ARR gained over the period by customers paying when it began and paying more at its end.',
    contraction: 'Contraction = ARR lost over the period by customers who still pay at its end, but less.',
    new_business:
      'New = customers not paying when the period began and paying at its end, with their ARR; not in any rate.',
    arr:
      'ARR on a day = the latest won new-business or renewal deal closed by then plus won expansions since; ' +
      'a lost renewal makes it 0 (the ARR the health score reads). ' +
      `Months are calendar months in UTC; ARR is rounded to ${definitions.currencyDecimals} decimals.`,
    trailing_12:
      'Trailing 12 months = the twelve calendar months ending with the month shown: ' +
      'the customers paying before the first of them, against their ARR at the end of the last.',
  };
}

export function cohortDefinitionText(definitions: RetentionDefinitions): string {
  const tenure =
    definitions.minTenureDays > 0
      ? ` An account joins its cohort once it has been a customer ${definitions.minTenureDays} days.`
      : '';
  return (
    'A cohort = the customers whose first won deal closed in that calendar quarter. ' +
    'Logo retention = cohort customers still paying at the end of each later quarter ÷ cohort size; ' +
    'ARR retention = their ARR then (expansion included) ÷ their ARR on the day each started; ' +
    `gross ARR retention caps each customer at its starting ARR.${tenure} ${churnMoment(definitions)}`
  );
}

export function npsDefinitionTexts(settings: NpsSettings): Record<'nps' | 'dedupe' | 'themes', string> {
  return {
    nps: 'NPS = % promoters (9–10) − % detractors (0–6) of the answers counted; passives (7–8) count in the total only. Range −100 to 100.',
    dedupe:
      `A contact counts once per survey wave (a calendar ${settings.wave}): their latest answer in it. ` +
      'Answers without a contact each count.',
    themes:
      'Themes = keyword matches in the verbatim (one answer can mention several); ' +
      "a theme's NPS is that of the counted answers mentioning it.",
  };
}

function ruleText(rule: TouchRule): string {
  const conditions: string[] = [];
  if (rule.arrAtLeast !== undefined) conditions.push(`ARR ≥ ${rule.arrAtLeast.toLocaleString('en-US')}`);
  if (rule.segmentIn !== undefined) conditions.push(`segment is ${rule.segmentIn.join(' or ')}`);
  if (rule.licencesAtLeast !== undefined) conditions.push(`licences ≥ ${rule.licencesAtLeast.toLocaleString('en-US')}`);
  return `${conditions.join(' and ')} → ${TIER_NAMES[rule.tier]}`;
}

/** The rules in words, in the order they are tried: "ARR ≥ 100,000 → high touch; …; otherwise tech touch." */
export function touchModelText(model: TouchModel): string {
  return [...model.rules.map(ruleText), `otherwise ${TIER_NAMES[model.defaultTier]}`].join('; ') + '.';
}
