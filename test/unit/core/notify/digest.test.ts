import { describe, expect, it } from 'vitest';
import {
  buildCsmDigest,
  digestWindow,
  type DigestTaskRow,
  type DigestWarningRow,
} from '../../../../server/core/notify/digest.ts';

const at = (iso: string) => new Date(iso);
const window = digestWindow('2026-12-04');

const accounts = [
  { externalId: 'a1', name: 'Acme' },
  { externalId: 'a2', name: null },
];

const row = (id: string, fields: Partial<DigestWarningRow>): DigestWarningRow => ({
  id,
  accountExternalId: 'a1',
  rule: 'usage_drop',
  severity: 'medium',
  title: `Warning ${id}`,
  openedAt: at('2026-11-20T10:00:00Z'),
  resolvedAt: null,
  ...fields,
});

const warnings: DigestWarningRow[] = [
  row('w-today-high', { severity: 'high', openedAt: at('2026-12-04T09:00:00Z') }),
  row('w-today-resolved', { openedAt: at('2026-12-04T01:00:00Z'), resolvedAt: at('2026-12-04T20:00:00Z') }),
  row('w-old-low', { severity: 'low', accountExternalId: 'a2' }),
  row('w-old-medium', {}),
  // Resolved after the day ended: still open at its end.
  row('w-resolved-later', {
    severity: 'high',
    openedAt: at('2026-11-01T00:00:00Z'),
    resolvedAt: at('2026-12-05T03:00:00Z'),
  }),
  // Resolved before the day: not in the digest.
  row('w-resolved-before', { resolvedAt: at('2026-12-03T23:59:59Z') }),
  // Opened after the day.
  row('w-tomorrow', { openedAt: at('2026-12-05T00:00:00Z') }),
  // Another CSM's account.
  row('w-elsewhere', { accountExternalId: 'zz', openedAt: at('2026-12-04T09:00:00Z') }),
];

const task = (
  warningId: string,
  step: number,
  dueAt: string,
  state: DigestTaskRow['state'] = 'created',
): DigestTaskRow => ({
  warningId,
  step,
  subject: `${warningId} step ${step}`,
  dueAt: at(dueAt),
  state,
});

const tasks: DigestTaskRow[] = [
  task('w-today-high', 1, '2026-12-05T00:00:00Z'),
  task('w-today-high', 0, '2026-12-04T12:00:00Z', 'closed'),
  task('w-old-medium', 0, '2026-12-01T00:00:00Z', 'pending'),
  task('w-old-medium', 1, '2026-12-10T23:59:59Z'),
  task('w-old-medium', 2, '2026-12-11T00:00:00Z'),
  task('w-today-resolved', 0, '2026-12-05T00:00:00Z'),
  task('w-old-low', 0, '2026-12-06T00:00:00Z', 'failed'),
];

describe('digestWindow', () => {
  it('spans the UTC day and the seven days of tasks from its start', () => {
    expect(window).toEqual({
      day: '2026-12-04',
      from: at('2026-12-04T00:00:00Z'),
      to: at('2026-12-05T00:00:00Z'),
      tasksDueBefore: at('2026-12-11T00:00:00Z'),
    });
  });
  it.each(['2026-02-30', '2026-13-01', 'yesterday'])('refuses %s', (day) => {
    expect(() => digestWindow(day)).toThrow(/not a calendar day/);
  });
});

describe('buildCsmDigest', () => {
  const digest = buildCsmDigest({ csmId: 'u-1', window, accounts, warnings, tasks });

  it('lists the warnings opened that day, most urgent first, whether or not they are still open', () => {
    expect(digest.openedToday.map((line) => [line.warningId, line.open])).toEqual([
      ['w-today-high', true],
      ['w-today-resolved', false],
    ]);
  });

  it('groups the warnings open at the end of the day by severity, oldest first within one', () => {
    expect({
      high: digest.stillOpen.high.map((line) => line.warningId),
      medium: digest.stillOpen.medium.map((line) => line.warningId),
      low: digest.stillOpen.low.map((line) => line.warningId),
    }).toEqual({ high: ['w-resolved-later', 'w-today-high'], medium: ['w-old-medium'], low: ['w-old-low'] });
  });

  it('names each account (its id when it has no name) and the next step still to do', () => {
    const high = digest.stillOpen.high.find((line) => line.warningId === 'w-today-high');
    expect(high).toMatchObject({
      accountId: 'a1',
      accountName: 'Acme',
      nextStep: { subject: 'w-today-high step 1', dueAt: '2026-12-05T00:00:00.000Z' },
    });
    expect(digest.stillOpen.low[0]).toMatchObject({ accountName: 'a2', nextStep: { subject: 'w-old-low step 0' } });
    expect(digest.stillOpen.high[0]?.nextStep).toBeNull();
  });

  it('lists open warnings’ tasks due within seven days, overdue first, none of resolved warnings', () => {
    expect(digest.tasksDue.map((line) => [line.subject, line.overdue, line.accountName])).toEqual([
      ['w-old-medium step 0', true, 'Acme'],
      ['w-today-high step 1', false, 'Acme'],
      ['w-old-low step 0', false, 'a2'],
      ['w-old-medium step 1', false, 'Acme'],
    ]);
    expect(digest.tasksDue[0]?.warningTitle).toBe('Warning w-old-medium');
  });

  it('counts what it lists', () => {
    expect(digest).toMatchObject({
      csm: 'u-1',
      day: '2026-12-04',
      accounts: 2,
      counts: { openedToday: 2, stillOpen: 4, tasksDue: 4 },
    });
  });

  it('is empty for a CSM with no accounts', () => {
    const empty = buildCsmDigest({ csmId: 'u-2', window, accounts: [], warnings, tasks });
    expect(empty.counts).toEqual({ openedToday: 0, stillOpen: 0, tasksDue: 0 });
  });
});
