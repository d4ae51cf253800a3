import { dashboardCsvUrl, npsSchema, type Nps, type NpsMix } from '../api/contracts.ts';
import { useApp } from '../app-context.ts';
import { Chart, SERIES_COLOURS } from '../components/charts.tsx';
import { DataTable, type Column } from '../components/data-table.tsx';
import { Definitions } from '../components/definitions.tsx';
import { Num, Section, Tile, Tiles } from '../components/figures.tsx';
import { useFilterOptions } from '../components/filter-options.ts';
import { FigureFilters } from '../components/filters.tsx';
import { TIER_LABEL } from '../components/labels.ts';
import { FigurePage, useFigure, useFilters } from '../components/page-frame.tsx';
import { count, nps, share } from '../format.ts';

/** What customers say: the score and its mix, its trend, where it is low, and the themes in their words. */

type Ready = Extract<Nps, { status: 'ready' }>;
const FILTERS = ['segment', 'tier', 'csm'] as const;

const mixColumns = <Row extends NpsMix>(): Column<Row>[] => [
  { key: 'score', header: 'NPS', numeric: true, cell: (row) => nps(row.score), value: (row) => row.score },
  {
    key: 'responses',
    header: 'Answers',
    numeric: true,
    cell: (row) => count(row.responses),
    value: (row) => row.responses,
  },
  {
    key: 'promoters',
    header: 'Promoters',
    numeric: true,
    cell: (row) => count(row.promoters),
    value: (row) => row.promoters,
  },
  {
    key: 'passives',
    header: 'Passives',
    numeric: true,
    cell: (row) => count(row.passives),
    value: (row) => row.passives,
  },
  {
    key: 'detractors',
    header: 'Detractors',
    numeric: true,
    cell: (row) => count(row.detractors),
    value: (row) => row.detractors,
  },
];

const ofAnswers = (part: number, mix: NpsMix) => (mix.responses === 0 ? null : part / mix.responses);

function NpsFigure({ figure, csv }: { figure: Ready; csv: (table: string) => string }) {
  const { overall } = figure;
  return (
    <>
      <Tiles>
        <Tile
          id="nps-score"
          label="NPS"
          value={overall.score}
          shown={nps(overall.score)}
          tone={
            overall.score === null ? 'neutral' : overall.score >= 30 ? 'green' : overall.score >= 0 ? 'yellow' : 'red'
          }
          note={`${count(overall.responses)} answers`}
        />
        <Tile
          id="nps-promoters"
          label="Promoters (9–10)"
          value={overall.promoters}
          shown={count(overall.promoters)}
          tone="green"
          note={share(ofAnswers(overall.promoters, overall))}
        />
        <Tile
          id="nps-passives"
          label="Passives (7–8)"
          value={overall.passives}
          shown={count(overall.passives)}
          note={share(ofAnswers(overall.passives, overall))}
        />
        <Tile
          id="nps-detractors"
          label="Detractors (0–6)"
          value={overall.detractors}
          shown={count(overall.detractors)}
          tone="red"
          note={share(ofAnswers(overall.detractors, overall))}
        />
      </Tiles>
      <div className="bw-grid-2">
        <Section title={`Trend by ${figure.wave}`} id="nps-trend">
          <Chart
            id="nps-trend"
            label="NPS by survey wave"
            data={figure.trend}
            x="period"
            series={[
              { key: 'score', label: 'NPS', colour: SERIES_COLOURS.blue, kind: 'line' },
              { key: 'responses', label: 'Answers', colour: '#cbd5e1' },
            ]}
            format={(value) => nps(value)}
          />
          <DataTable
            id="nps-trend"
            caption="By wave"
            csv={csv('trend')}
            rows={figure.trend}
            rowKey={(row) => row.period}
            columns={[
              { key: 'period', header: 'Wave', cell: (row) => row.period, value: (row) => row.period },
              ...mixColumns<Ready['trend'][number]>(),
            ]}
          />
        </Section>
        <Section title="Themes" id="nps-themes" note="What answers mention, with the score of those who mention it.">
          <DataTable
            id="nps-themes"
            caption="Themes"
            csv={csv('themes')}
            rows={figure.themes}
            rowKey={(row) => row.theme}
            empty="No comments to read yet."
            columns={[
              {
                key: 'theme',
                header: 'Theme',
                value: (row) => row.theme,
                cell: (row) => (
                  <>
                    <strong>{row.label}</strong>
                    {row.examples.slice(0, 2).map((quote, index) => (
                      <blockquote className="bw-quote" key={index}>
                        “{quote}”
                      </blockquote>
                    ))}
                  </>
                ),
              },
              {
                key: 'mentions',
                header: 'Mentions',
                numeric: true,
                cell: (row) => count(row.mentions),
                value: (row) => row.mentions,
              },
              {
                key: 'split',
                header: 'P / P / D',
                numeric: true,
                cell: (row) =>
                  `${count(row.promoterMentions)} / ${count(row.passiveMentions)} / ${count(row.detractorMentions)}`,
              },
              { key: 'score', header: 'NPS', numeric: true, cell: (row) => nps(row.score), value: (row) => row.score },
            ]}
          />
        </Section>
      </div>
      <div className="bw-grid-2">
        <Section title="By segment" id="nps-segments">
          <DataTable
            id="nps-segments"
            caption="Segments"
            csv={csv('segments')}
            rows={figure.bySegment}
            rowKey={(row) => row.segment ?? 'none'}
            columns={[
              {
                key: 'segment',
                header: 'Segment',
                cell: (row) => row.segment ?? 'No segment',
                value: (row) => row.segment,
              },
              ...mixColumns<Ready['bySegment'][number]>(),
            ]}
          />
          <DataTable
            id="nps-tiers"
            caption="Touch tiers"
            csv={csv('tiers')}
            rows={figure.byTier}
            rowKey={(row) => row.tier ?? 'none'}
            columns={[
              {
                key: 'tier',
                header: 'Tier',
                cell: (row) => (row.tier ? TIER_LABEL[row.tier] : 'No tier'),
                value: (row) => row.tier,
              },
              ...mixColumns<Ready['byTier'][number]>(),
            ]}
          />
        </Section>
        <Section title="By CSM" id="nps-csms">
          <DataTable
            id="nps-csms"
            caption="CSMs"
            csv={csv('csms')}
            rows={figure.byCsm}
            rowKey={(row) => row.csmId ?? 'none'}
            columns={[
              {
                key: 'csm',
                header: 'CSM',
                cell: (row) => row.name ?? row.csmId ?? 'No CSM',
                value: (row) => row.csmId,
              },
              ...mixColumns<Ready['byCsm'][number]>(),
            ]}
          />
        </Section>
      </div>
      <Section title="Definitions" id="nps-definitions">
        <p className="bw-muted">
          <Num id="nps-answers-read" value={figure.answersRead}>
            {count(figure.answersRead)}
          </Num>{' '}
          answers read,{' '}
          <Num id="nps-duplicates" value={figure.duplicatesDropped}>
            {count(figure.duplicatesDropped)}
          </Num>{' '}
          repeat answers dropped.
        </p>
        <Definitions definitions={figure.definitions} />
      </Section>
    </>
  );
}

export function NpsPage() {
  const { installation } = useApp();
  const [filters, set] = useFilters(FILTERS);
  const resource = useFigure('nps', npsSchema, filters);
  const options = useFilterOptions();
  const csv = (table: string) => dashboardCsvUrl(installation.id, 'nps', table, filters);
  return (
    <FigurePage
      title="NPS"
      what="NPS"
      resource={resource}
      filters={
        <FigureFilters filters={filters} set={set} segments={options?.segments ?? []} csms={options?.csms ?? []} />
      }
    >
      {(figure) => <NpsFigure figure={figure} csv={csv} />}
    </FigurePage>
  );
}
