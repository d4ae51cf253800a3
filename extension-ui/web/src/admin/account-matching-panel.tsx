import { useState } from 'react';
import { z } from 'zod';
import { accountMatchesSchema, type AccountMatches } from '../api/contracts.ts';
import { useResource } from '../api/use-resource.ts';
import { useApp } from '../app-context.ts';
import { DataTable, type Column } from '../components/data-table.tsx';
import { Section, Tile, Tiles } from '../components/figures.tsx';
import { Pager } from '../components/pager.tsx';
import { Failure, Loading } from '../components/states.tsx';
import { count, instant } from '../format.ts';

/**
 * Which HubSpot companies and Salesforce Accounts are the same customer: counts per rule, conflicts,
 * name matches to confirm or reject, the links (unlink any), and a pair linked by hand. A decision is
 * applied by the matching run it starts; the report shows it once that run has saved.
 */

type Ready = Extract<AccountMatches, { status: 'ready' }>;
type Link = Ready['links'][number];
type Proposal = Ready['proposals'][number];
type Conflict = Ready['conflicts'][number];

const decisionAnswerSchema = z.object({ matchJobId: z.string() });
const PAGE_SIZE = 50;

const RULE_NAMES = { connector_id: 'Connector id', domain: 'Domain', manual: 'By hand' } as const;

export function AccountMatchingPanel() {
  const { api, installation } = useApp();
  const [page, setPage] = useState(1);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const base = `/api/installations/${encodeURIComponent(installation.id)}/account-matches`;
  const path = `${base}?page=${page}&pageSize=${PAGE_SIZE}`;
  const answer = useResource(path, () => api.get(path, accountMatchesSchema));

  const decide = (hubspotAccountId: string, salesforceAccountId: string, decision: 'linked' | 'rejected') => {
    setBusy(true);
    setNotice(null);
    api
      .send('POST', `${base}/decisions`, { hubspotAccountId, salesforceAccountId, decision }, decisionAnswerSchema)
      .then(
        () =>
          setNotice({
            ok: true,
            text: `${decision === 'linked' ? 'Linked' : 'Kept apart'}: HubSpot ${hubspotAccountId} and Salesforce ${salesforceAccountId}. Matching runs again; reload to see it applied.`,
          }),
        (error: unknown) =>
          setNotice({ ok: false, text: error instanceof Error ? error.message : 'The decision was not saved.' }),
      )
      .finally(() => setBusy(false));
  };

  if (answer.state === 'loading') return <Loading what="account matching" />;
  if (answer.state === 'failed') return <Failure error={answer.error} retry={answer.reload} />;
  const report = answer.data;
  if (report.status === 'single_crm') {
    return (
      <Section title="Account matching" id="account-matching">
        <p className="bw-muted" data-testid="matching-single-crm">
          {report.message}
        </p>
      </Section>
    );
  }
  if (report.status === 'pending') {
    return (
      <Section title="Account matching" id="account-matching">
        <p className="bw-muted" data-testid="matching-pending">
          Accounts are matched after each CRM&apos;s sync; the first report is on its way.
        </p>
      </Section>
    );
  }

  const linkColumns: Column<Link>[] = [
    { key: 'hubspot', header: 'HubSpot company', cell: (row) => `${row.hubspotName ?? '—'} (${row.hubspotId})` },
    {
      key: 'salesforce',
      header: 'Salesforce Account',
      cell: (row) => `${row.salesforceName ?? '—'} (${row.salesforceId})`,
    },
    { key: 'rule', header: 'Rule', cell: (row) => RULE_NAMES[row.rule], value: (row) => row.rule },
    { key: 'linkedAt', header: 'Linked', cell: (row) => instant(row.linkedAt) },
    {
      key: 'action',
      header: '',
      cell: (row) => (
        <button
          type="button"
          className="bw-button bw-button-quiet"
          disabled={busy}
          onClick={() => decide(row.hubspotId, row.salesforceId, 'rejected')}
        >
          Unlink
        </button>
      ),
    },
  ];
  const proposalColumns: Column<Proposal>[] = [
    { key: 'hubspot', header: 'HubSpot company', cell: (row) => `${row.hubspotName} (${row.hubspotId})` },
    { key: 'salesforce', header: 'Salesforce Account', cell: (row) => `${row.salesforceName} (${row.salesforceId})` },
    {
      key: 'similarity',
      header: 'Name similarity',
      numeric: true,
      cell: (row) => `${Math.round(row.similarity * 100)}%`,
      value: (row) => row.similarity,
    },
    {
      key: 'action',
      header: '',
      cell: (row) => (
        <span className="bw-form-row">
          <button
            type="button"
            className="bw-button"
            disabled={busy}
            onClick={() => decide(row.hubspotId, row.salesforceId, 'linked')}
          >
            Same customer
          </button>
          <button
            type="button"
            className="bw-button bw-button-quiet"
            disabled={busy}
            onClick={() => decide(row.hubspotId, row.salesforceId, 'rejected')}
          >
            Different
          </button>
        </span>
      ),
    },
  ];
  const conflictColumns: Column<Conflict>[] = [
    { key: 'rule', header: 'Rule', cell: (row) => RULE_NAMES[row.rule], value: (row) => row.rule },
    { key: 'key', header: 'Shared', cell: (row) => row.key },
    { key: 'hubspot', header: 'HubSpot companies', cell: (row) => row.hubspotIds.join(', ') },
    { key: 'salesforce', header: 'Salesforce Accounts', cell: (row) => row.salesforceIds.join(', ') },
    { key: 'reason', header: 'Why', cell: (row) => row.reason },
  ];
  const csv = (table: string) => `${base}?table=${table}`;
  const tile = (id: string, label: string, value: number) => (
    <Tile id={`matching-count-${id}`} label={label} value={value} shown={count(value)} />
  );

  return (
    <div data-testid="admin-matching">
      <Section title="Account matching" id="account-matching" note={`Matched ${instant(report.computedAt)}.`}>
        <Tiles>
          {tile('connector', 'Linked by connector id', report.counts.connector_id)}
          {tile('domain', 'Linked by domain', report.counts.domain)}
          {tile('manual', 'Linked by hand', report.counts.manual)}
          {tile('proposed', 'To review', report.counts.proposed)}
          {tile('conflicts', 'Conflicts', report.counts.conflicts)}
          {tile('unmatched-hubspot', 'HubSpot only', report.counts.unmatchedHubspot)}
          {tile('unmatched-salesforce', 'Salesforce only', report.counts.unmatchedSalesforce)}
        </Tiles>
        {notice ? (
          <p className={notice.ok ? 'bw-notice bw-notice-ok' : 'bw-issues'} role="status" data-testid="matching-notice">
            {notice.text}
          </p>
        ) : null}
      </Section>
      <Section title="To review" id="matching-proposals" note="Similar names, never linked until someone confirms.">
        <DataTable
          id="matching-proposals"
          caption="Proposals"
          csv={csv('proposals')}
          rows={report.proposals}
          rowKey={(row) => `${row.hubspotId}:${row.salesforceId}`}
          columns={proposalColumns}
          empty="Nothing to review."
        />
      </Section>
      <Section title="Conflicts" id="matching-conflicts" note="One record claimed by several: nothing is linked.">
        <DataTable
          id="matching-conflicts"
          caption="Conflicts"
          csv={csv('conflicts')}
          rows={report.conflicts}
          rowKey={(row) => `${row.rule}:${row.key}`}
          columns={conflictColumns}
          empty="No conflicts."
        />
      </Section>
      <Section title="Links" id="matching-links">
        <DataTable
          id="matching-links"
          caption="Linked accounts"
          csv={csv('links')}
          rows={report.links}
          rowKey={(row) => row.hubspotId}
          columns={linkColumns}
          empty="No accounts linked yet."
          total={report.linksPage.total}
        />
        <Pager
          page={report.linksPage.page}
          pageSize={report.linksPage.pageSize}
          total={report.linksPage.total}
          go={setPage}
        />
        <LinkByHand busy={busy} link={(hubspotId, salesforceId) => decide(hubspotId, salesforceId, 'linked')} />
      </Section>
    </div>
  );
}

function LinkByHand({ busy, link }: { busy: boolean; link: (hubspotId: string, salesforceId: string) => void }) {
  const [hubspotId, setHubspotId] = useState('');
  const [salesforceId, setSalesforceId] = useState('');
  return (
    <form
      className="bw-form-row"
      style={{ marginTop: 10 }}
      data-testid="matching-link-form"
      onSubmit={(event) => {
        event.preventDefault();
        link(hubspotId.trim(), salesforceId.trim());
      }}
    >
      <label>
        HubSpot company id <input value={hubspotId} onChange={(event) => setHubspotId(event.target.value)} required />
      </label>
      <label>
        Salesforce Account id{' '}
        <input value={salesforceId} onChange={(event) => setSalesforceId(event.target.value)} required />
      </label>
      <button type="submit" className="bw-button" disabled={busy}>
        Link by hand
      </button>
    </form>
  );
}
