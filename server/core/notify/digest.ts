import { bySeverityDescending, type Severity } from './severity.ts';

/**
 * A CSM's daily digest: the warnings opened that day (UTC), the warnings still open at the end of it
 * grouped by severity, and the playbook tasks of open warnings due within the seven days from the
 * start of the day (overdue ones included, flagged). Each line names the account and its next step.
 * The store selects the CSM's accounts and the rows around the day; this decides what goes where.
 */

const DAY_MS = 86_400_000;
export const TASK_HORIZON_DAYS = 7;

export interface DigestWindow {
  day: string;
  from: Date;
  /** The start of the next day. */
  to: Date;
  /** Tasks due before this are listed. */
  tasksDueBefore: Date;
}

/** The UTC day `YYYY-MM-DD` (already validated) as instants. */
export function digestWindow(day: string): DigestWindow {
  const from = new Date(`${day}T00:00:00.000Z`);
  if (Number.isNaN(from.getTime()) || from.toISOString().slice(0, 10) !== day) {
    throw new RangeError(`"${day}" is not a calendar day (YYYY-MM-DD)`);
  }
  return {
    day,
    from,
    to: new Date(from.getTime() + DAY_MS),
    tasksDueBefore: new Date(from.getTime() + TASK_HORIZON_DAYS * DAY_MS),
  };
}

export interface DigestAccount {
  externalId: string;
  name: string | null;
}

export interface DigestWarningRow {
  id: string;
  accountExternalId: string;
  rule: string;
  severity: Severity;
  title: string;
  openedAt: Date;
  resolvedAt: Date | null;
}

export interface DigestTaskRow {
  warningId: string;
  step: number;
  subject: string;
  dueAt: Date;
  state: 'pending' | 'created' | 'closed' | 'failed';
}

export interface DigestInput {
  csmId: string;
  window: DigestWindow;
  /** The CSM's accounts (csm, else owner, is the CSM). */
  accounts: readonly DigestAccount[];
  warnings: readonly DigestWarningRow[];
  tasks: readonly DigestTaskRow[];
}

export interface DigestStep {
  subject: string;
  dueAt: string;
}

export interface DigestWarning {
  warningId: string;
  accountId: string;
  accountName: string;
  rule: string;
  severity: Severity;
  title: string;
  openedAt: string;
  /** Whether it was still open at the end of the day. */
  open: boolean;
  nextStep: DigestStep | null;
}

export interface DigestTask {
  warningId: string;
  accountId: string;
  accountName: string;
  warningTitle: string;
  step: number;
  subject: string;
  dueAt: string;
  overdue: boolean;
}

export interface CsmDigest {
  csm: string;
  day: string;
  accounts: number;
  openedToday: DigestWarning[];
  stillOpen: Record<Severity, DigestWarning[]>;
  tasksDue: DigestTask[];
  counts: { openedToday: number; stillOpen: number; tasksDue: number };
}

const isOpenTask = (task: DigestTaskRow) => task.state !== 'closed';

export function buildCsmDigest(input: DigestInput): CsmDigest {
  const { window } = input;
  const names = new Map(input.accounts.map((account) => [account.externalId, account.name ?? account.externalId]));
  const from = window.from.getTime();
  const to = window.to.getTime();

  const mine = input.warnings.filter((warning) => names.has(warning.accountExternalId));
  const openAtEnd = (warning: DigestWarningRow) =>
    warning.openedAt.getTime() < to && (warning.resolvedAt === null || warning.resolvedAt.getTime() >= to);

  const tasksOf = new Map<string, DigestTaskRow[]>();
  for (const task of [...input.tasks].sort((a, b) => a.step - b.step)) {
    if (!isOpenTask(task)) continue;
    tasksOf.set(task.warningId, [...(tasksOf.get(task.warningId) ?? []), task]);
  }

  const line = (warning: DigestWarningRow): DigestWarning => {
    const next = tasksOf.get(warning.id)?.[0];
    return {
      warningId: warning.id,
      accountId: warning.accountExternalId,
      accountName: names.get(warning.accountExternalId) ?? warning.accountExternalId,
      rule: warning.rule,
      severity: warning.severity,
      title: warning.title,
      openedAt: warning.openedAt.toISOString(),
      open: openAtEnd(warning),
      nextStep: next ? { subject: next.subject, dueAt: next.dueAt.toISOString() } : null,
    };
  };
  const urgentFirst = (a: DigestWarningRow, b: DigestWarningRow) =>
    bySeverityDescending(a.severity, b.severity) ||
    a.openedAt.getTime() - b.openedAt.getTime() ||
    a.id.localeCompare(b.id);

  const openedToday = mine
    .filter((warning) => warning.openedAt.getTime() >= from && warning.openedAt.getTime() < to)
    .sort(urgentFirst)
    .map(line);
  const open = mine.filter(openAtEnd).sort(urgentFirst);
  const stillOpen: Record<Severity, DigestWarning[]> = { high: [], medium: [], low: [] };
  for (const warning of open) stillOpen[warning.severity].push(line(warning));

  const dueBefore = window.tasksDueBefore.getTime();
  const tasksDue = open
    .flatMap((warning) =>
      (tasksOf.get(warning.id) ?? [])
        .filter((task) => task.dueAt.getTime() < dueBefore)
        .map((task) => ({ warning, task })),
    )
    .sort(
      (a, b) =>
        a.task.dueAt.getTime() - b.task.dueAt.getTime() ||
        urgentFirst(a.warning, b.warning) ||
        a.task.step - b.task.step,
    )
    .map(({ warning, task }): DigestTask => ({
      warningId: warning.id,
      accountId: warning.accountExternalId,
      accountName: names.get(warning.accountExternalId) ?? warning.accountExternalId,
      warningTitle: warning.title,
      step: task.step,
      subject: task.subject,
      dueAt: task.dueAt.toISOString(),
      overdue: task.dueAt.getTime() < from,
    }));

  return {
    csm: input.csmId,
    day: window.day,
    accounts: input.accounts.length,
    openedToday,
    stillOpen,
    tasksDue,
    counts: { openedToday: openedToday.length, stillOpen: open.length, tasksDue: tasksDue.length },
  };
}
