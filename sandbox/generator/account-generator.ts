import type { Account, Contact, Deal, Sentiment, SurveyResponse, Ticket, UsageDay } from './book.ts';
import { drawContacts } from './contacts.ts';
import type { BookContext } from './context.ts';
import { playContracts } from './contracts.ts';
import { formatInstant } from './dates.ts';
import { buildDeals } from './deals.ts';
import type { Firmographics } from './firmographics.ts';
import { simulateLatent } from './latent-health.ts';
import type { Assignment } from './owners.ts';
import { SEGMENT_PROFILES } from './parameters.ts';
import { drawSentiment } from './sentiment.ts';
import { streamFor } from './streams.ts';
import { drawSurveys } from './surveys.ts';
import { drawTickets } from './tickets.ts';
import { round4, type AccountTruth } from './truth.ts';
import { drawUsage } from './usage.ts';

/** Everything the book holds about one account, plus its truth. */
export interface AccountRecords {
  account: Account;
  contacts: Contact[];
  deals: Deal[];
  tickets: Ticket[];
  usage: UsageDay[];
  surveys: SurveyResponse[];
  sentiment: Sentiment[];
  truth: AccountTruth;
}

/** Each concern draws from its own stream of this account, so concerns do not disturb each other. */
export function generateAccount(firm: Firmographics, assignment: Assignment, context: BookContext): AccountRecords {
  const stream = (concern: string) => streamFor(context.seed, firm.id, concern);
  const latent = simulateLatent(stream('latent'), {
    start: context.simStart,
    end: context.simEnd,
    segmentBaseline: SEGMENT_PROFILES[firm.segment].baseline,
  });
  const contracts = playContracts(stream('renewals'), firm, latent, context);
  // The last day the customer exists in the book: asOf, or the day it churned.
  const lastDay = Math.min(context.asOf, contracts.churnDay ?? context.asOf);
  const firstDay = Math.max(context.historyStart, firm.customerSince);

  const contacts = drawContacts(stream('contacts'), firm, latent, lastDay);
  const deals = buildDeals(stream('deals'), firm, contracts, assignment, context);
  const tickets = drawTickets(stream('tickets'), firm, latent, contacts, firstDay, lastDay, context);
  const usage = drawUsage(stream('usage'), firm, latent, contracts.licenceSteps, firstDay, lastDay, context);
  const surveys = drawSurveys(stream('surveys'), firm, latent, contacts, tickets, firstDay, lastDay);
  const sentiment = drawSentiment(stream('sentiment'), firm, latent, assignment.csmId, firstDay, lastDay);

  const accountStream = stream('account');
  const lastChange = Math.max(
    firm.customerSince,
    ...contracts.renewals.filter((renewal) => !renewal.future).map((renewal) => renewal.day),
    ...contracts.expansions.map((expansion) => expansion.day),
  );
  const account: Account = {
    id: firm.id,
    name: firm.name,
    domain: firm.domain,
    industry: firm.industry,
    segment: firm.segment,
    country: firm.country,
    employees: firm.employees,
    arr: contracts.arr,
    licences: contracts.licences,
    customerSince: context.days.format(firm.customerSince),
    contractStart: context.days.format(contracts.contractStart),
    contractEnd: context.days.format(contracts.contractEnd),
    csmId: assignment.csmId,
    accountExecutiveId: assignment.accountExecutiveId,
    parentId: assignment.parentId,
    status: contracts.churnDay === null ? 'active' : 'churned',
    createdAt: deals[0]?.createdAt ?? formatInstant(firm.customerSince, 9 * 3600),
    updatedAt: formatInstant(Math.min(lastChange, context.asOf), 17 * 3600 + accountStream.float() * 3600),
  };

  const weekly: number[] = [];
  for (let day = firstDay; day <= lastDay; day += 7) weekly.push(round4(latent.at(day)));
  const truth: AccountTruth = {
    accountId: firm.id,
    segment: firm.segment,
    baseline: round4(latent.baseline),
    churnDate: contracts.churnDay === null ? null : context.days.format(contracts.churnDay),
    weeklyLatent: { start: context.days.format(firstDay), values: weekly },
    shocks: latent.shocks
      .filter((shock) => shock.day >= context.historyStart && shock.day <= lastDay)
      .map((shock) => ({ date: context.days.format(shock.day), kind: shock.kind, delta: round4(shock.delta) })),
    renewals: contracts.renewals.flatMap((renewal) =>
      renewal.latent === null || renewal.latent90DaysBefore === null || renewal.probability === null
        ? []
        : [
            {
              date: context.days.format(renewal.day),
              future: renewal.future,
              latent: round4(renewal.latent),
              latent90DaysBefore: round4(renewal.latent90DaysBefore),
              probability: round4(renewal.probability),
              outcome: renewal.outcome,
            },
          ],
    ),
  };
  return {
    account,
    contacts: contacts.map((c) => c.record),
    deals,
    tickets: tickets.map((t) => t.record),
    usage,
    surveys,
    sentiment,
    truth,
  };
}
