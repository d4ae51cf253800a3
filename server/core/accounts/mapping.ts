import { z } from 'zod';

/**
 * Per installation: which CRM property (HubSpot) or field (Salesforce) means what to the product,
 * and which values of a picklist mean "won", "renewal", "churned" and so on. One adapter serves every
 * portal or org; this mapping is what differs between them. `null` means "this CRM has nothing for
 * it": the normalised value is then null, never a guess.
 *
 * Defaults are detected from the properties the CRM really has (first candidate present wins), so
 * they work on the sandbox book (custom arr, renewal_date, …) and on a stock portal or org. On a stock
 * HubSpot portal companies have no ARR, renewal date, segment or licences property: those stay
 * unmapped (null) until an admin maps them. Stock Salesforce has no ARR or renewal date field either;
 * `AnnualRevenue` is the company's revenue, not what it pays, and is deliberately not a candidate.
 */

export const CORE_OBJECTS = ['owners', 'accounts', 'contacts', 'deals', 'tickets'] as const;
export type CoreObject = (typeof CORE_OBJECTS)[number];

export type MappingProvider = 'hubspot' | 'salesforce';

const property = z.string().trim().min(1).max(255).nullable();
const values = z.array(z.string().trim().min(1).max(255)).max(200);

export const fieldMappingSchema = z.strictObject({
  version: z.literal(1),
  accounts: z.strictObject({
    name: property,
    domain: property,
    arr: property,
    renewalDate: property,
    segment: property,
    owner: property,
    csm: property,
    parent: property,
    licences: property,
    customerStatus: property,
    activeStatuses: values,
    churnedStatuses: values,
    /** The other CRM's id of the same customer, as a connector keeps it; the surest match between the two. */
    connectorId: property.default(null),
  }),
  contacts: z.strictObject({
    email: property,
    firstName: property,
    lastName: property,
    title: property,
    role: property,
    championRoles: values,
    sponsorRoles: values,
    /** A flag or status property; departed when its value is one of `departedValues`. */
    departed: property,
    departedValues: values,
    departedDate: property,
    lastEngagement: property,
    owner: property,
  }),
  deals: z.strictObject({
    name: property,
    amount: property,
    closeDate: property,
    stage: property,
    wonStages: values,
    lostStages: values,
    /** Boolean properties the CRM computes from the stage (HubSpot hs_is_closed_won, Salesforce IsWon); they win over stage lists. */
    won: property,
    closed: property,
    type: property,
    pipeline: property,
    renewalTypes: values,
    expansionTypes: values,
    newBusinessTypes: values,
    renewalPipelines: values,
    expansionPipelines: values,
    owner: property,
    /** The other CRM's id of the same deal, as a connector keeps it: a mirrored pair counts once. */
    connectorId: property.default(null),
  }),
  tickets: z.strictObject({
    subject: property,
    priority: property,
    status: property,
    closedStatuses: values,
    closed: property,
    closedDate: property,
    escalated: property,
    owner: property,
  }),
  owners: z.strictObject({
    email: property,
    firstName: property,
    lastName: property,
    name: property,
    active: property,
  }),
});

export type FieldMapping = z.infer<typeof fieldMappingSchema>;

/** The keys of a section that name a CRM property (the rest are value lists). */
type PropertyKeys<T> = { [K in keyof T]: T[K] extends string | null ? K : never }[keyof T];

/** A candidate property and, for properties whose values carry meaning, the values that go with it. */
interface Candidate<V extends string> {
  name: string;
  values?: Partial<Record<V, readonly string[]>>;
}
type Candidates<T> = { [K in PropertyKeys<T>]: readonly (string | Candidate<string>)[] };

type Section<O extends CoreObject> = FieldMapping[O];

interface ProviderDefaults {
  accounts: Candidates<Section<'accounts'>>;
  contacts: Candidates<Section<'contacts'>>;
  deals: Candidates<Section<'deals'>>;
  tickets: Candidates<Section<'tickets'>>;
  owners: Candidates<Section<'owners'>>;
  /** Value lists that do not depend on which property was chosen. */
  lists: {
    wonStages: string[];
    lostStages: string[];
    renewalTypes: string[];
    expansionTypes: string[];
    newBusinessTypes: string[];
    closedStatuses: string[];
  };
}

const HUBSPOT: ProviderDefaults = {
  accounts: {
    name: ['name'],
    domain: ['domain', 'website'],
    arr: ['arr', 'annual_recurring_revenue'],
    renewalDate: ['renewal_date', 'contract_end_date'],
    segment: ['segment', 'customer_segment'],
    owner: ['hubspot_owner_id'],
    // Stock portals have one company owner: the CSM unless an admin maps another property.
    csm: ['hubspot_owner_id'],
    // The sandbox's parent_book_id holds a book id, not a company id, so it is not a candidate.
    parent: ['hs_parent_company_id'],
    licences: ['licences', 'licenses', 'seats'],
    customerStatus: [
      { name: 'customer_status', values: { activeStatuses: ['active'], churnedStatuses: ['churned'] } },
      { name: 'lifecyclestage', values: { activeStatuses: ['customer', 'evangelist'], churnedStatuses: [] } },
    ],
    // What HubSpot's Salesforce connector keeps on a synced company.
    connectorId: ['salesforceaccountid'],
  },
  contacts: {
    email: ['email'],
    firstName: ['firstname'],
    lastName: ['lastname'],
    title: ['jobtitle'],
    role: [{ name: 'contact_role', values: { championRoles: ['champion'], sponsorRoles: ['executive_sponsor'] } }],
    departed: [{ name: 'contact_status', values: { departedValues: ['departed'] } }],
    departedDate: ['left_company_date'],
    lastEngagement: ['notes_last_contacted'],
    owner: ['hubspot_owner_id'],
  },
  deals: {
    name: ['dealname'],
    amount: ['amount'],
    closeDate: ['closedate'],
    stage: ['dealstage'],
    won: ['hs_is_closed_won'],
    closed: ['hs_is_closed'],
    type: ['dealtype'],
    pipeline: ['pipeline'],
    owner: ['hubspot_owner_id'],
    connectorId: ['salesforceopportunityid'],
  },
  tickets: {
    subject: ['subject'],
    priority: ['hs_ticket_priority'],
    status: ['hs_pipeline_stage'],
    closed: [],
    closedDate: ['closed_date'],
    escalated: [],
    owner: ['hubspot_owner_id'],
  },
  // The owners API answers these names (not CRM properties), so they need no detection.
  owners: { email: ['email'], firstName: ['firstName'], lastName: ['lastName'], name: [], active: [] },
  lists: {
    wonStages: ['closedwon'],
    lostStages: ['closedlost'],
    // A stock portal has only newbusiness/existingbusiness: existing business is the renewal motion.
    renewalTypes: ['renewal', 'existingbusiness'],
    expansionTypes: ['expansion'],
    newBusinessTypes: ['newbusiness'],
    // Stage 4 of the default ticket pipeline is "Closed".
    closedStatuses: ['4'],
  },
};

const SALESFORCE: ProviderDefaults = {
  accounts: {
    name: ['Name'],
    domain: ['Website'],
    arr: ['ARR__c', 'Annual_Recurring_Revenue__c'],
    renewalDate: ['Renewal_Date__c', 'Contract_End_Date__c'],
    segment: ['Segment__c', 'Customer_Segment__c'],
    owner: ['OwnerId'],
    csm: ['CSM__c', 'Customer_Success_Manager__c', 'OwnerId'],
    parent: ['ParentId'],
    licences: ['Licences__c', 'Licenses__c', 'Seats__c'],
    customerStatus: [
      { name: 'Customer_Status__c', values: { activeStatuses: ['Active'], churnedStatuses: ['Churned'] } },
      // Stock Account Type picklist.
      {
        name: 'Type',
        values: { activeStatuses: ['Customer - Direct', 'Customer - Channel'], churnedStatuses: ['Former Customer'] },
      },
    ],
    // HubSpot's connector keeps its ids on the HubSpot side only.
    connectorId: [],
  },
  contacts: {
    email: ['Email'],
    firstName: ['FirstName'],
    lastName: ['LastName'],
    title: ['Title'],
    role: [{ name: 'Contact_Role__c', values: { championRoles: ['Champion'], sponsorRoles: ['Executive Sponsor'] } }],
    departed: [{ name: 'Departed__c', values: { departedValues: ['true'] } }],
    departedDate: ['Departed_Date__c'],
    lastEngagement: ['Last_Engaged__c', 'LastActivityDate'],
    owner: ['OwnerId'],
  },
  deals: {
    name: ['Name'],
    amount: ['Amount'],
    closeDate: ['CloseDate'],
    stage: ['StageName'],
    won: ['IsWon'],
    closed: ['IsClosed'],
    type: ['Type'],
    pipeline: [],
    owner: ['OwnerId'],
    connectorId: [],
  },
  tickets: {
    subject: ['Subject'],
    priority: ['Priority'],
    status: ['Status'],
    closed: ['IsClosed'],
    closedDate: ['ClosedDate'],
    escalated: ['IsEscalated'],
    owner: ['OwnerId'],
  },
  owners: {
    email: ['Email'],
    firstName: ['FirstName'],
    lastName: ['LastName'],
    name: ['Name'],
    active: ['IsActive'],
  },
  lists: {
    wonStages: ['Closed Won'],
    lostStages: ['Closed Lost'],
    // Stock Opportunity Type values plus the common custom "Renewal".
    renewalTypes: ['Renewal', 'Existing Customer - Replacement'],
    expansionTypes: ['Existing Customer - Upgrade'],
    newBusinessTypes: ['New Customer'],
    closedStatuses: ['Closed'],
  },
};

/**
 * Picks, per meaning, the first candidate the CRM has. `available` lists the property or field names
 * per object (HubSpot properties API, Salesforce describe), compared case-insensitively and returned
 * in the CRM's spelling. An object missing from `available` is assumed stock: its first candidates
 * are taken as they are.
 */
export function defaultMapping(
  provider: MappingProvider,
  available: Partial<Record<CoreObject, readonly string[]>>,
): FieldMapping {
  const defaults = provider === 'hubspot' ? HUBSPOT : SALESFORCE;
  const lists: Record<string, string[]> = {};

  const pickSection = <O extends CoreObject>(object: O): Record<string, string | null> => {
    const names = available[object];
    const byLower = names === undefined ? undefined : new Map(names.map((name) => [name.toLowerCase(), name]));
    const picked: Record<string, string | null> = {};
    for (const [key, candidates] of Object.entries(defaults[object]) as [string, (string | Candidate<string>)[]][]) {
      picked[key] = null;
      for (const candidate of candidates) {
        const { name, values: meaning } =
          typeof candidate === 'string' ? { name: candidate, values: undefined } : candidate;
        const found = byLower === undefined ? name : byLower.get(name.toLowerCase());
        if (found === undefined) continue;
        picked[key] = found;
        for (const [list, listValues] of Object.entries(meaning ?? {}))
          lists[`${object}.${list}`] = [...(listValues ?? [])];
        break;
      }
    }
    return picked;
  };
  const list = (object: CoreObject, name: string): string[] => lists[`${object}.${name}`] ?? [];

  const accounts = pickSection('accounts');
  const contacts = pickSection('contacts');
  const deals = pickSection('deals');
  const tickets = pickSection('tickets');
  const owners = pickSection('owners');
  return fieldMappingSchema.parse({
    version: 1,
    accounts: {
      ...accounts,
      activeStatuses: list('accounts', 'activeStatuses'),
      churnedStatuses: list('accounts', 'churnedStatuses'),
    },
    contacts: {
      ...contacts,
      championRoles: list('contacts', 'championRoles'),
      sponsorRoles: list('contacts', 'sponsorRoles'),
      departedValues: list('contacts', 'departedValues'),
    },
    deals: {
      ...deals,
      wonStages: [...defaults.lists.wonStages],
      lostStages: [...defaults.lists.lostStages],
      renewalTypes: [...defaults.lists.renewalTypes],
      expansionTypes: [...defaults.lists.expansionTypes],
      newBusinessTypes: [...defaults.lists.newBusinessTypes],
      renewalPipelines: [],
      expansionPipelines: [],
    },
    tickets: { ...tickets, closedStatuses: [...defaults.lists.closedStatuses] },
    owners,
  });
}

/** The CRM property names the mapping uses, per object: what an adapter must read beyond its defaults. */
export function mappedProperties(mapping: FieldMapping): Partial<Record<CoreObject, string[]>> {
  const result: Partial<Record<CoreObject, string[]>> = {};
  for (const object of CORE_OBJECTS) {
    const names = Object.values(mapping[object]).filter((value): value is string => typeof value === 'string');
    if (names.length > 0) result[object] = [...new Set(names)];
  }
  return result;
}
