import { dashboardCsvUrl, renewalsSchema, type AtRiskRenewal, type Renewals } from '../api/contracts.ts';
import { useApp } from '../app-context.ts';
import { Pager } from '../components/pager.tsx';
import { AccountLink } from '../components/account-link.tsx';
import { Chart, SERIES_COLOURS } from '../components/charts.tsx';
import { DataTable, type Column } from '../components/data-table.tsx';
import { Definitions } from '../components/definitions.tsx';
import { Section, Tile, Tiles } from '../components/figures.tsx';
import { useFilterOptions } from '../components/filter-options.ts';
import { FigureFilters } from '../components/filters.tsx';
import { FigurePage, useFigure, useFilters } from '../components/page-frame.tsx';
import { compactMoney, count, day, decimal, instant, money, month, share } from '../format.ts';

/**
 * The next six months of renewals: ARR up against what the model expects to renew, revenue at risk,
 * the model's footing (learned or prior, how well calibrated), and the fifth least likely to renew.
 */

type Ready = Extract<Renewals, { status: 'ready' }>;
const FILTERS = ['segment', 'tier', 'csm', 'page'] as const;

/** `+4.1 pp` / `−12.0 pp`: how far a driver moved the probability. */
const pp = (effect: number) =>
  `${new Intl.NumberFormat('en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1, signDisplay: 'exceptZero' })
    .format(effect)
    .replace(/^-/, '\u2212')} pp`;

function ModelBasis({ model }: { model: Ready['model'] }) {
  if (!model) {
    return (
      <p className="bw-muted" data-testid="model-missing">
        No renewal model has been trained for this installation yet; probabilities use the health score alone.
      </p>
    );
  }
  return (
    <>
      <p data-testid="model-explanation">{model.explanation}</p>
      {model.reason ? (
        <p className="bw-notice" data-testid="model-reason">
          {model.reason}
        </p>
      ) : null}
      <dl className="bw-kv">
        <dt>Basis</dt>
        <dd data-testid="model-basis" data-value={model.basis}>
          {model.basis === 'learned'
            ? 'Learned from this installation’s past renewals'
            : 'Documented prior (thin history)'}
        </dd>
        <dt>Trained</dt>
        <dd data-testid="model-trained-at" data-value={model.trainedAt}>
          {instant(model.trainedAt)}
        </dd>
        <dt>Trained on</dt>
        <dd data-testid="model-trained-on" data-value={model.trainedOn.renewals}>
          {count(model.trainedOn.renewals)} renewals of {count(model.trainedOn.accounts)} accounts (
          {count(model.trainedOn.won)} renewed, {count(model.trainedOn.lost)} lost)
          {model.trainedOn.firstDecision && model.trainedOn.lastDecision
            ? `, decided ${day(model.trainedOn.firstDecision)} – ${day(model.trainedOn.lastDecision)}`
            : ''}
        </dd>
        <dt>Horizon</dt>
        <dd>{count(model.horizonDays)} days</dd>
        <dt>Brier score</dt>
        <dd data-testid="model-brier" data-value={model.brier.crossValidated ?? model.brier.inSample ?? ''}>
          {decimal(model.brier.crossValidated, 3)} cross-validated · {decimal(model.brier.inSample, 3)} in sample ·{' '}
          {decimal(model.brier.prior, 3)} for the prior (lower is better)
        </dd>
      </dl>
    </>
  );
}

const bottomColumns = (installation: Parameters<typeof AccountLink>[0]['installation']): Column<AtRiskRenewal>[] => [
  { key: 'rank', header: '#', numeric: true, cell: (row) => count(row.rank), value: (row) => row.rank },
  {
    key: 'account',
    header: 'Account',
    cell: (row) => <AccountLink installation={installation} accountId={row.accountId} name={row.accountName} />,
    value: (row) => row.accountId,
  },
  { key: 'csm', header: 'CSM', cell: (row) => row.csmName ?? row.csmId ?? '—', value: (row) => row.csmId },
  { key: 'renewalDate', header: 'Renewal', cell: (row) => day(row.renewalDate), value: (row) => row.renewalDate },
  { key: 'arr', header: 'ARR', numeric: true, cell: (row) => money(row.arr), value: (row) => row.arr },
  {
    key: 'probability',
    header: 'Likelihood',
    numeric: true,
    cell: (row) => share(row.probability),
    value: (row) => row.probability,
  },
  {
    key: 'revenueAtRisk',
    header: 'At risk',
    numeric: true,
    cell: (row) => money(row.revenueAtRisk),
    value: (row) => row.revenueAtRisk,
  },
  {
    key: 'drivers',
    header: 'Why',
    cell: (row) => (
      <>
        <ul>
          {row.drivers.slice(0, 3).map((driver, index) => (
            <li key={index} title={driver.text}>
              {driver.label} <span className="bw-muted">{pp(driver.effect)}</span>
            </li>
          ))}
        </ul>
        {row.healthDrivers ? <div className="bw-muted">{row.healthDrivers}</div> : null}
      </>
    ),
  },
  {
    key: 'opportunities',
    header: 'Top opportunities',
    cell: (row) =>
      row.opportunities.length === 0 ? (
        <span className="bw-muted">—</span>
      ) : (
        <ol style={{ margin: 0, paddingLeft: 16 }}>
          {row.opportunities.map((opportunity, index) => (
            <li key={index} title={opportunity.detail ?? undefined}>
              {opportunity.title}
            </li>
          ))}
        </ol>
      ),
  },
];

function RenewalsFigure({
  figure,
  csv,
  go,
}: {
  figure: Ready;
  csv: (table: string) => string;
  go: (page: number) => void;
}) {
  const { installation } = useApp();
  const { totals } = figure;
  return (
    <>
      <Tiles>
        <Tile id="renewals-count" label="Renewals (6 months)" value={totals.renewals} shown={count(totals.renewals)} />
        <Tile id="renewals-arr-up" label="ARR up for renewal" value={totals.arrUp} shown={money(totals.arrUp)} />
        <Tile
          id="renewals-expected"
          label="Expected renewed ARR"
          value={totals.expectedArr}
          shown={money(totals.expectedArr)}
          tone="green"
        />
        <Tile
          id="renewals-at-risk"
          label="Revenue at risk"
          value={totals.revenueAtRisk}
          shown={money(totals.revenueAtRisk)}
          tone="red"
        />
        <Tile
          id="renewals-bottom20"
          label="Bottom 20 %"
          value={totals.atRiskRenewals}
          shown={count(totals.atRiskRenewals)}
          tone="yellow"
          note={`${money(totals.atRiskArr)} ARR`}
        />
      </Tiles>
      <div className="bw-grid-2">
        <Section title="Forecast by month" id="renewal-forecast">
          <Chart
            id="renewal-forecast"
            label="ARR up for renewal, expected renewed ARR and revenue at risk by month"
            data={figure.months}
            x="month"
            formatX={month}
            series={[
              { key: 'arrUp', label: 'ARR up', colour: SERIES_COLOURS.grey },
              { key: 'expectedArr', label: 'Expected renewed', colour: SERIES_COLOURS.teal },
              { key: 'revenueAtRisk', label: 'At risk', colour: SERIES_COLOURS.red },
            ]}
            format={(value) => compactMoney(value)}
          />
          <DataTable
            id="renewal-months"
            caption="By month"
            csv={csv('months')}
            rows={figure.months}
            rowKey={(row) => row.month}
            columns={[
              { key: 'month', header: 'Month', cell: (row) => month(row.month), value: (row) => row.month },
              {
                key: 'renewals',
                header: 'Renewals',
                numeric: true,
                cell: (row) => count(row.renewals),
                value: (row) => row.renewals,
              },
              {
                key: 'arrUp',
                header: 'ARR up',
                numeric: true,
                cell: (row) => money(row.arrUp),
                value: (row) => row.arrUp,
              },
              {
                key: 'expectedArr',
                header: 'Expected',
                numeric: true,
                cell: (row) => money(row.expectedArr),
                value: (row) => row.expectedArr,
              },
              {
                key: 'revenueAtRisk',
                header: 'At risk',
                numeric: true,
                cell: (row) => money(row.revenueAtRisk),
                value: (row) => row.revenueAtRisk,
              },
              {
                key: 'atRiskRenewals',
                header: 'Bottom 20 %',
                numeric: true,
                cell: (row) => count(row.atRiskRenewals),
                value: (row) => row.atRiskRenewals,
              },
            ]}
          />
        </Section>
        <Section title="The model" id="renewal-model">
          <ModelBasis model={figure.model} />
          {figure.model ? (
            <DataTable
              id="calibration"
              caption="Calibration (predicted against observed renewal rate)"
              csv={csv('calibration')}
              rows={figure.model.calibration}
              rowKey={(row) => `${row.from}-${row.to}`}
              columns={[
                { key: 'range', header: 'Predicted', cell: (row) => `${share(row.from)}–${share(row.to)}` },
                {
                  key: 'count',
                  header: 'Renewals',
                  numeric: true,
                  cell: (row) => count(row.count),
                  value: (row) => row.count,
                },
                {
                  key: 'meanPredicted',
                  header: 'Mean predicted',
                  numeric: true,
                  cell: (row) => share(row.meanPredicted),
                  value: (row) => row.meanPredicted,
                },
                {
                  key: 'observed',
                  header: 'Observed',
                  numeric: true,
                  cell: (row) => share(row.observed),
                  value: (row) => row.observed,
                },
              ]}
            />
          ) : null}
          <Definitions definitions={figure.definitions} />
        </Section>
      </div>
      <Section
        title="Least likely to renew (bottom 20 %)"
        id="bottom20"
        note="Each with what moved its forecast and the three opportunities most worth raising before the renewal."
      >
        <DataTable
          id="bottom20"
          caption="Renewals at risk"
          csv={csv('bottom20')}
          rows={figure.bottom20}
          rowKey={(row) => row.accountId}
          columns={bottomColumns(installation)}
          empty="No renewals in the next six months."
          total={totals.atRiskRenewals}
        />
        <Pager
          page={figure.bottom20Page.page}
          pageSize={figure.bottom20Page.pageSize}
          total={totals.atRiskRenewals}
          go={go}
        />
      </Section>
    </>
  );
}

export function RenewalsPage() {
  const { installation } = useApp();
  const [filters, set] = useFilters(FILTERS);
  const resource = useFigure('renewals', renewalsSchema, filters);
  const options = useFilterOptions();
  const { page: _page, ...csvFilters } = filters;
  const csv = (table: string) => dashboardCsvUrl(installation.id, 'renewals', table, csvFilters);
  return (
    <FigurePage
      title="Renewals"
      what="the renewal forecast"
      resource={resource}
      filters={
        <FigureFilters filters={filters} set={set} segments={options?.segments ?? []} csms={options?.csms ?? []} />
      }
    >
      {(figure) => <RenewalsFigure figure={figure} csv={csv} go={(page) => set('page', String(page))} />}
    </FigurePage>
  );
}
