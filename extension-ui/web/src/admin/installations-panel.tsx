import { installationStatusSchema, type InstallationStatusBody, type MeInstallation } from '../api/contracts.ts';
import { useResource } from '../api/use-resource.ts';
import { useApp } from '../app-context.ts';
import { Num, Section } from '../components/figures.tsx';
import { Failure, Loading } from '../components/states.tsx';
import { count, instant } from '../format.ts';

/** Every installation of the workspace with its sync status, and the schedules of the one in view. */

const PROVIDER_NAME = { hubspot: 'HubSpot', salesforce: 'Salesforce' } as const;
const STATUS_TONE = { active: 'green', needs_reauth: 'red', uninstalled: 'neutral' } as const;

function useStatus(id: string) {
  const { api } = useApp();
  const path = `/api/installations/${encodeURIComponent(id)}/status`;
  return useResource<InstallationStatusBody>(path, () => api.get(path, installationStatusSchema));
}

function runText(run: InstallationStatusBody['run']): string {
  if (!run) return 'Idle';
  const what = [run.mode, run.reason].filter(Boolean).join(', ');
  return `${run.state}${what ? ` (${what})` : ''}${run.failedReason ? `: ${run.failedReason}` : ''}`;
}

function InstallationStatus({ installation }: { installation: MeInstallation }) {
  const status = useStatus(installation.id);
  return (
    <Section
      title={`${installation.displayName} · ${PROVIDER_NAME[installation.provider]} ${installation.externalId}`}
      id={`installation-${installation.id}`}
    >
      {status.state === 'loading' ? (
        <Loading what="sync status" />
      ) : status.state === 'failed' ? (
        <Failure error={status.error} retry={status.reload} />
      ) : (
        <>
          <dl className="bw-kv">
            <dt>Status</dt>
            <dd>
              <span
                className={`bw-badge bw-badge-${STATUS_TONE[status.data.installation.status]}`}
                data-testid="installation-status"
                data-value={status.data.installation.status}
              >
                {status.data.installation.status.replace('_', ' ')}
              </span>
              {status.data.installation.statusReason ? ` ${status.data.installation.statusReason}` : ''}
            </dd>
            <dt>Installed</dt>
            <dd>{instant(status.data.installation.installedAt)}</dd>
            <dt>Sync</dt>
            <dd data-testid="sync-run">{runText(status.data.run)}</dd>
            <dt>Scopes</dt>
            <dd>
              <code>{status.data.installation.scopes.join(' ')}</code>
            </dd>
          </dl>
          <table className="bw-table" style={{ marginTop: 10 }} data-testid="sync-objects">
            <thead>
              <tr>
                <th>Object</th>
                <th className="bw-numeric">Records</th>
                <th>Last sync finished</th>
                <th className="bw-numeric">CRM calls</th>
                <th>Last error</th>
              </tr>
            </thead>
            <tbody>
              {status.data.objects.map((object) => (
                <tr key={object.objectType} data-key={object.objectType}>
                  <td>{object.objectType}</td>
                  <td className="bw-numeric" data-col="records">
                    <Num value={object.records}>{count(object.records)}</Num>
                  </td>
                  <td>{instant(object.lastFinishedAt)}</td>
                  <td className="bw-numeric">{count(object.callsSpent)}</td>
                  <td>{object.lastError ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Section>
  );
}

/** A workspace holds one HubSpot portal and one Salesforce org; the missing one connects from here into this workspace. */
function ConnectOther({ connected }: { connected: readonly MeInstallation[] }) {
  const has = (provider: MeInstallation['provider']) => connected.some((entry) => entry.provider === provider);
  if (has('hubspot') && has('salesforce')) return null;
  return (
    <Section title="Connect the other CRM" id="connect-other">
      <p className="bw-muted">
        Selling in one CRM and serving customers in the other? Connect both: Bellwether matches their accounts and shows
        one score in each.
      </p>
      <div className="bw-form-row">
        {has('hubspot') ? null : (
          <a className="bw-button" href="/install/hubspot" data-testid="connect-hubspot">
            Connect HubSpot
          </a>
        )}
        {has('salesforce') ? null : (
          <>
            <a className="bw-button" href="/install/salesforce?domain=production" data-testid="connect-salesforce">
              Connect Salesforce
            </a>
            <a className="bw-button bw-button-quiet" href="/install/salesforce?domain=sandbox">
              Connect a Salesforce sandbox
            </a>
          </>
        )}
      </div>
    </Section>
  );
}

export function InstallationsPanel() {
  const { me } = useApp();
  const connected = me.installations.filter((installation) => installation.status !== 'uninstalled');
  return (
    <div data-testid="admin-installations">
      {me.installations.map((installation) => (
        <InstallationStatus key={installation.id} installation={installation} />
      ))}
      <ConnectOther connected={connected} />
    </div>
  );
}

export function SchedulesPanel() {
  const { installation } = useApp();
  const status = useStatus(installation.id);
  return (
    <Section title="Schedules" id="admin-schedules" note="Times are UTC; each installation's runs are staggered.">
      {status.state === 'loading' ? (
        <Loading what="schedules" />
      ) : status.state === 'failed' ? (
        <Failure error={status.error} retry={status.reload} />
      ) : status.data.schedules.length === 0 ? (
        <p className="bw-muted">No schedules yet: they are created after the installation&apos;s first sync.</p>
      ) : (
        <table className="bw-table" data-testid="schedules">
          <thead>
            <tr>
              <th>Schedule</th>
              <th>Cron (UTC)</th>
              <th>Next run</th>
            </tr>
          </thead>
          <tbody>
            {status.data.schedules.map((schedule) => (
              <tr key={schedule.id} data-key={schedule.id}>
                <td>{schedule.id}</td>
                <td>
                  <code>{schedule.pattern ?? '—'}</code>
                </td>
                <td>{instant(schedule.nextRunAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}
