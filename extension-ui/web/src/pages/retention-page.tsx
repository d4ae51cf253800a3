import { useState } from 'react';
import { dashboardCsvUrl, retentionSchema, type Retention } from '../api/contracts.ts';
import { useApp } from '../app-context.ts';
import { Chart, SERIES_COLOURS } from '../components/charts.tsx';
import { DataTable } from '../components/data-table.tsx';
import { definitionOf, Definitions } from '../components/definitions.tsx';
import { Section, Tile, Tiles } from '../components/figures.tsx';
import { useFilterOptions } from '../components/filter-options.ts';
import { FigureFilters } from '../components/filters.tsx';
import { FigurePage, useFigure, useFilters } from '../components/page-frame.tsx';
import { count, day, money, month, rate, share } from '../format.ts';

/**
 * Where retention stands: NRR, GRR, logo and revenue churn by month and over the trailing twelve
 * months, and how each quarter's cohort has held up; every figure carries its definition.
 */

type Ready = Extract<Retention, { status: 'ready' }>;
type Months = Ready['months'];
const FILTERS = ['segment', 'tier', 'csm'] as const;

const RATES = [
  { key: 'nrr', label: 'NRR', definitionKeys: ['nrr'], colour: SERIES_COLOURS.blue, tone: 'green' },
  { key: 'grr', label: 'GRR', definitionKeys: ['grr'], colour: SERIES_COLOURS.teal, tone: 'green' },
  {
    key: 'logoChurnRate',
    label: 'Logo churn',
    definitionKeys: ['logo_churn_rate', 'logoChurnRate', 'logo_churn'],
    colour: SERIES_COLOURS.amber,
    tone: 'red',
  },
  {
    key: 'revenueChurnRate',
    label: 'Revenue churn',
    definitionKeys: ['revenue_churn_rate', 'revenueChurnRate', 'revenue_churn'],
    colour: SERIES_COLOURS.red,
    tone: 'red',
  },
] as const;

function RetentionChart({ months }: { months: Months }) {
  const [period, setPeriod] = useState<'trailing12' | 'monthly'>('trailing12');
  const data = months.map((row) => ({
    month: row.month,
    nrr: row[period].nrr,
    grr: row[period].grr,
    logoChurnRate: row[period].logoChurnRate,
    revenueChurnRate: row[period].revenueChurnRate,
  }));
  return (
    <>
      <div className="bw-tabs" role="tablist" aria-label="Period of each point">
        {(
          [
            ['trailing12', 'Trailing 12 months'],
            ['monthly', 'Each month'],
          ] as const
        ).map(([value, label]) => (
          <button
            key={value}
            type="button"
            role="tab"
            aria-selected={period === value}
            onClick={() => setPeriod(value)}
            data-testid={`retention-window-${value}`}
          >
            {label}
          </button>
        ))}
      </div>
      <Chart
        id="retention"
        label="NRR, GRR, logo churn and revenue churn by month"
        data={data}
        x="month"
        formatX={month}
        series={RATES.map((one) => ({ key: one.key, label: one.label, colour: one.colour, kind: 'line' as const }))}
        format={(value) => share(value)}
        height={280}
      />
    </>
  );
}

function CohortTable({ figure, csv }: { figure: Ready; csv: string }) {
  const width = Math.max(0, ...figure.cohorts.map((cohort) => cohort.quarters.length));
  const offsets = Array.from({ length: width }, (_, index) => index);
  return (
    <DataTable
      id="cohorts"
      caption="Cohorts: ARR retained (logos retained) by quarters since start"
      csv={csv}
      rows={figure.cohorts}
      rowKey={(row) => row.cohort}
      columns={[
        { key: 'cohort', header: 'Cohort', cell: (row) => row.cohort, value: (row) => row.cohort },
        {
          key: 'accounts',
          header: 'Accounts',
          numeric: true,
          cell: (row) => count(row.accounts),
          value: (row) => row.accounts,
        },
        {
          key: 'startingArr',
          header: 'Starting ARR',
          numeric: true,
          cell: (row) => money(row.startingArr),
          value: (row) => row.startingArr,
        },
        ...offsets.map((offset) => ({
          key: `q${offset}`,
          header: `Q+${offset}`,
          numeric: true,
          value: (row: Ready['cohorts'][number]) =>
            row.quarters.find((one) => one.offset === offset)?.arrRetention ?? null,
          cell: (row: Ready['cohorts'][number]) => {
            const quarter = row.quarters.find((one) => one.offset === offset);
            if (!quarter) return '';
            return (
              <span title={`${quarter.quarter}${quarter.partial ? ' (so far)' : ''}`}>
                {share(quarter.arrRetention)}
                <span className="bw-muted"> ({share(quarter.logoRetention)})</span>
                {quarter.partial ? '*' : ''}
              </span>
            );
          },
        })),
      ]}
    />
  );
}

function RetentionFigure({ figure, csv }: { figure: Ready; csv: (table: string) => string }) {
  const t12 = figure.trailing12;
  return (
    <>
      <p className="bw-muted" data-testid="retention-window">
        Trailing twelve months: {day(t12.from)} – {day(t12.to)}
      </p>
      <Tiles>
        {RATES.map((one) => (
          <Tile
            key={one.key}
            id={`retention-${one.key}`}
            label={`${one.label} (12 months)`}
            value={t12[one.key]}
            shown={rate(t12[one.key])}
            tone={one.tone}
            {...(definitionOf(figure.definitions, ...one.definitionKeys)
              ? { definition: definitionOf(figure.definitions, ...one.definitionKeys) as string }
              : {})}
          />
        ))}
        <Tile
          id="retention-churned-arr"
          label="Churned ARR (12 months)"
          value={t12.churnedArr}
          shown={money(t12.churnedArr)}
          note={`${count(t12.churnedAccounts)} of ${count(t12.openingAccounts)} accounts`}
        />
      </Tiles>
      <Section title="By month" id="retention-months">
        <RetentionChart months={figure.months} />
        <DataTable
          id="retention-months"
          caption="Monthly movements"
          csv={csv('months')}
          rows={figure.months}
          rowKey={(row) => row.month}
          columns={[
            {
              key: 'month',
              header: 'Month',
              cell: (row) => `${month(row.month)}${row.partial ? ' (so far)' : ''}`,
              value: (row) => row.month,
            },
            {
              key: 'openingArr',
              header: 'Opening ARR',
              numeric: true,
              cell: (row) => money(row.monthly.openingArr),
              value: (row) => row.monthly.openingArr,
            },
            {
              key: 'expansionArr',
              header: 'Expansion',
              numeric: true,
              cell: (row) => money(row.monthly.expansionArr),
              value: (row) => row.monthly.expansionArr,
            },
            {
              key: 'contractionArr',
              header: 'Contraction',
              numeric: true,
              cell: (row) => money(row.monthly.contractionArr),
              value: (row) => row.monthly.contractionArr,
            },
            {
              key: 'churnedArr',
              header: 'Churned',
              numeric: true,
              cell: (row) => money(row.monthly.churnedArr),
              value: (row) => row.monthly.churnedArr,
            },
            {
              key: 'newArr',
              header: 'New',
              numeric: true,
              cell: (row) => money(row.monthly.newArr),
              value: (row) => row.monthly.newArr,
            },
            ...RATES.map((one) => ({
              key: one.key,
              header: `${one.label} (12 mo)`,
              numeric: true,
              cell: (row: Months[number]) => rate(row.trailing12[one.key]),
              value: (row: Months[number]) => row.trailing12[one.key],
            })),
          ]}
        />
      </Section>
      <Section title="Cohort retention" id="cohorts">
        <CohortTable figure={figure} csv={csv('cohorts')} />
        <p className="bw-muted">* quarter still running.</p>
      </Section>
      <Section title="Definitions" id="retention-definitions">
        <Definitions definitions={figure.definitions} />
      </Section>
    </>
  );
}

export function RetentionPage() {
  const { installation } = useApp();
  const [filters, set] = useFilters(FILTERS);
  const resource = useFigure('retention', retentionSchema, filters);
  const options = useFilterOptions();
  const csv = (table: string) => dashboardCsvUrl(installation.id, 'retention', table, filters);
  return (
    <FigurePage
      title="Retention"
      what="retention"
      resource={resource}
      filters={
        <FigureFilters filters={filters} set={set} segments={options?.segments ?? []} csms={options?.csms ?? []} />
      }
    >
      {(figure) => <RetentionFigure figure={figure} csv={csv} />}
    </FigurePage>
  );
}
