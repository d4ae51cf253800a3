import { dashboardCsvUrl, warningsInboxSchema, WARNING_SEVERITIES, type InboxWarning } from '../api/contracts.ts';
import { useApp } from '../app-context.ts';
import { AccountLink } from '../components/account-link.tsx';
import { DataTable, type Column } from '../components/data-table.tsx';
import { Num } from '../components/figures.tsx';
import { useFilterOptions } from '../components/filter-options.ts';
import { SEVERITY_WORD } from '../components/labels.ts';
import { Pager } from '../components/pager.tsx';
import { PageHeader, useFigure, useFilters } from '../components/page-frame.tsx';
import { Failure, Loading } from '../components/states.tsx';
import { count, instant } from '../format.ts';

/** Open early warnings across the installation, newest first, filtered the way a leader triages. */

const FILTERS = ['severity', 'rule', 'csm', 'page'] as const;
const SEVERITY_TONE = { high: 'red', medium: 'yellow', low: 'neutral' } as const;

function columns(installation: Parameters<typeof AccountLink>[0]['installation']): Column<InboxWarning>[] {
  return [
    {
      key: 'severity',
      header: 'Severity',
      value: (row) => row.severity,
      cell: (row) => (
        <span className={`bw-badge bw-badge-${SEVERITY_TONE[row.severity]}`}>{SEVERITY_WORD[row.severity]}</span>
      ),
    },
    {
      key: 'title',
      header: 'Warning',
      value: (row) => row.title,
      cell: (row) => (
        <>
          <strong>{row.title}</strong>
          {row.detail ? <div className="bw-muted">{row.detail}</div> : null}
        </>
      ),
    },
    {
      key: 'account',
      header: 'Account',
      value: (row) => row.accountId,
      cell: (row) => <AccountLink installation={installation} accountId={row.accountId} name={row.accountName} />,
    },
    { key: 'rule', header: 'Rule', cell: (row) => <code>{row.rule}</code>, value: (row) => row.rule },
    { key: 'csm', header: 'CSM', cell: (row) => row.csmName ?? row.csmId ?? '—', value: (row) => row.csmId },
    { key: 'openedAt', header: 'Opened', cell: (row) => instant(row.openedAt), value: (row) => row.openedAt },
    { key: 'lastSeenAt', header: 'Last seen', cell: (row) => instant(row.lastSeenAt), value: (row) => row.lastSeenAt },
  ];
}

export function WarningsPage() {
  const { installation } = useApp();
  const [filters, set] = useFilters(FILTERS);
  const resource = useFigure('warnings', warningsInboxSchema, filters);
  const options = useFilterOptions();
  const { page: _page, ...csvFilters } = filters;
  const inbox = resource.state === 'ready' ? resource.data : null;

  return (
    <div data-testid="page-warnings">
      <PageHeader title="Warnings inbox" computedAt={inbox?.computedAt ?? null} />
      <div className="bw-filters" data-testid="filters">
        <label>
          Severity
          <select
            data-testid="filter-severity"
            value={filters.severity ?? ''}
            onChange={(event) => set('severity', event.target.value || undefined)}
          >
            <option value="">Any severity</option>
            {WARNING_SEVERITIES.map((severity) => (
              <option key={severity} value={severity}>
                {SEVERITY_WORD[severity]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Rule
          <select
            data-testid="filter-rule"
            value={filters.rule ?? ''}
            onChange={(event) => set('rule', event.target.value || undefined)}
          >
            <option value="">Any rule</option>
            {[...new Set([...(inbox?.rules ?? []), ...(filters.rule ? [filters.rule] : [])])].map((rule) => (
              <option key={rule} value={rule}>
                {rule}
              </option>
            ))}
          </select>
        </label>
        <label>
          CSM
          <select
            data-testid="filter-csm"
            value={filters.csm ?? ''}
            onChange={(event) => set('csm', event.target.value || undefined)}
          >
            <option value="">All CSMs</option>
            {(options?.csms ?? []).map((csm) => (
              <option key={csm.csmId} value={csm.csmId}>
                {csm.name ?? csm.csmId}
              </option>
            ))}
          </select>
        </label>
      </div>
      {resource.state === 'loading' ? (
        <Loading what="open warnings" />
      ) : resource.state === 'failed' ? (
        <Failure error={resource.error} retry={resource.reload} />
      ) : (
        <section className="bw-section">
          <p className="bw-muted">
            <Num id="warnings-total" value={resource.data.total}>
              {count(resource.data.total)}
            </Num>{' '}
            open warnings match.
          </p>
          <DataTable
            id="warnings"
            caption="Open warnings"
            csv={dashboardCsvUrl(installation.id, 'warnings', 'warnings', csvFilters)}
            rows={resource.data.items}
            rowKey={(row) => row.id}
            columns={columns(installation)}
            empty="No open warnings match these filters."
            total={resource.data.total}
          />
          <Pager
            page={resource.data.page}
            pageSize={resource.data.pageSize}
            total={resource.data.total}
            go={(page) => set('page', String(page))}
            labels={['Newer', 'Older']}
          />
        </section>
      )}
    </div>
  );
}
