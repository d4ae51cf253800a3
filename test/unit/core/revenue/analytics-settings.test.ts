import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ANALYTICS_SETTINGS,
  DEFAULT_TOUCH_RULES,
  parseAnalyticsSettings,
  validateAnalyticsSettings,
} from '../../../../server/core/revenue/analytics-settings.ts';
import { npsDefinitionTexts, retentionDefinitionTexts } from '../../../../server/core/revenue/definitions.ts';

describe('analytics settings', () => {
  it('has defaults for everything', () => {
    expect(DEFAULT_ANALYTICS_SETTINGS).toEqual({
      retention: {
        churnCountsIn: 'renewal_close',
        termMonths: 12,
        contractionInGrr: true,
        minTenureDays: 0,
        currencyDecimals: 0,
      },
      touch: { rules: DEFAULT_TOUCH_RULES, defaultTier: 'tech_touch' },
      nps: { wave: 'quarter' },
      staffing: {
        targetLoad: { high_touch: 15, low_touch: 50, tech_touch: 500 },
        horizonMonths: 6,
        newCustomerLookbackMonths: 6,
      },
    });
  });

  it('keeps the defaults a stored set leaves out', () => {
    const settings = parseAnalyticsSettings({ staffing: { targetLoad: { high_touch: 10 } }, nps: { wave: 'month' } });
    expect(settings.staffing.targetLoad).toEqual({ high_touch: 10, low_touch: 50, tech_touch: 500 });
    expect(settings.nps.wave).toBe('month');
    expect(settings.retention.churnCountsIn).toBe('renewal_close');
  });

  it.each([
    [{ retention: { churnCountsIn: 'whenever' } }, '$.retention.churnCountsIn'],
    [{ retention: { currencyDecimals: 3 } }, '$.retention.currencyDecimals'],
    [{ touch: { rules: [{ tier: 'vip', arrAtLeast: 1 }] } }, '$.touch.rules[0].tier'],
    [{ touch: { rules: [{ tier: 'low_touch', arrAtLeast: -5 }] } }, '$.touch.rules[0].arrAtLeast'],
    [{ touch: { rules: [{ tier: 'low_touch', segmentIn: [] }] } }, '$.touch.rules[0].segmentIn'],
    [{ staffing: { targetLoad: { high_touch: 0 } } }, '$.staffing.targetLoad.high_touch'],
    [{ staffing: { horizonMonths: 36 } }, '$.staffing.horizonMonths'],
    [{ colour: 'blue' }, '$'],
  ])('%j is refused at %s', (input, path) => {
    const result = validateAnalyticsSettings(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.map((problem) => problem.path)).toContain(path);
  });

  it('says why a rule without conditions is refused', () => {
    const result = validateAnalyticsSettings({ touch: { rules: [{ tier: 'high_touch' }] } });
    expect(result).toEqual({
      ok: false,
      problems: [
        {
          path: '$.touch.rules[0]',
          message:
            'a rule needs at least one condition (arrAtLeast, segmentIn or licencesAtLeast); use defaultTier for the rest',
        },
      ],
    });
  });

  it('parse throws with every problem and its path', () => {
    expect(() => parseAnalyticsSettings({ staffing: { targetLoad: { low_touch: 0 } }, nps: { wave: 'week' } })).toThrow(
      /\$\.nps\.wave: .*\$\.staffing\.targetLoad\.low_touch: a target load must be above 0|\$\.staffing\.targetLoad\.low_touch: a target load must be above 0.*\$\.nps\.wave/,
    );
  });
});

describe('definition texts follow the settings', () => {
  it.each([
    [{}, 'nrr', /closed lost/],
    [{ churnCountsIn: 'contract_end' as const, termMonths: 24 }, 'nrr', /contract ended .* plus 24 months/],
    [{ contractionInGrr: false }, 'grr', /contraction is not counted/],
    [{}, 'grr', /churned and contracted ARR/],
    [{ currencyDecimals: 2 }, 'arr', /2 decimals/],
  ])('%j → %s says %s', (overrides, metric, text) => {
    const texts = retentionDefinitionTexts({ ...DEFAULT_ANALYTICS_SETTINGS.retention, ...overrides });
    expect(texts[metric as keyof typeof texts]).toMatch(text);
  });

  it('NPS says how answers are counted', () => {
    expect(npsDefinitionTexts({ wave: 'quarter' }).dedupe).toMatch(/once per survey wave \(a calendar quarter\)/);
  });
});
