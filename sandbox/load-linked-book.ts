import type { HardNegative, LinkedBook, LinkedCustomer, LinkedDeal } from './generator/linked-book.ts';
import type { BookIdMap, HubspotSandbox } from './hubspot/index.ts';
import type { ConnectedCrmBook } from './hubspot/load-book.ts';
import type { SalesforceIdMap } from './salesforce/load-book.ts';
import type { SalesforceSandbox } from './salesforce/salesforce-sandbox.ts';

/** A customer with the ids each CRM gave its records; null where it is not in that CRM. */
export interface LoadedCustomer extends LinkedCustomer {
  hubspotCompanyId: string | null;
  salesforceAccountId: string | null;
}

export interface LoadedDeal extends LinkedDeal {
  hubspotDealId: string | null;
  salesforceOpportunityId: string | null;
}

/** Which records are the same customer or deal, by CRM id: for tests and evaluations only. */
export interface LinkedTruth {
  customers: LoadedCustomer[];
  deals: LoadedDeal[];
  hardNegatives: HardNegative[];
}

export interface LoadedLinkedBook {
  truth: LinkedTruth;
  hubspot: BookIdMap;
  salesforce: SalesforceIdMap;
}

const crmId = (ids: Map<string, string>, bookId: string | null) => (bookId === null ? null : (ids.get(bookId) ?? null));

/**
 * Loads a two-CRM book: Salesforce first, since its ids exist only once its records do, then
 * HubSpot with those ids on the connector-linked companies and mirrored deals.
 */
export function loadLinkedBook(
  hubspot: HubspotSandbox,
  salesforce: SalesforceSandbox,
  portalId: number | string,
  orgId: string,
  linked: LinkedBook,
): LoadedLinkedBook {
  const salesforceIds = salesforce.loadBook(orgId, linked.salesforce);

  const companies = new Map<string, string>();
  for (const customer of linked.plan.customers) {
    const accountId = crmId(salesforceIds.accounts, customer.salesforceBookId);
    if (customer.group === 'connector' && customer.hubspotBookId !== null && accountId !== null) {
      companies.set(customer.hubspotBookId, accountId);
    }
  }
  const deals = new Map<string, string>();
  for (const deal of linked.plan.deals) {
    const opportunityId = crmId(salesforceIds.deals, deal.salesforceBookId);
    if (deal.where === 'both' && deal.hubspotBookId !== null && opportunityId !== null) {
      deals.set(deal.hubspotBookId, opportunityId);
    }
  }
  const connected: ConnectedCrmBook = { ...linked.hubspot, salesforceLinks: { companies, deals } };
  const hubspotIds = hubspot.loadBook(portalId, connected);

  return {
    truth: {
      customers: linked.plan.customers.map((customer) => ({
        ...customer,
        hubspotCompanyId: crmId(hubspotIds.companies, customer.hubspotBookId),
        salesforceAccountId: crmId(salesforceIds.accounts, customer.salesforceBookId),
      })),
      deals: linked.plan.deals.map((deal) => ({
        ...deal,
        hubspotDealId: crmId(hubspotIds.deals, deal.hubspotBookId),
        salesforceOpportunityId: crmId(salesforceIds.deals, deal.salesforceBookId),
      })),
      hardNegatives: linked.plan.hardNegatives,
    },
    hubspot: hubspotIds,
    salesforce: salesforceIds,
  };
}
