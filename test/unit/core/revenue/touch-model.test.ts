import { describe, expect, it } from 'vitest';
import { parseAnalyticsSettings, type TouchModel } from '../../../../server/core/revenue/analytics-settings.ts';
import { touchModelText } from '../../../../server/core/revenue/definitions.ts';
import { touchRuleIndexOf, touchTierOf, type TouchFacts } from '../../../../server/core/revenue/touch-model.ts';

const defaults = parseAnalyticsSettings({}).touch;
const facts = (arr: number | null, segment: string | null, licences: number | null = null): TouchFacts => ({
  arr,
  segment,
  licences,
});

describe('default touch rules', () => {
  it.each([
    [facts(150_000, 'smb'), 'high_touch', 0],
    [facts(100_000, null), 'high_touch', 0],
    [facts(null, 'Enterprise'), 'high_touch', 1],
    [facts(5_000, ' enterprise '), 'high_touch', 1],
    [facts(50_000, 'mid_market'), 'low_touch', 2],
    [facts(20_000, 'smb'), 'low_touch', 2],
    [facts(19_999, 'smb'), 'tech_touch', null],
    [facts(null, null), 'tech_touch', null],
  ])('%j → %s (rule %s)', (account, tier, rule) => {
    expect(touchTierOf(account, defaults)).toBe(tier);
    expect(touchRuleIndexOf(account, defaults)).toBe(rule);
  });
});

describe('an installation’s own rules', () => {
  const model: TouchModel = parseAnalyticsSettings({
    touch: {
      rules: [
        { tier: 'high_touch', arrAtLeast: 50_000, licencesAtLeast: 200 },
        { tier: 'low_touch', segmentIn: ['mid_market', 'SMB'] },
      ],
      defaultTier: 'low_touch',
    },
  }).touch;

  it.each([
    // Both conditions of rule 1 must hold; an unknown licence count meets no threshold.
    [facts(60_000, 'enterprise', 250), 'high_touch'],
    [facts(60_000, 'enterprise', 150), 'low_touch'],
    [facts(60_000, 'enterprise', null), 'low_touch'],
    [facts(1_000, 'smb'), 'low_touch'],
  ])('%j → %s', (account, tier) => {
    expect(touchTierOf(account, model)).toBe(tier);
  });

  it('says the rules in words', () => {
    expect(touchModelText(model)).toBe(
      'ARR ≥ 50,000 and licences ≥ 200 → high touch; segment is mid_market or SMB → low touch; otherwise low touch.',
    );
    expect(touchModelText(defaults)).toBe(
      'ARR ≥ 100,000 → high touch; segment is enterprise → high touch; ARR ≥ 20,000 → low touch; otherwise tech touch.',
    );
  });
});
