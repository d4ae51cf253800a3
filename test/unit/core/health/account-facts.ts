import type { AccountFacts } from '../../../../server/core/health/facts.ts';

/** An active account with no facts yet; a test names only what it is about. */
export function accountFacts(partial: Partial<AccountFacts> = {}): AccountFacts {
  return {
    externalId: 'acc-1',
    segment: null,
    status: 'active',
    arr: null,
    licences: null,
    renewalDate: null,
    createdAt: null,
    usage: [],
    tickets: [],
    contacts: [],
    deals: [],
    surveys: [],
    sentiment: [],
    ...partial,
  };
}
