import type { AppObject } from '../../platform/manifest.ts';

/**
 * What the adapter reads per app object: the sObject, the fields it asks for when the org has them
 * (describe decides; custom fields such as ARR__c exist only where a package or admin added them),
 * and the lookups that become associations.
 */

export interface SalesforceObjectSpec {
  sobject: 'Account' | 'Contact' | 'Opportunity' | 'Case' | 'User';
  fields: readonly string[];
  /** Lookup field → the app object it points to. */
  associations: Readonly<Record<string, AppObject>>;
}

/** Always selected: the keyset and the record's birth. */
export const KEY_FIELDS = ['Id', 'SystemModstamp', 'CreatedDate'] as const;

export const SALESFORCE_OBJECTS: Readonly<Record<AppObject, SalesforceObjectSpec>> = {
  accounts: {
    sobject: 'Account',
    fields: [
      'Name',
      'Website',
      'Industry',
      'NumberOfEmployees',
      'BillingCountry',
      'OwnerId',
      'ParentId',
      'ARR__c',
      'Licences__c',
      'Segment__c',
      'Customer_Since__c',
      'Contract_Start__c',
      'Renewal_Date__c',
      'CSM__c',
      'Customer_Status__c',
    ],
    associations: {},
  },
  contacts: {
    sobject: 'Contact',
    fields: [
      'AccountId',
      'FirstName',
      'LastName',
      'Email',
      'Title',
      'OwnerId',
      'Contact_Role__c',
      'Last_Engaged__c',
      'Departed__c',
      'Departed_Date__c',
    ],
    associations: { AccountId: 'accounts' },
  },
  deals: {
    sobject: 'Opportunity',
    fields: ['AccountId', 'Name', 'Amount', 'CloseDate', 'StageName', 'IsClosed', 'IsWon', 'Type', 'OwnerId'],
    associations: { AccountId: 'accounts' },
  },
  tickets: {
    sobject: 'Case',
    fields: [
      'AccountId',
      'ContactId',
      'CaseNumber',
      'Subject',
      'Priority',
      'Status',
      'IsEscalated',
      'IsClosed',
      'ClosedDate',
      'OwnerId',
    ],
    associations: { AccountId: 'accounts', ContactId: 'contacts' },
  },
  owners: {
    sobject: 'User',
    fields: ['Username', 'FirstName', 'LastName', 'Name', 'Email', 'Title', 'IsActive', 'Bellwether_Role__c'],
    associations: {},
  },
};
