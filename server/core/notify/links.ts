/**
 * The address of an account's record in its CRM, for the link in a notification. HubSpot records live
 * on app.hubspot.com under the portal id (company object type 0-2); Salesforce records under the org's
 * instance URL. A HubSpot installation against a stand-in API has no record page, so no link.
 */

export interface RecordLinkInput {
  provider: 'hubspot' | 'salesforce';
  /** HubSpot portal id or Salesforce org id. */
  portalOrOrgId: string;
  /** Salesforce instance URL; for HubSpot the API base, null for the public one. */
  baseUrl: string | null;
  accountExternalId: string;
}

const HUBSPOT_PUBLIC_API_HOSTS = new Set(['api.hubapi.com', 'api.hubspot.com']);

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

export function crmRecordUrl(input: RecordLinkInput): string | null {
  const id = encodeURIComponent(input.accountExternalId);
  if (input.provider === 'hubspot') {
    if (input.baseUrl !== null && !HUBSPOT_PUBLIC_API_HOSTS.has(hostOf(input.baseUrl) ?? '')) return null;
    return `https://app.hubspot.com/contacts/${encodeURIComponent(input.portalOrOrgId)}/record/0-2/${id}`;
  }
  if (input.baseUrl === null || hostOf(input.baseUrl) === undefined) return null;
  return `${new URL(input.baseUrl).origin}/lightning/r/Account/${id}/view`;
}
