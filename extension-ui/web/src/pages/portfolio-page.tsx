import {
  dashboardCsvUrl,
  portfolioSchema,
  type CsmPortfolio,
  type HealthMix,
  type Portfolio,
} from '../api/contracts.ts';
import { useApp } from '../app-context.ts';
import { Chart, SERIES_COLOURS } from '../components/charts.tsx';
import { DataTable, type Column } from '../components/data-table.tsx';
import { Definitions } from '../components/definitions.tsx';
import { Num, Section, Tile, Tiles } from '../components/figures.tsx';
import { FigureFilters } from '../components/filters.tsx';
import { HealthMixBar } from '../components/health-mix.tsx';
import { BAND_WORD, TIER_LABEL } from '../components/labels.ts';
import { FigurePage, useFigure, useFilters } from '../components/page-frame.tsx';
import { compactMoney, count, decimal, money } from '../format.ts';

/** The book at a glance: band mix by accounts and ARR, score distribution, tiers, segments, CSM books. */

type Ready = Extract<Portfolio, { status: 'ready' }>;
const FILTERS = ['segment', 'tier', 'csm'] as const;

interface BookSlice {
  accounts: number;
  arr: number;
  averageScore: number | null;
  health: HealthMix;
}

/** The columns every slice of the book (a tier, a segment) shows after its own name. */
function sliceColumns<Row extends BookSlice>(): Column<Row>[] {
  return [
    {
      key: 'accounts',
      header: 'Accounts',
      numeric: true,
      cell: (row) => count(row.accounts),
      value: (row) => row.accounts,
    },
    { key: 'arr', header: 'ARR', numeric: true, cell: (row) => money(row.arr), value: (row) => row.arr },
    {
      key: 'averageScore',
      header: 'Avg score',
      numeric: true,
      cell: (row) => decimal(row.averageScore, 0),
      value: (row) => row.averageScore,
    },
    { key: 'mix', header: 'Health mix', cell: (row) => <HealthMixBar mix={row.health} /> },
  ];
}

export const csmColumns: Column<CsmPortfolio>[] = [
  { key: 'csm', header: 'CSM', cell: (row) => row.name ?? row.csmId ?? 'No CSM', value: (row) => row.csmId },
  {
    key: 'accounts',
    header: 'Accounts',
    numeric: true,
    cell: (row) => count(row.accounts),
    value: (row) => row.accounts,
  },
  { key: 'arr', header: 'ARR', numeric: true, cell: (row) => money(row.arr), value: (row) => row.arr },
  {
    key: 'averageScore',
    header: 'Avg score',
    numeric: true,
    cell: (row) => decimal(row.averageScore, 0),
    value: (row) => row.averageScore,
  },
  { key: 'mix', header: 'Health mix', cell: (row) => <HealthMixBar mix={row.health} /> },
  {
    key: 'red',
    header: 'Red',
    numeric: true,
    cell: (row) => count(row.health.red.accounts),
    value: (row) => row.health.red.accounts,
  },
  {
    key: 'yellow',
    header: 'Yellow',
    numeric: true,
    cell: (row) => count(row.health.yellow.accounts),
    value: (row) => row.health.yellow.accounts,
  },
  {
    key: 'green',
    header: 'Green',
    numeric: true,
    cell: (row) => count(row.health.green.accounts),
    value: (row) => row.health.green.accounts,
  },
  {
    key: 'redArr',
    header: 'Red ARR',
    numeric: true,
    cell: (row) => money(row.health.red.arr),
    value: (row) => row.health.red.arr,
  },
  {
    key: 'renewalsDue',
    header: 'Renewing in 90 d',
    numeric: true,
    cell: (row) => `${count(row.renewalsDue.accounts)} · ${money(row.renewalsDue.arr)}`,
    value: (row) => row.renewalsDue.arr,
  },
  {
    key: 'revenueAtRisk',
    header: 'Revenue at risk',
    numeric: true,
    cell: (row) => money(row.revenueAtRisk),
    value: (row) => row.revenueAtRisk,
  },
  {
    key: 'mainTier',
    header: 'Mostly',
    cell: (row) => (row.mainTier ? TIER_LABEL[row.mainTier] : '—'),
    value: (row) => row.mainTier,
  },
];

export const csmKey = (row: { csmId: string | null }) => row.csmId ?? 'none';

function PortfolioFigure({ figure, csv }: { figure: Ready; csv: (table: string) => string }) {
  return (
    <>
      <Tiles>
        <Tile
          id="portfolio-accounts"
          label="Accounts"
          value={figure.totals.accounts}
          shown={count(figure.totals.accounts)}
        />
        <Tile id="portfolio-arr" label="ARR" value={figure.totals.arr} shown={money(figure.totals.arr)} />
        <Tile
          id="portfolio-scored"
          label="Scored"
          value={figure.totals.scored}
          shown={count(figure.totals.scored)}
          note={`of ${count(figure.totals.accounts)} accounts`}
        />
        <Tile
          id="portfolio-average-score"
          label="Average score"
          value={figure.totals.averageScore}
          shown={decimal(figure.totals.averageScore, 0)}
        />
        <Tile
          id="portfolio-revenue-at-risk"
          label="Revenue at risk"
          value={figure.totals.revenueAtRisk}
          shown={money(figure.totals.revenueAtRisk)}
          tone="red"
        />
      </Tiles>
      <Tiles>
        {figure.bands.map((slice) => (
          <Tile
            key={slice.band}
            id={`band-${slice.band}-accounts`}
            label={`${BAND_WORD[slice.band]} accounts`}
            value={slice.accounts}
            shown={count(slice.accounts)}
            tone={slice.band === 'unscored' ? 'neutral' : slice.band}
            note={
              <>
                ARR{' '}
                <Num id={`band-${slice.band}-arr`} value={slice.arr}>
                  {money(slice.arr)}
                </Num>
              </>
            }
          />
        ))}
      </Tiles>
      <div className="bw-grid-2">
        <Section title="Score distribution" id="score-distribution">
          <Chart
            id="score-distribution"
            label="Accounts and ARR by ten-point score bucket"
            data={figure.scoreDistribution.map((bucket) => ({
              bucket: `${bucket.from}–${bucket.to}`,
              accounts: bucket.accounts,
            }))}
            x="bucket"
            series={[{ key: 'accounts', label: 'Accounts', colour: SERIES_COLOURS.blue }]}
            format={count}
          />
        </Section>
        <Section title="ARR by band" id="band-mix">
          <Chart
            id="band-mix"
            label="ARR per health band"
            data={figure.bands.map((slice) => ({ band: BAND_WORD[slice.band], arr: slice.arr }))}
            x="band"
            series={[{ key: 'arr', label: 'ARR', colour: SERIES_COLOURS.teal }]}
            format={(value) => compactMoney(value)}
          />
          <DataTable
            id="bands"
            caption="Band mix"
            csv={csv('bands')}
            rows={figure.bands}
            rowKey={(row) => row.band}
            columns={[
              { key: 'band', header: 'Band', cell: (row) => BAND_WORD[row.band] },
              {
                key: 'accounts',
                header: 'Accounts',
                numeric: true,
                cell: (row) => count(row.accounts),
                value: (row) => row.accounts,
              },
              { key: 'arr', header: 'ARR', numeric: true, cell: (row) => money(row.arr), value: (row) => row.arr },
            ]}
          />
        </Section>
      </div>
      <div className="bw-grid-2">
        <Section title="By touch tier" id="by-tier">
          <DataTable
            id="tiers"
            caption="Touch tiers"
            csv={csv('tiers')}
            rows={figure.byTier}
            rowKey={(row) => row.tier}
            columns={[{ key: 'tier', header: 'Tier', cell: (row) => TIER_LABEL[row.tier] }, ...sliceColumns()]}
          />
        </Section>
        <Section title="By segment" id="by-segment">
          <DataTable
            id="segments"
            caption="Segments"
            csv={csv('segments')}
            rows={figure.bySegment}
            rowKey={(row) => row.segment ?? 'none'}
            columns={[
              { key: 'segment', header: 'Segment', cell: (row) => row.segment ?? 'No segment' },
              ...sliceColumns(),
            ]}
          />
        </Section>
      </div>
      <Section title="CSM portfolios" id="csm-portfolios">
        <DataTable id="csms" caption="CSMs" csv={csv('csms')} rows={figure.csms} rowKey={csmKey} columns={csmColumns} />
      </Section>
      <Section title="Definitions" id="portfolio-definitions">
        <Definitions definitions={figure.definitions} />
      </Section>
    </>
  );
}

export function PortfolioPage() {
  const { installation } = useApp();
  const [filters, set] = useFilters(FILTERS);
  const resource = useFigure('portfolio', portfolioSchema, filters);
  const options = resource.state === 'ready' && resource.data.status === 'ready' ? resource.data.options : null;
  const csv = (table: string) => dashboardCsvUrl(installation.id, 'portfolio', table, filters);
  return (
    <FigurePage
      title="Portfolio"
      what="the portfolio"
      resource={resource}
      filters={
        <FigureFilters filters={filters} set={set} segments={options?.segments ?? []} csms={options?.csms ?? []} />
      }
    >
      {(figure) => <PortfolioFigure figure={figure} csv={csv} />}
    </FigurePage>
  );
}
