import { DAY_MS } from '../health/signals.ts';
import type { Finding } from './finding.ts';
import { RULE_IDS, type RuleId, type WarningRules, type WarningSeverity } from './rules-config.ts';

/**
 * Turns one run's findings into changes to the stored warnings: which open, which stay open, which
 * resolve and why. At most one open warning per dedupe key; a key that resolved stays shut for its
 * rule's cooldown; an open warning resolves once its condition (hysteresis included) has been absent
 * for the rule's quiet days, when its rule is turned off, or when its account is no longer a customer.
 * Applying the answer and reconciling the same findings again changes nothing.
 */

export interface OpenWarning {
  id: string;
  rule: string;
  dedupeKey: string;
  accountId: string;
  severity: WarningSeverity;
  openedAt: number;
  /** The last run whose findings still had this key. */
  lastSeenAt: number;
}

export type ResolveReason = 'recovered' | 'rule_disabled' | 'account_gone';

export interface ReconcileInput {
  findings: readonly Finding[];
  /** The open warnings of the accounts this run covers, and of accounts that are no longer customers. */
  open: readonly OpenWarning[];
  /** When each dedupe key last resolved (epoch ms). */
  lastResolvedByKey: ReadonlyMap<string, number>;
  rules: WarningRules;
  at: number;
  /** The accounts evaluated that are still customers; open warnings of any other account resolve as gone. */
  activeAccounts: readonly string[];
}

export interface Resolution {
  id: string;
  dedupeKey: string;
  reason: ResolveReason;
  /** For the warning's history and the "resolved" notification. */
  text: string;
}

export interface Reconciliation {
  /** New warnings, one per key, most severe first. */
  open: Finding[];
  /** Open warnings whose key was found again: their last-seen time moves to `at`. */
  seen: { id: string; dedupeKey: string }[];
  resolve: Resolution[];
  /** Firing findings kept shut by their key's cooldown, with when it ends. */
  suppressed: { finding: Finding; until: number }[];
}

const SEVERITY_RANK: Record<WarningSeverity, number> = { low: 0, medium: 1, high: 2 };
const isRuleId = (rule: string): rule is RuleId => (RULE_IDS as readonly string[]).includes(rule);

/** Of two findings with one key, the one that can open, then the more severe, then the first. */
function stronger(a: Finding, b: Finding): Finding {
  if (a.state !== b.state) return a.state === 'firing' ? a : b;
  return SEVERITY_RANK[b.severity] > SEVERITY_RANK[a.severity] ? b : a;
}

const byKey = (a: { dedupeKey: string }, b: { dedupeKey: string }) =>
  a.dedupeKey < b.dedupeKey ? -1 : a.dedupeKey > b.dedupeKey ? 1 : 0;

const ids = (warning: OpenWarning) => ({ id: warning.id, dedupeKey: warning.dedupeKey });

export function reconcileWarnings(input: ReconcileInput): Reconciliation {
  const { rules, at } = input;
  const active = new Set(input.activeAccounts);
  const enabled = (rule: string) => isRuleId(rule) && rules[rule].enabled;

  const found = new Map<string, Finding>();
  for (const finding of input.findings) {
    if (!enabled(finding.rule) || !active.has(finding.accountId)) continue;
    const previous = found.get(finding.dedupeKey);
    found.set(finding.dedupeKey, previous === undefined ? finding : stronger(previous, finding));
  }

  const seen: Reconciliation['seen'] = [];
  const resolve: Resolution[] = [];
  const openKeys = new Set<string>();
  for (const warning of [...input.open].sort(byKey)) {
    openKeys.add(warning.dedupeKey);
    if (!active.has(warning.accountId)) {
      resolve.push({ ...ids(warning), reason: 'account_gone', text: 'The account is no longer a customer.' });
    } else if (!enabled(warning.rule)) {
      resolve.push({ ...ids(warning), reason: 'rule_disabled', text: 'The rule was turned off.' });
    } else if (found.has(warning.dedupeKey)) {
      seen.push(ids(warning));
    } else {
      const quietDays = rules[warning.rule as RuleId].resolve.afterQuietDays;
      if (at - warning.lastSeenAt >= quietDays * DAY_MS) {
        const since = quietDays === 0 ? '' : ` for ${quietDays} day${quietDays === 1 ? '' : 's'}`;
        resolve.push({ ...ids(warning), reason: 'recovered', text: `The condition has cleared${since}.` });
      }
    }
  }

  const open: Finding[] = [];
  const suppressed: Reconciliation['suppressed'] = [];
  for (const finding of [...found.values()].sort(byKey)) {
    if (finding.state !== 'firing' || openKeys.has(finding.dedupeKey)) continue;
    const resolvedAt = input.lastResolvedByKey.get(finding.dedupeKey);
    const until = resolvedAt === undefined ? -Infinity : resolvedAt + rules[finding.rule].cooldownDays * DAY_MS;
    if (at < until) suppressed.push({ finding, until });
    else open.push(finding);
  }
  open.sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || byKey(a, b));
  return { open, seen, resolve, suppressed };
}

export interface WarningState {
  open: OpenWarning[];
  lastResolvedByKey: Map<string, number>;
}

/**
 * The state after applying a reconciliation at `at`, as the store would hold it; for replays and
 * tests that run the rules day after day. `idOf` names a new warning (the store uses a UUID).
 */
export function applyReconciliation(
  state: WarningState,
  changes: Reconciliation,
  at: number,
  idOf: (finding: Finding) => string = (finding) => `${finding.dedupeKey}@${at}`,
): WarningState {
  const resolved = new Set(changes.resolve.map((resolution) => resolution.id));
  const seen = new Set(changes.seen.map((warning) => warning.id));
  const lastResolvedByKey = new Map(state.lastResolvedByKey);
  for (const resolution of changes.resolve) lastResolvedByKey.set(resolution.dedupeKey, at);
  const open = state.open
    .filter((warning) => !resolved.has(warning.id))
    .map((warning) => (seen.has(warning.id) ? { ...warning, lastSeenAt: at } : warning));
  for (const finding of changes.open) {
    open.push({
      id: idOf(finding),
      rule: finding.rule,
      dedupeKey: finding.dedupeKey,
      accountId: finding.accountId,
      severity: finding.severity,
      openedAt: at,
      lastSeenAt: at,
    });
  }
  return { open, lastResolvedByKey };
}
