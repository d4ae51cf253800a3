import type { NotifiedAccount, NotifiedWarning } from './payload.ts';

/**
 * What a channel's "send test" posts: a warning shaped like a real one, marked as a test in the
 * payload (`test: true`) and in the words, so nobody mistakes it for an account in trouble.
 */
export function sampleWarning(at: Date, installation: Pick<NotifiedAccount, 'installationId' | 'provider'>) {
  const warning: NotifiedWarning = {
    id: '00000000-0000-4000-8000-000000000000',
    rule: 'usage_drop',
    severity: 'high',
    status: 'open',
    title: 'Test notification: weekly active users fell 40% against the account’s baseline',
    evidence: { text: 'This is a test sent from the Bellwether settings; no account is affected.' },
    openedAt: at,
    resolvedAt: null,
    resolution: null,
    nextSteps: [{ subject: 'Check that this message reached the right place', dueAt: at }],
  };
  const account: NotifiedAccount = { ...installation, externalId: 'test-account', name: 'Example Account (test)' };
  return { warning, account };
}
