import { DAY_MS } from '../health/signals.ts';
import { placeholderValues, renderSteps } from './evaluate.ts';
import type { Evidence } from './finding.ts';
import { RULE_IDS, type RuleId, type TaskPriority, type WarningRules, type WarningSeverity } from './rules-config.ts';
import { formatEvidenceValue } from './template.ts';

/**
 * The CRM tasks a warning starts: one per step of its rule's playbook, rendered for the account,
 * each saying what fired and why, due a number of days after `at` and given to the account's CSM or
 * owner (the other when one is missing). The job stores one row per step and creates each task once.
 */

export interface PlaybookWarning {
  rule: string;
  title: string;
  severity: WarningSeverity;
  evidence: Evidence;
}

export interface PlaybookAccount {
  id: string;
  name: string | null;
  ownerId: string | null;
  csmId: string | null;
}

export interface TaskSpec {
  step: number;
  subject: string;
  body: string;
  /** Epoch ms. */
  dueAt: number;
  /** Null when the account has neither an owner nor a CSM. */
  assigneeId: string | null;
  priority: TaskPriority;
}

/** CRM task subjects are short; a long account name must not push the action out of view. */
export const SUBJECT_MAX = 200;

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

function whyText(warning: PlaybookWarning): string {
  const thresholds = Object.entries(warning.evidence.thresholds)
    .map(([name, value]) => `${name} ${formatEvidenceValue(value)}`)
    .join(', ');
  return [
    `Why: ${warning.evidence.text}`,
    `Warning: ${warning.title} (${warning.severity}, rule ${warning.rule}${thresholds ? `; ${thresholds}` : ''}).`,
  ].join('\n');
}

export function tasksFor(
  warning: PlaybookWarning,
  account: PlaybookAccount,
  rules: WarningRules,
  at: number,
): TaskSpec[] {
  if (!(RULE_IDS as readonly string[]).includes(warning.rule)) {
    throw new RangeError(`warning rule "${warning.rule}" is not one of ${RULE_IDS.join(', ')}`);
  }
  const playbook = rules[warning.rule as RuleId].playbook;
  const steps = renderSteps(playbook, placeholderValues(warning, account.name ?? account.id));
  const why = whyText(warning);
  return steps.map((step) => ({
    step: step.step,
    subject: clip(step.subject, SUBJECT_MAX),
    body: step.body.trim() === '' ? why : `${step.body.trim()}\n\n${why}`,
    dueAt: at + step.dueInDays * DAY_MS,
    assigneeId: step.assignee === 'csm' ? (account.csmId ?? account.ownerId) : (account.ownerId ?? account.csmId),
    priority: step.priority,
  }));
}
