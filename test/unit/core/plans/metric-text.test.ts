import { describe, expect, it } from 'vitest';
import { metricBareText, metricValueText, targetText } from '../../../../server/core/plans/metric-text.ts';
import type { Comparator, Metric } from '../../../../server/core/plans/plan-model.ts';

const activeUsers: Metric = { kind: 'signal', signal: 'usage.active_user_ratio', windowDays: 28, aggregation: 'mean' };
const sponsor: Metric = {
  kind: 'signal',
  signal: 'relationship.sponsor_present',
  windowDays: 1,
  aggregation: 'latest',
};
const nps: Metric = { kind: 'signal', signal: 'voice.nps', windowDays: 90, aggregation: 'mean' };
const features: Metric = { kind: 'features_live', windowDays: 28 };
const sponsorNps: Metric = { kind: 'nps_from_role', role: 'executive_sponsor', windowDays: 180 };

/** One wording of plan numbers for the card, the dashboard, the API, the shared page, warnings and briefs. */
describe('plan metric text', () => {
  it.each<[string, Metric | null, number | null, string, string]>([
    ['a ratio', activeUsers, 0.4234, '42% of licences', '42%'],
    ['a rating keeps its words bare too', nps, 8.14, '8.1 out of 10', '8.1 out of 10'],
    ['a flag', sponsor, 1, 'yes', 'yes'],
    ['features live', features, 2.96, '3.0 features', '3.0 features'],
    ['a sponsor’s answer', sponsorNps, 9, '9 out of 10', '9 out of 10'],
    ['a stored metric that no longer parses', null, 0.4567, '0.46', '0.46'],
  ])('%s', (_name, metric, value, full, bare) => {
    expect(metricValueText(metric, value)).toBe(full);
    expect(metricBareText(metric, value as number)).toBe(bare);
  });

  it('says so when nothing was measured', () => {
    expect(metricValueText(activeUsers, null)).toBe('no data');
    expect(metricValueText(features, Number.NaN)).toBe('no data');
  });

  it.each<[Metric | null, Comparator, number, string, string]>([
    [activeUsers, 'gte', 0.6, '≥ 60%', '≥ 60% of licences'],
    [features, 'gte', 3, '≥ 3.0 features', '≥ 3.0 features'],
    [
      { kind: 'signal', signal: 'support.high_priority_open', windowDays: 1, aggregation: 'latest' },
      'lte',
      0,
      '≤ 0',
      '≤ 0',
    ],
    [sponsor, 'gte', 1, 'yes', 'yes'],
    [sponsor, 'lte', 0, 'no', 'no'],
  ])('target %s %s %s reads "%s" short and "%s" full', (metric, comparator, target, short, full) => {
    expect(targetText(metric, comparator, target)).toBe(short);
    expect(targetText(metric, comparator, target, 'full')).toBe(full);
  });
});
