import type { Manifest } from '../platform/manifest.ts';
import { createHubspotAdapter, type HubspotAdapterOptions } from './hubspot/adapter.ts';
import {
  createSalesforceAdapter,
  type SalesforceAdapter,
  type SalesforceAdapterOptions,
} from './salesforce/adapter.ts';
import type { CrmAdapter, Provider } from './types.ts';

/** One adapter per CRM, built from manifest.json; the job layer picks one by provider. */
export interface Adapters {
  hubspot: CrmAdapter;
  salesforce: SalesforceAdapter;
}

export interface AdapterOverrides {
  hubspot?: Partial<HubspotAdapterOptions>;
  salesforce?: Partial<SalesforceAdapterOptions>;
}

export function createAdapters(manifest: Manifest, options: AdapterOverrides = {}): Adapters {
  return {
    hubspot: createHubspotAdapter({
      fields: manifest.fields,
      propertyGroup: manifest.crms.hubspot.propertyGroup,
      ...options.hubspot,
    }),
    salesforce: createSalesforceAdapter({
      fields: manifest.fields,
      namespace: manifest.crms.salesforce.namespace,
      ...options.salesforce,
    }),
  };
}

/** Exhaustive: a new provider fails to compile here until it has an adapter. */
export function adapterFor(adapters: Adapters, provider: Provider): CrmAdapter {
  switch (provider) {
    case 'hubspot':
      return adapters.hubspot;
    case 'salesforce':
      return adapters.salesforce;
  }
}
