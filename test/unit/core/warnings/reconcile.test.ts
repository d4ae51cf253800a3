import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../../../../server/core/health/signals.ts';
import type { Finding, FindingState } from '../../../../server/core/warnings/finding.ts';
import {
  applyReconciliation,
  reconcileWarnings,
  type OpenWarning,
  type ReconcileInput,
  type WarningState,
} from '../../../../server/core/warnings/reconcile.ts';
import {
  DEFAULT_WARNING_RULES,
  type RuleId,
  type WarningSeverity,
} from '../../../../server/core/warnings/rules-config.ts';
import { AT, rulesWith } from './builders.ts';

const finding = (
  rule: RuleId,
  state: FindingState = 'firing',
  account = 'acc-1',
  severity: WarningSeverity = 'medium',
  subject?: string,
): Finding => ({
  rule,
  accountId: account,
  dedupeKey: subject === undefined ? `${rule}:${account}` : `${rule}:${account}:${subject}`,
  state,
  severity,
  title: `${rule} on ${account}`,
  evidence: { text: 'why', values: {}, thresholds: {} },
  nextSteps: [],
});

const openWarning = (rule: string, lastSeenDaysAgo = 0, account = 'acc-1'): OpenWarning => ({
  id: `w-${rule}-${account}`,
  rule,
  dedupeKey: `${rule}:${account}`,
  accountId: account,
  severity: 'medium',
  openedAt: AT - 30 * DAY_MS,
  lastSeenAt: AT - lastSeenDaysAgo * DAY_MS,
});

const reconcile = (overrides: Partial<ReconcileInput>) =>
  reconcileWarnings({
    findings: [],
    open: [],
    lastResolvedByKey: new Map(),
    rules: DEFAULT_WARNING_RULES,
    at: AT,
    activeAccounts: ['acc-1', 'acc-2'],
    ...overrides,
  });

const summary = (result: ReturnType<typeof reconcileWarnings>) => ({
  open: result.open.map((found) => found.dedupeKey),
  seen: result.seen.map((warning) => warning.dedupeKey),
  resolve: result.resolve.map((resolution) => `${resolution.dedupeKey} ${resolution.reason}`),
  suppressed: result.suppressed.map((entry) => entry.finding.dedupeKey),
});

describe('reconcileWarnings: opening', () => {
  it.each<[string, Partial<ReconcileInput>, Partial<ReturnType<typeof summary>>]>([
    ['a new firing finding opens', { findings: [finding('usage_drop')] }, { open: ['usage_drop:acc-1'] }],
    ['a holding finding opens nothing', { findings: [finding('usage_drop', 'holding')] }, { open: [] }],
    [
      'a key already open is seen, not opened again',
      { findings: [finding('usage_drop')], open: [openWarning('usage_drop', 1)] },
      { open: [], seen: ['usage_drop:acc-1'] },
    ],
    [
      // usage_drop cools down 45 days.
      'inside the cooldown (resolved 44 days ago) it is suppressed',
      { findings: [finding('usage_drop')], lastResolvedByKey: new Map([['usage_drop:acc-1', AT - 44 * DAY_MS]]) },
      { open: [], suppressed: ['usage_drop:acc-1'] },
    ],
    [
      'when the cooldown ends (resolved 45 days ago) it opens',
      { findings: [finding('usage_drop')], lastResolvedByKey: new Map([['usage_drop:acc-1', AT - 45 * DAY_MS]]) },
      { open: ['usage_drop:acc-1'], suppressed: [] },
    ],
    [
      'a cooldown on one key leaves another key of the same rule alone',
      {
        findings: [finding('usage_drop', 'firing', 'acc-2')],
        lastResolvedByKey: new Map([['usage_drop:acc-1', AT - DAY_MS]]),
      },
      { open: ['usage_drop:acc-2'] },
    ],
    [
      'a finding of a rule turned off opens nothing',
      { findings: [finding('usage_drop')], rules: rulesWith({ usage_drop: { enabled: false } }) },
      { open: [] },
    ],
    [
      'a finding on an account that is gone opens nothing',
      { findings: [finding('usage_drop', 'firing', 'acc-9')] },
      { open: [] },
    ],
  ])('%s', (_what, input, expected) => {
    expect(summary(reconcile(input))).toMatchObject(expected);
  });

  it('says when a suppressed key may open again', () => {
    const result = reconcile({
      findings: [finding('usage_drop')],
      lastResolvedByKey: new Map([['usage_drop:acc-1', AT - 10 * DAY_MS]]),
    });
    expect(result.suppressed[0]?.until).toBe(AT + 35 * DAY_MS);
  });

  it('opens one warning per key, preferring a firing finding and the higher severity', () => {
    const result = reconcile({
      findings: [
        finding('stale_high_priority_ticket', 'firing', 'acc-1', 'low', 'ticket:T1'),
        finding('stale_high_priority_ticket', 'firing', 'acc-1', 'high', 'ticket:T1'),
        finding('usage_drop', 'holding', 'acc-2', 'high'),
        finding('usage_drop', 'firing', 'acc-2', 'low'),
      ],
    });
    expect(result.open.map((found) => [found.dedupeKey, found.severity])).toEqual([
      ['stale_high_priority_ticket:acc-1:ticket:T1', 'high'],
      ['usage_drop:acc-2', 'low'],
    ]);
  });
});

describe('reconcileWarnings: resolving', () => {
  it.each<[string, Partial<ReconcileInput>, Partial<ReturnType<typeof summary>>]>([
    // usage_drop resolves after 3 quiet days.
    ['absent 2 days: stays open, not seen', { open: [openWarning('usage_drop', 2)] }, { seen: [], resolve: [] }],
    ['absent 3 days: resolves', { open: [openWarning('usage_drop', 3)] }, { resolve: ['usage_drop:acc-1 recovered'] }],
    [
      'holding (not yet back above the resolve line): stays open and seen',
      { open: [openWarning('usage_drop', 5)], findings: [finding('usage_drop', 'holding')] },
      { seen: ['usage_drop:acc-1'], resolve: [] },
    ],
    // detractor resolves as soon as its condition clears.
    [
      'a rule with no quiet days resolves at once',
      { open: [openWarning('detractor', 0)] },
      { resolve: ['detractor:acc-1 recovered'] },
    ],
    [
      'its rule turned off',
      {
        open: [openWarning('usage_drop')],
        findings: [finding('usage_drop')],
        rules: rulesWith({ usage_drop: { enabled: false } }),
      },
      { resolve: ['usage_drop:acc-1 rule_disabled'], seen: [] },
    ],
    ['its rule no longer exists', { open: [openWarning('nps_drop')] }, { resolve: ['nps_drop:acc-1 rule_disabled'] }],
    [
      'its account is gone',
      { open: [openWarning('usage_drop', 0, 'acc-9')], findings: [finding('usage_drop', 'firing', 'acc-9')] },
      { resolve: ['usage_drop:acc-9 account_gone'] },
    ],
  ])('%s', (_what, input, expected) => {
    expect(summary(reconcile(input))).toMatchObject(expected);
  });

  it('explains a resolution in words', () => {
    expect(reconcile({ open: [openWarning('usage_drop', 4)] }).resolve[0]).toEqual({
      id: 'w-usage_drop-acc-1',
      dedupeKey: 'usage_drop:acc-1',
      reason: 'recovered',
      text: 'The condition has cleared for 3 days.',
    });
  });
});

describe('reconcileWarnings: idempotence', () => {
  const start: WarningState = {
    open: [openWarning('usage_drop', 1), openWarning('detractor', 0), openWarning('band_drop', 0, 'acc-9')],
    lastResolvedByKey: new Map([['ticket_spike:acc-1', AT - 5 * DAY_MS]]),
  };
  const findings = [
    finding('usage_drop', 'holding'),
    finding('no_engagement'),
    finding('ticket_spike'),
    finding('champion_lost', 'firing', 'acc-2', 'high', 'champion'),
  ];
  const run = (state: WarningState) =>
    reconcile({ findings, open: state.open, lastResolvedByKey: state.lastResolvedByKey });

  it('changes nothing when the same inputs are reconciled again after applying the first answer', () => {
    const first = run(start);
    expect(summary(first)).toEqual({
      open: ['champion_lost:acc-2:champion', 'no_engagement:acc-1'],
      seen: ['usage_drop:acc-1'],
      resolve: ['band_drop:acc-9 account_gone', 'detractor:acc-1 recovered'],
      suppressed: ['ticket_spike:acc-1'],
    });
    const applied = applyReconciliation(start, first, AT);
    const second = run(applied);
    expect(second.open).toEqual([]);
    expect(second.resolve).toEqual([]);
    expect(applyReconciliation(applied, second, AT)).toEqual(applied);
  });
});

describe('reconcileWarnings: day by day', () => {
  /** Replays one account's daily finding states; answers the days a warning opened and resolved. */
  function replay(states: (FindingState | null)[], rule: RuleId = 'usage_drop') {
    let state: WarningState = { open: [], lastResolvedByKey: new Map() };
    const events: string[] = [];
    states.forEach((found, day) => {
      const at = AT + day * DAY_MS;
      const result = reconcile({
        findings: found ? [finding(rule, found)] : [],
        open: state.open,
        lastResolvedByKey: state.lastResolvedByKey,
        at,
      });
      for (const opened of result.open) events.push(`day ${day}: open ${opened.dedupeKey}`);
      for (const resolved of result.resolve) events.push(`day ${day}: resolve (${resolved.reason})`);
      state = applyReconciliation(state, result, at);
    });
    return events;
  }

  it('keeps one warning open through a flapping condition and does not reopen it inside the cooldown', () => {
    const F = 'firing' as const;
    const H = 'holding' as const;
    const days: (FindingState | null)[] = [F, H, F, null, null, F, H, null, null, null, F, F, null, null, null];
    expect(replay(days)).toEqual(['day 0: open usage_drop:acc-1', 'day 9: resolve (recovered)']);
  });

  it('opens again once the cooldown is over', () => {
    const days: (FindingState | null)[] = ['firing', ...Array<null>(3), ...Array<FindingState>(50).fill('firing')];
    // Resolved on day 3 (3 quiet days); usage_drop cools down 45 days, so day 48 opens.
    expect(replay(days)).toEqual([
      'day 0: open usage_drop:acc-1',
      'day 3: resolve (recovered)',
      'day 48: open usage_drop:acc-1',
    ]);
  });
});
