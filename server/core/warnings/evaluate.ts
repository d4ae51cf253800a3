import { dedupeKeyOf, type Detection, type EvidenceValue, type Finding, type RenderedStep } from './finding.ts';
import type { WarningInput } from './input.ts';
import { RULE_IDS, type PlaybookStep, type RuleConfig, type RuleId, type WarningRules } from './rules-config.ts';
import { championLost, noEngagement } from './rules/relationship-rules.ts';
import { overrideExpiring } from './rules/override-rules.ts';
import { bandDrop, decliningTrend, renewalAtRisk } from './rules/score-rules.ts';
import { staleHighPriorityTicket, ticketSpike } from './rules/support-rules.ts';
import { lowLicenceUse, usageDrop } from './rules/usage-rules.ts';
import { objectiveBehind, onboardingStalled } from './rules/plan-rules.ts';
import { detractor } from './rules/voice-rules.ts';
import { renderTemplate } from './template.ts';

type Detector<R extends RuleId> = (input: WarningInput, config: RuleConfig<R>) => Detection[];

const DETECTORS: { readonly [R in RuleId]: Detector<R> } = {
  declining_trend: decliningTrend,
  band_drop: bandDrop,
  usage_drop: usageDrop,
  low_licence_use: lowLicenceUse,
  detractor,
  ticket_spike: ticketSpike,
  stale_high_priority_ticket: staleHighPriorityTicket,
  champion_lost: championLost,
  renewal_at_risk: renewalAtRisk,
  no_engagement: noEngagement,
  override_expiring: overrideExpiring,
  onboarding_stalled: onboardingStalled,
  objective_behind: objectiveBehind,
};

/** The values a playbook text may name for one finding: its evidence plus the account and the warning. */
export function placeholderValues(
  finding: Pick<Finding, 'title' | 'severity' | 'evidence'>,
  accountName: string,
): Record<string, EvidenceValue> {
  return {
    ...finding.evidence.thresholds,
    ...finding.evidence.values,
    account: accountName,
    title: finding.title,
    why: finding.evidence.text,
    severity: finding.severity,
  };
}

export function renderSteps(
  playbook: readonly PlaybookStep[],
  values: Readonly<Record<string, EvidenceValue>>,
): RenderedStep[] {
  return playbook.map((step, index) => ({
    step: index,
    subject: renderTemplate(step.subject, values),
    body: renderTemplate(step.body, values),
    dueInDays: step.dueInDays,
    assignee: step.assignee,
    priority: step.priority,
  }));
}

function appliesTo(config: { enabled: boolean; segments: readonly string[] }, input: WarningInput): boolean {
  if (!config.enabled) return false;
  return (
    config.segments.length === 0 || (input.account.segment !== null && config.segments.includes(input.account.segment))
  );
}

function detect<R extends RuleId>(rule: R, input: WarningInput, rules: WarningRules): Finding[] {
  const config = rules[rule];
  if (!appliesTo(config, input)) return [];
  return DETECTORS[rule](input, config).map((detection) => {
    const finding = {
      rule,
      accountId: input.account.id,
      dedupeKey: dedupeKeyOf(rule, input.account.id, detection.subject),
      state: detection.state,
      severity: detection.severity ?? config.severity,
      title: detection.title,
      evidence: detection.evidence,
    };
    return { ...finding, nextSteps: renderSteps(config.playbook, placeholderValues(finding, input.account.name)) };
  });
}

/**
 * Every rule's findings for one account at `at`, in rule order. A churned account has none: there is
 * nothing left to save, and its open warnings resolve as gone.
 */
export function evaluateRules(input: WarningInput, rules: WarningRules, at: number): Finding[] {
  if (input.at !== at) {
    throw new RangeError(
      `the input was built for ${new Date(input.at).toISOString()}, not ${new Date(at).toISOString()}`,
    );
  }
  if (input.account.status === 'churned') return [];
  return RULE_IDS.flatMap((rule) => detect(rule, input, rules));
}
