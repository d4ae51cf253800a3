import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../../../../server/core/health/signals.ts';
import { evaluateRules } from '../../../../server/core/warnings/evaluate.ts';
import type { WarningInput } from '../../../../server/core/warnings/input.ts';
import {
  COMMON_PLACEHOLDERS,
  DEFAULT_WARNING_RULES,
  EVIDENCE_KEYS,
  RULE_IDS,
  placeholdersIn,
} from '../../../../server/core/warnings/rules-config.ts';
import { AT, daysAgo, inputWith, rulesWith, usageDays, weeklyHistory } from './builders.ts';

/** An account in trouble on every front at once. */
function troubled(): WarningInput {
  return inputWith({
    account: { id: 'acc-7', name: 'Globex', segment: 'enterprise', status: 'active' },
    health: { score: 35, band: 'red', trend: 'declining' },
    history: weeklyHistory([75, 75, 75, 75, 60, 48, 35]),
    usage: usageDays(110, (ago) => (ago <= 35 ? 10 : 30), 100),
    tickets: [
      ...Array.from({ length: 8 }, (_, i) => ({
        id: `n${i}`,
        createdAt: daysAgo(i + 1),
        closedAt: daysAgo(0.5),
        priority: 'low' as const,
      })),
      { id: 'T-1', createdAt: daysAgo(12), closedAt: null, priority: 'urgent' },
    ],
    contacts: [
      { id: 'c1', name: 'Ann', role: 'champion', gone: true, departedOn: daysAgo(8), lastEngagedAt: daysAgo(40) },
      { id: 'c2', name: null, role: 'other', gone: false, departedOn: null, lastEngagedAt: daysAgo(35) },
    ],
    nps: [{ score: 1, at: daysAgo(4) }],
    sentiment: [],
    renewal: { on: AT + 60 * DAY_MS, daysTo: 60 },
    override: { band: 'red', expiresAt: AT + 2 * DAY_MS, author: 'csm@example.com' },
    stage: { stage: 'onboarding', enteredAt: daysAgo(50) },
    plans: [
      {
        id: 'plan-1',
        name: 'Enterprise onboarding',
        stage: 'onboarding',
        startedAt: daysAgo(50),
        milestones: [{ key: 'kickoff', title: 'Kickoff held', dueAt: daysAgo(43), reachedAt: null }],
        objectives: [
          {
            key: 'active_users',
            title: '60% of licences in active use',
            status: 'behind',
            statusSince: daysAgo(20),
            value: 0.1,
            expected: 0.33,
            target: 0.6,
            comparator: 'gte',
            dueAt: AT + 40 * DAY_MS,
            valueText: '10% of licences',
            expectedText: '33% of licences',
            targetText: '60% of licences',
          },
        ],
      },
    ],
  });
}

describe('evaluateRules', () => {
  it('finds every rule on an account in trouble everywhere, each with its own key', () => {
    const findings = evaluateRules(troubled(), DEFAULT_WARNING_RULES, AT);
    expect(findings.filter((finding) => finding.state === 'firing').map((finding) => finding.dedupeKey)).toEqual([
      'declining_trend:acc-7',
      'band_drop:acc-7',
      'usage_drop:acc-7',
      'low_licence_use:acc-7',
      'detractor:acc-7',
      'ticket_spike:acc-7',
      'stale_high_priority_ticket:acc-7:ticket:T-1',
      'champion_lost:acc-7:champion',
      'renewal_at_risk:acc-7',
      'no_engagement:acc-7',
      'override_expiring:acc-7:2026-07-02',
      'onboarding_stalled:acc-7:plan-1',
      'objective_behind:acc-7:plan-1:active_users',
    ]);
  });

  it('reports exactly the evidence values its playbook placeholders may name', () => {
    for (const finding of evaluateRules(troubled(), DEFAULT_WARNING_RULES, AT)) {
      const keys = [...Object.keys(finding.evidence.values), ...Object.keys(finding.evidence.thresholds)];
      expect(keys.sort(), finding.rule).toEqual([...EVIDENCE_KEYS[finding.rule]].sort());
      expect(finding.evidence.text.length, finding.rule).toBeGreaterThan(20);
    }
  });

  it('renders the next steps with the account and the evidence, leaving no placeholder behind', () => {
    const findings = evaluateRules(troubled(), DEFAULT_WARNING_RULES, AT);
    const usage = findings.find((finding) => finding.rule === 'usage_drop');
    expect(usage?.nextSteps[0]).toEqual({
      step: 0,
      subject: 'Check the usage drop at Globex',
      body: expect.stringMatching(
        /^Active users average 10 a day over the last 14 days, 56% below the 22.5 of the 56 days before\./,
      ),
      dueInDays: 3,
      assignee: 'csm',
      priority: 'medium',
    });
    const known = new Set<string>(COMMON_PLACEHOLDERS);
    for (const finding of findings) {
      for (const step of finding.nextSteps) {
        expect(
          placeholdersIn(`${step.subject} ${step.body}`).filter((name) => !known.has(name)),
          finding.rule,
        ).toEqual([]);
      }
    }
  });

  it('takes severity from the rule set', () => {
    const rules = rulesWith({ ticket_spike: { severity: 'high' } });
    expect(evaluateRules(troubled(), rules, AT).find((finding) => finding.rule === 'ticket_spike')?.severity).toBe(
      'high',
    );
  });

  it('skips rules turned off or limited to other segments', () => {
    const rules = rulesWith({ usage_drop: { enabled: false }, no_engagement: { segments: ['smb'] } });
    const found = new Set(evaluateRules(troubled(), rules, AT).map((finding) => finding.rule));
    expect(found.has('usage_drop')).toBe(false);
    expect(found.has('no_engagement')).toBe(false);
    expect(found.size).toBe(RULE_IDS.length - 2);
    const enterpriseOnly = rulesWith({ no_engagement: { segments: ['enterprise'] } });
    expect(evaluateRules(troubled(), enterpriseOnly, AT).some((finding) => finding.rule === 'no_engagement')).toBe(
      true,
    );
  });

  it('finds nothing on a churned account', () => {
    const churned = { ...troubled(), account: { ...troubled().account, status: 'churned' as const } };
    expect(evaluateRules(churned, DEFAULT_WARNING_RULES, AT)).toEqual([]);
  });

  it('finds nothing on a quiet, healthy account', () => {
    const healthy = inputWith({
      history: weeklyHistory([78, 79, 78, 80, 79, 78, 79]),
      usage: usageDays(110, (ago) => 60 + (ago % 3), 100),
      contacts: [{ id: 'c1', name: 'Bo', role: 'champion', gone: false, departedOn: null, lastEngagedAt: daysAgo(3) }],
      nps: [
        { score: 9, at: daysAgo(10) },
        { score: 6, at: daysAgo(12) },
        { score: 8, at: daysAgo(14) },
      ],
      renewal: { on: AT + 60 * DAY_MS, daysTo: 60 },
    });
    expect(evaluateRules(healthy, DEFAULT_WARNING_RULES, AT)).toEqual([]);
  });

  it('refuses an input built for another instant', () => {
    expect(() => evaluateRules(troubled(), DEFAULT_WARNING_RULES, AT + 1)).toThrow(
      /built for 2026-06-30T12:00:00.000Z/,
    );
  });
});
