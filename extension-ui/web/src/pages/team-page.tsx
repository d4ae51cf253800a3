import { useState } from 'react';
import {
  dashboardCsvUrl,
  teamSchema,
  TOUCH_TIERS,
  type StaffingForecast,
  type Team,
  type TouchTier,
} from '../api/contracts.ts';
import { useApp } from '../app-context.ts';
import { Chart, SERIES_COLOURS } from '../components/charts.tsx';
import { DataTable } from '../components/data-table.tsx';
import { Definitions } from '../components/definitions.tsx';
import { Section, Tile, Tiles } from '../components/figures.tsx';
import { HealthMixBar } from '../components/health-mix.tsx';
import { TIER_LABEL } from '../components/labels.ts';
import { FigurePage, useFigure } from '../components/page-frame.tsx';
import { count, decimal, LOCALE, money, month, rate } from '../format.ts';
import { csmColumns, csmKey } from './portfolio-page.tsx';
import { StaffingWhatIfForm } from './staffing-form.tsx';

/** The team: each CSM's book, the touch tiers, and how many CSMs the coming months need, with a what-if. */

type Ready = Extract<Team, { status: 'ready' }>;
type StaffingRow = StaffingForecast['months'][number];

const tierColour = {
  high_touch: SERIES_COLOURS.violet,
  low_touch: SERIES_COLOURS.blue,
  tech_touch: '#93c5fd',
} as const;
const sumTiers = (values: Record<TouchTier, number>) => TOUCH_TIERS.reduce((sum, tier) => sum + values[tier], 0);
const tierList = (values: Record<TouchTier, number>, shown: (value: number) => string) =>
  TOUCH_TIERS.map((tier) => `${shown(values[tier])} ${TIER_LABEL[tier].toLowerCase()}`).join(', ');

/** In words: when the team first falls short (this month included) and by how many, or that it suffices. */
export function staffingSummary(staffing: StaffingForecast): string {
  const rows = [staffing.current, ...staffing.months];
  const first = rows.find((row) => row.short);
  const end = staffing.months.at(-1) ?? staffing.current;
  if (!first) return `The team covers the next ${count(staffing.months.length)} months at the target loads.`;
  const people = (gap: number) => new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 1 }).format(-gap);
  const when = first === staffing.current ? 'now' : `from ${month(first.month)}`;
  return `Short of ${people(first.gap)} CSM${first.gap === -1 ? '' : 's'} ${when}; ${people(Math.min(0, end.gap))} short by ${month(end.month)} unless the team grows.`;
}

function Assumptions({ staffing, id }: { staffing: StaffingForecast; id: string }) {
  const { assumptions } = staffing;
  const churn =
    assumptions.churn.kind === 'rate'
      ? `${tierList(assumptions.churn.monthly, rate)} a month`
      : 'as the renewal forecast expects';
  const hires = assumptions.plannedHires
    .map((hire) => `${count(hire.count)} ${TIER_LABEL[hire.tier].toLowerCase()} in ${month(hire.month)}`)
    .join(', ');
  return (
    <p className="bw-muted" data-testid={id}>
      Sized at {tierList(assumptions.targetLoad, (value) => decimal(value, 0))} accounts per CSM; new customers a month:{' '}
      {tierList(assumptions.newPerMonth, (value) => decimal(value, 1))}; churn {churn}
      {hires ? `; planned hires: ${hires}` : ''}.
    </p>
  );
}

function StaffingFigure({ staffing, whatIf, csv }: { staffing: StaffingForecast; whatIf: boolean; csv: string }) {
  const prefix = whatIf ? 'whatif' : 'staffing';
  const last = staffing.months.at(-1);
  const { current } = staffing;
  const data = staffing.months.map((row) => ({
    month: row.month,
    high_touch: row.needed.high_touch,
    low_touch: row.needed.low_touch,
    tech_touch: row.needed.tech_touch,
    capacity: row.totalCapacity,
  }));
  return (
    <div data-testid={`${prefix}-figure`}>
      <p
        className={staffing.current.short || staffing.firstShortMonth ? 'bw-issues' : 'bw-notice bw-notice-ok'}
        data-testid={`${prefix}-summary`}
        data-value={staffing.firstShortMonth ?? ''}
      >
        {whatIf ? 'What-if: ' : ''}
        {staffingSummary(staffing)}
      </p>
      <Tiles>
        <Tile
          id={`${prefix}-capacity`}
          label="CSMs now"
          value={current.totalCapacity}
          shown={decimal(current.totalCapacity, 1)}
        />
        <Tile
          id={`${prefix}-needed-now`}
          label="Needed now"
          value={current.totalNeededRounded}
          shown={count(current.totalNeededRounded)}
          note={`${decimal(current.totalNeeded, 1)} at the target loads`}
          tone={current.short ? 'red' : 'green'}
        />
        {last ? (
          <Tile
            id={`${prefix}-needed-end`}
            label={`Needed by ${month(last.month)}`}
            value={last.totalNeededRounded}
            shown={count(last.totalNeededRounded)}
            tone={last.short ? 'red' : 'green'}
            note={`gap ${decimal(last.gap, 1)}`}
          />
        ) : null}
        <Tile
          id={`${prefix}-first-short`}
          label="First month short"
          value={staffing.firstShortMonth}
          shown={staffing.firstShortMonth ? month(staffing.firstShortMonth) : 'None'}
          tone={staffing.firstShortMonth ? 'red' : 'green'}
        />
      </Tiles>
      <Chart
        id={prefix}
        label="CSMs needed per tier against the team's capacity by month"
        data={data}
        x="month"
        formatX={month}
        series={[
          ...TOUCH_TIERS.map((tier) => ({
            key: tier,
            label: `${TIER_LABEL[tier]} needed`,
            colour: tierColour[tier],
            stack: 'needed',
          })),
          { key: 'capacity', label: 'Capacity', colour: SERIES_COLOURS.red, kind: 'line' as const, dashed: true },
        ]}
        format={(value) => decimal(value, 1)}
      />
      <DataTable
        id={prefix}
        caption={whatIf ? 'What-if by month' : 'Staffing by month'}
        csv={csv}
        rows={staffing.months}
        rowKey={(row) => row.month}
        columns={[
          { key: 'month', header: 'Month', cell: (row) => month(row.month), value: (row) => row.month },
          ...TOUCH_TIERS.map((tier) => ({
            key: `accounts-${tier}`,
            header: `${TIER_LABEL[tier]} accts`,
            numeric: true,
            cell: (row: StaffingRow) => decimal(row.accounts[tier], 0),
            value: (row: StaffingRow) => row.accounts[tier],
          })),
          {
            key: 'newAccounts',
            header: 'New',
            numeric: true,
            cell: (row) => decimal(sumTiers(row.newAccounts), 1),
            value: (row) => sumTiers(row.newAccounts),
          },
          {
            key: 'churnedAccounts',
            header: 'Churned',
            numeric: true,
            cell: (row) => decimal(sumTiers(row.churnedAccounts), 1),
            value: (row) => sumTiers(row.churnedAccounts),
          },
          {
            key: 'totalNeeded',
            header: 'CSMs needed',
            numeric: true,
            cell: (row) => `${count(row.totalNeededRounded)} (${decimal(row.totalNeeded, 1)})`,
            value: (row) => row.totalNeededRounded,
          },
          {
            key: 'totalCapacity',
            header: 'Capacity',
            numeric: true,
            cell: (row) => decimal(row.totalCapacity, 1),
            value: (row) => row.totalCapacity,
          },
          { key: 'gap', header: 'Gap', numeric: true, cell: (row) => decimal(row.gap, 1), value: (row) => row.gap },
        ]}
      />
      <Assumptions staffing={staffing} id={`${prefix}-assumptions`} />
      <Definitions definitions={staffing.definitions} id={`${prefix}-definitions`} />
    </div>
  );
}

function TeamFigure({ figure, csv }: { figure: Ready; csv: (table: string) => string }) {
  const [whatIf, setWhatIf] = useState<StaffingForecast | null>(null);
  const { current } = figure.staffing;
  return (
    <>
      <Section title="Staffing forecast" id="staffing">
        <StaffingFigure staffing={whatIf ?? figure.staffing} whatIf={whatIf !== null} csv={csv('staffing')} />
      </Section>
      <Section
        title="What if"
        id="whatif"
        note="Change the assumptions and compute; a field left empty keeps the forecast's own value."
      >
        <StaffingWhatIfForm staffing={figure.staffing} onResult={setWhatIf} />
      </Section>
      <div className="bw-grid-2">
        <Section title="Touch tiers" id="team-tiers">
          <DataTable
            id="team-tiers"
            caption="Tiers"
            csv={csv('tiers')}
            rows={figure.tiers}
            rowKey={(row) => row.tier}
            columns={[
              { key: 'tier', header: 'Tier', cell: (row) => TIER_LABEL[row.tier], value: (row) => row.tier },
              {
                key: 'accounts',
                header: 'Accounts',
                numeric: true,
                cell: (row) => count(row.accounts),
                value: (row) => row.accounts,
              },
              { key: 'arr', header: 'ARR', numeric: true, cell: (row) => money(row.arr), value: (row) => row.arr },
              { key: 'mix', header: 'Health mix', cell: (row) => <HealthMixBar mix={row.health} /> },
            ]}
          />
        </Section>
        <Section title="Current load" id="team-load">
          <Tiles>
            {TOUCH_TIERS.map((tier) => (
              <Tile
                key={tier}
                id={`team-accounts-${tier}`}
                label={`${TIER_LABEL[tier]} accounts`}
                value={current.accounts[tier]}
                shown={decimal(current.accounts[tier], 0)}
                note={`${decimal(current.needed[tier], 1)} CSMs needed at ${decimal(figure.settings.targetLoad[tier], 0)} each; ${decimal(current.capacity[tier], 1)} on the team`}
              />
            ))}
          </Tiles>
        </Section>
      </div>
      <Section title="CSM portfolios" id="team-portfolios">
        <DataTable
          id="team-portfolios"
          caption="CSMs"
          csv={csv('portfolios')}
          rows={figure.portfolios}
          rowKey={csmKey}
          columns={csmColumns}
        />
      </Section>
      <Section title="Definitions" id="team-definitions">
        <Definitions definitions={figure.definitions} />
      </Section>
    </>
  );
}

export function TeamPage() {
  const { installation } = useApp();
  const resource = useFigure('team', teamSchema, {});
  const csv = (table: string) => dashboardCsvUrl(installation.id, 'team', table);
  return (
    <FigurePage title="Team & staffing" what="the team" resource={resource}>
      {(figure) => <TeamFigure figure={figure} csv={csv} />}
    </FigurePage>
  );
}
