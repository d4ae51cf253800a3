import type { Random } from '../shared/random.ts';
import type { Deal } from './book.ts';
import { workingSecond } from './contacts.ts';
import type { BookContext } from './context.ts';
import { formatInstant } from './dates.ts';
import type { ContractHistory } from './contracts.ts';
import type { Firmographics } from './firmographics.ts';

/**
 * The original new-business deal, one renewal deal per contract end (won, lost, or open for the
 * upcoming one) and the expansions. Renewals belong to the CSM, new business and expansions to the AE.
 */
export function buildDeals(
  random: Random,
  firm: Firmographics,
  contracts: ContractHistory,
  owners: { csmId: string; accountExecutiveId: string },
  context: BookContext,
): Deal[] {
  const deals: Deal[] = [];
  type Draft = Omit<Deal, 'id' | 'accountId' | 'closeDate' | 'createdAt' | 'updatedAt'>;
  const add = (deal: Draft, closeDay: number, createdDay: number) => {
    const createdAt = formatInstant(Math.min(createdDay, context.asOf), workingSecond(random));
    const closedAt = formatInstant(Math.min(context.asOf, closeDay), workingSecond(random));
    deals.push({
      id: `deal-${firm.number}-${String(deals.length + 1).padStart(2, '0')}`,
      accountId: firm.id,
      name: deal.name,
      type: deal.type,
      stage: deal.stage,
      amount: deal.amount,
      closeDate: context.days.format(closeDay),
      ownerId: deal.ownerId,
      createdAt,
      updatedAt: deal.stage === 'open' || closedAt < createdAt ? createdAt : closedAt,
    });
  };

  add(
    {
      name: `${firm.name} – new business`,
      type: 'new_business',
      stage: 'won',
      amount: firm.firstArr,
      ownerId: owners.accountExecutiveId,
    },
    firm.customerSince,
    firm.customerSince - random.int(30, 120),
  );

  const events = [
    ...contracts.renewals.map((renewal, index) => ({ day: renewal.day, renewal, index, expansion: null })),
    ...contracts.expansions.map((expansion) => ({ day: expansion.day, renewal: null, index: -1, expansion })),
  ].sort((a, b) => a.day - b.day);

  for (const event of events) {
    if (event.expansion) {
      add(
        {
          name: `${firm.name} – expansion ${context.days.format(event.day).slice(0, 7)}`,
          type: 'expansion',
          stage: 'won',
          amount: event.expansion.amount,
          ownerId: owners.accountExecutiveId,
        },
        event.day,
        event.day - random.int(20, 60),
      );
      continue;
    }
    const renewal = event.renewal;
    if (!renewal) continue;
    // A renewal opportunity is opened when the term it renews begins.
    const previousEnd = event.index === 0 ? firm.customerSince : (contracts.renewals[event.index - 1]?.day ?? 0);
    add(
      {
        name: `${firm.name} – renewal ${context.days.format(renewal.day).slice(0, 4)}`,
        type: 'renewal',
        stage: renewal.future ? 'open' : renewal.outcome,
        amount: renewal.future || renewal.outcome === 'lost' ? renewal.arrBefore : renewal.arrAfter,
        ownerId: owners.csmId,
      },
      renewal.day,
      previousEnd + 1,
    );
  }
  return deals;
}
