import type { NotifiedAccount, NotifiedWarning } from '../../../../server/core/notify/payload.ts';

export const OPENED_AT = new Date('2026-11-30T08:00:00.000Z');
export const RESOLVED_AT = new Date('2026-12-04T09:30:00.000Z');

export const warning: NotifiedWarning = {
  id: '7d1f4c1e-1111-4a1a-9a1a-000000000001',
  rule: 'usage_drop',
  severity: 'high',
  status: 'open',
  title: 'Weekly active users down 45% vs baseline',
  evidence: { recent: 11, baseline: 20, threshold: 0.6, text: 'Active users 11 against a baseline of 20' },
  openedAt: OPENED_AT,
  resolvedAt: null,
  resolution: null,
  nextSteps: [
    { subject: 'Call the champion about usage', dueAt: new Date('2026-12-02T00:00:00.000Z') },
    { subject: 'Offer a training session', dueAt: new Date('2026-12-07T00:00:00.000Z') },
  ],
};

export const resolved: NotifiedWarning = {
  ...warning,
  status: 'resolved',
  resolvedAt: RESOLVED_AT,
  resolution: 'usage back above 90% of baseline',
};

export const account: NotifiedAccount = {
  installationId: '5b0d1f5e-2222-4b2b-8b2b-000000000002',
  provider: 'hubspot',
  externalId: '987',
  name: 'Acme <Widgets> & Co',
};

export const links = { account: 'https://app.hubspot.com/contacts/123/record/0-2/987' };
