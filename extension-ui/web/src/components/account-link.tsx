import type { MeInstallation } from '../api/contracts.ts';

/**
 * The account's record in its CRM. HubSpot's record URL needs only the portal; Salesforce's login host
 * forwards a record id to the user's own org after sign-in, so no instance URL is needed.
 */
export function crmRecordUrl(installation: Pick<MeInstallation, 'provider' | 'externalId'>, accountId: string): string {
  return installation.provider === 'hubspot'
    ? `https://app.hubspot.com/contacts/${encodeURIComponent(installation.externalId)}/record/0-2/${encodeURIComponent(accountId)}`
    : `https://login.salesforce.com/${encodeURIComponent(accountId)}`;
}

export function AccountLink({
  installation,
  accountId,
  name,
}: {
  installation: Pick<MeInstallation, 'provider' | 'externalId'>;
  accountId: string;
  name: string | null;
}) {
  return (
    <a href={crmRecordUrl(installation, accountId)} target="_blank" rel="noreferrer" data-testid="account-link">
      {name ?? accountId}
    </a>
  );
}
