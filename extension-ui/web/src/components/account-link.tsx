import type { MeInstallation } from '../api/contracts.ts';
import { accountPlansPath, onLinkClick } from '../router.ts';

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

/** An account's success plans in the dashboard, with its CRM record one click away beside it. */
export function AccountPlansLink({
  installation,
  accountId,
  name,
}: {
  installation: Pick<MeInstallation, 'id' | 'provider' | 'externalId'>;
  accountId: string;
  name: string | null;
}) {
  const shown = name ?? accountId;
  return (
    <>
      <a href={accountPlansPath(installation.id, accountId)} onClick={onLinkClick} data-testid="account-plans-link">
        {shown}
      </a>{' '}
      <a
        href={crmRecordUrl(installation, accountId)}
        target="_blank"
        rel="noreferrer"
        className="bw-muted"
        aria-label={`${shown} in ${installation.provider === 'hubspot' ? 'HubSpot' : 'Salesforce'}`}
        title={`Open in ${installation.provider === 'hubspot' ? 'HubSpot' : 'Salesforce'}`}
        data-testid="account-link"
      >
        ↗
      </a>
    </>
  );
}
