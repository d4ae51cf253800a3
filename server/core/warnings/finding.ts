import { z } from 'zod';
import type { PlaybookStep, RuleId, WarningSeverity } from './rules-config.ts';

/** What a rule saw: measured values beside the thresholds they crossed, and the sentence a CSM reads. */
export type EvidenceValue = number | string | null;

const evidenceValue = z.union([z.number(), z.string(), z.null()]);

/** Evidence as stored with a warning; read back through this schema. */
export const evidenceSchema = z.strictObject({
  /** One or two sentences: what fired and why, with the numbers. */
  text: z.string(),
  values: z.record(z.string(), evidenceValue),
  thresholds: z.record(z.string(), evidenceValue),
});
export type Evidence = z.infer<typeof evidenceSchema>;

/**
 * `firing`: the rule's condition holds, so a warning opens (cooldown permitting).
 * `holding`: the condition no longer holds but the account has not recovered past the resolve line
 * (hysteresis), so an open warning stays open; nothing opens on it.
 */
export type FindingState = 'firing' | 'holding';

/** A playbook step rendered for one account, before it is scheduled (`tasksFor` adds dates and people). */
export interface RenderedStep {
  step: number;
  subject: string;
  body: string;
  dueInDays: number;
  assignee: PlaybookStep['assignee'];
  priority: PlaybookStep['priority'];
}

export interface Finding {
  rule: RuleId;
  accountId: string;
  /** Stable across runs: rule and account, plus the ticket, role or renewal the warning follows. */
  dedupeKey: string;
  state: FindingState;
  severity: WarningSeverity;
  title: string;
  evidence: Evidence;
  nextSteps: RenderedStep[];
}

/** What one rule reports about one account, before evaluate adds the rule's settings. */
export interface Detection {
  /** Appended to the dedupe key when the rule follows one thing on the account (a ticket, a role). */
  subject?: string;
  state: FindingState;
  /** Overrides the rule's severity for this finding (a missed objective weighs more than a late one). */
  severity?: WarningSeverity;
  title: string;
  evidence: Evidence;
}

export function dedupeKeyOf(rule: RuleId, accountId: string, subject?: string): string {
  return subject === undefined ? `${rule}:${accountId}` : `${rule}:${accountId}:${subject}`;
}
