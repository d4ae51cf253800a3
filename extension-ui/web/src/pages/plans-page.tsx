import {
  dashboardCsvUrl,
  plansSchema,
  type ObjectiveStatusName,
  type PlanBehind,
  type MeInstallation,
  type Plans,
  type PlansByCsm,
  type PlansBySegment,
} from '../api/contracts.ts';
import { useApp } from '../app-context.ts';
import { AccountPlansLink } from '../components/account-link.tsx';
import { Chart, SERIES_COLOURS } from '../components/charts.tsx';
import { DataTable, type Column } from '../components/data-table.tsx';
import { Definitions } from '../components/definitions.tsx';
import { Num, Section, Tile, Tiles } from '../components/figures.tsx';
import { useFilterOptions } from '../components/filter-options.ts';
import { FigureFilters } from '../components/filters.tsx';
import { Pager } from '../components/pager.tsx';
import { OBJECTIVE_TONE } from '../components/plan-labels.ts';
import { FigurePage, useFigure, useFilters } from '../components/page-frame.tsx';
import { count, day, money, share } from '../format.ts';
import { useRoute } from '../router.ts';
import { AccountPlanPage } from './account-plan-page.tsx';

/**
 * Success plans across the book: accounts by lifecycle stage, objectives by status, where the plans
 * behind sit (by CSM and segment), and the plans behind themselves with what is late and what is next.
 */

type Ready = Extract<Plans, { status: 'ready' }>;
const FILTERS = ['segment', 'tier', 'csm', 'page'] as const;

const STATUS_WORD: Record<ObjectiveStatusName, string> = {
  on_track: 'On track',
  behind: 'Behind',
  achieved: 'Achieved',
  missed: 'Missed',
  no_data: 'No data',
};
const STATUS_TONE: Record<ObjectiveStatusName, 'red' | 'yellow' | 'green' | 'neutral'> = OBJECTIVE_TONE;

function groupColumns<Row extends PlansByCsm | PlansBySegment>(): Column<Row>[] {
  return [
    { key: 'plans', header: 'Active plans', numeric: true, cell: (row) => count(row.plans), value: (row) => row.plans },
    {
      key: 'plansBehind',
      header: 'Plans behind',
      numeric: true,
      cell: (row) => count(row.plansBehind),
      value: (row) => row.plansBehind,
    },
    { key: 'share', header: 'Share behind', numeric: true, cell: (row) => share(row.share), value: (row) => row.share },
  ];
}

const behindColumns = (installation: MeInstallation): Column<PlanBehind>[] => [
  {
    key: 'account',
    header: 'Account',
    cell: (row) => <AccountPlansLink installation={installation} accountId={row.accountId} name={row.accountName} />,
    value: (row) => row.accountId,
  },
  { key: 'csm', header: 'CSM', cell: (row) => row.csmName ?? row.csmId ?? '—', value: (row) => row.csmId },
  { key: 'segment', header: 'Segment', cell: (row) => row.segment ?? '—', value: (row) => row.segment },
  { key: 'arr', header: 'ARR', numeric: true, cell: (row) => money(row.arr), value: (row) => row.arr },
  { key: 'plan', header: 'Plan', cell: (row) => row.planName, value: (row) => row.planName },
  { key: 'stage', header: 'Stage', cell: (row) => row.stageLabel, value: (row) => row.stage },
  {
    key: 'daysInStage',
    header: 'Days in stage',
    numeric: true,
    cell: (row) => count(row.daysInStage),
    value: (row) => row.daysInStage,
  },
  {
    key: 'objectives',
    header: 'Objectives behind',
    cell: (row) => (
      <ul>
        {row.objectives.map((objective) => (
          <li key={objective.key} data-status={objective.status}>
            <span className={`bw-badge bw-badge-${STATUS_TONE[objective.status]}`}>
              {STATUS_WORD[objective.status]}
            </span>{' '}
            {objective.title}: <strong>{objective.valueText}</strong>{' '}
            <span className="bw-muted">
              (target {objective.targetText}
              {objective.status === 'behind' && objective.expectedText
                ? `, expected ${objective.expectedText} by now`
                : `, due ${day(objective.dueAt)}`}
              )
            </span>
          </li>
        ))}
      </ul>
    ),
    value: (row) => row.objectives.length,
  },
  {
    key: 'nextMilestone',
    header: 'Next milestone',
    cell: (row) =>
      row.nextMilestone ? (
        <>
          {row.nextMilestone.title}
          <div className="bw-muted">
            due {day(row.nextMilestone.dueAt)}{' '}
            {row.nextMilestone.overdue ? <span className="bw-badge bw-badge-red">Overdue</span> : null}
          </div>
        </>
      ) : (
        <span className="bw-muted">All reached</span>
      ),
    value: (row) => row.nextMilestone?.dueAt ?? null,
  },
];

function PlansFigure({
  figure,
  csv,
  go,
}: {
  figure: Ready;
  csv: (table: string) => string;
  go: (page: number) => void;
}) {
  const { installation } = useApp();
  const { summary } = figure;
  const behindShare = summary.activePlans === 0 ? null : summary.plansBehind / summary.activePlans;
  return (
    <>
      <Tiles>
        <Tile id="plans-active" label="Active plans" value={summary.activePlans} shown={count(summary.activePlans)} />
        <Tile
          id="plans-behind"
          label="Plans behind"
          value={summary.plansBehind}
          shown={count(summary.plansBehind)}
          tone="red"
          note={`${share(behindShare)} of active plans`}
        />
        <Tile
          id="plans-staged"
          label="Accounts with a stage"
          value={summary.stagedAccounts}
          shown={count(summary.stagedAccounts)}
          note={
            summary.unstagedAccounts > 0 ? (
              <>
                <Num id="plans-unstaged" value={summary.unstagedAccounts}>
                  {count(summary.unstagedAccounts)}
                </Num>{' '}
                not staged yet
              </>
            ) : undefined
          }
        />
      </Tiles>
      <Tiles>
        {(['on_track', 'behind', 'achieved', 'missed', 'no_data'] as const).map((status) => (
          <Tile
            key={status}
            id={`objectives-${status}`}
            label={`Objectives: ${STATUS_WORD[status].toLowerCase()}`}
            value={summary.objectives[status]}
            shown={count(summary.objectives[status])}
            tone={STATUS_TONE[status]}
            note={`of ${count(summary.objectives.total)}`}
          />
        ))}
      </Tiles>
      <Section title="Accounts by lifecycle stage" id="plans-stages">
        <div className="bw-grid-2">
          <Chart
            id="stages"
            label="Accounts in each lifecycle stage"
            data={figure.stages.map((slice) => ({ stage: slice.label, accounts: slice.accounts }))}
            x="stage"
            series={[{ key: 'accounts', label: 'Accounts', colour: SERIES_COLOURS.blue }]}
            format={count}
          />
          <DataTable
            id="stages"
            caption="Stages"
            csv={csv('stages')}
            rows={figure.stages}
            rowKey={(row) => row.stage}
            columns={[
              { key: 'stage', header: 'Stage', cell: (row) => row.label, value: (row) => row.stage },
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
        </div>
      </Section>
      <div className="bw-grid-2">
        <Section title="Plans behind by CSM" id="plans-by-csm">
          <DataTable
            id="plans-csms"
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
              ...groupColumns<PlansByCsm>(),
            ]}
            empty="No active plans."
          />
        </Section>
        <Section title="Plans behind by segment" id="plans-by-segment">
          <DataTable
            id="plans-segments"
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
              ...groupColumns<PlansBySegment>(),
            ]}
            empty="No active plans."
          />
        </Section>
      </div>
      <Section
        title="Plans behind"
        id="plans-behind-section"
        note="Active plans with an objective behind its line or past its due date short of its target, largest ARR first."
      >
        <DataTable
          id="plans-behind"
          caption="Plans behind"
          csv={csv('behind')}
          rows={figure.plansBehind}
          rowKey={(row) => row.planId}
          columns={behindColumns(installation)}
          empty="No plan is behind."
          total={summary.plansBehind}
        />
        <Pager
          page={figure.plansBehindPage.page}
          pageSize={figure.plansBehindPage.pageSize}
          total={summary.plansBehind}
          go={go}
        />
      </Section>
      <Section title="Definitions" id="plans-definitions">
        <Definitions definitions={figure.definitions} />
      </Section>
    </>
  );
}

/** The Plans tab: the book's plans, or one account's (`/app/:id/accounts/:accountId/plans`). */
export function PlansPage() {
  const { accountId } = useRoute();
  return accountId ? <AccountPlanPage key={accountId} accountId={accountId} /> : <PlansDashboard />;
}

function PlansDashboard() {
  const { installation } = useApp();
  const [filters, set] = useFilters(FILTERS);
  const resource = useFigure('plans', plansSchema, filters);
  const options = useFilterOptions();
  const { page: _page, ...csvFilters } = filters;
  const csv = (table: string) => dashboardCsvUrl(installation.id, 'plans', table, csvFilters);
  return (
    <FigurePage
      title="Plans"
      what="success plans"
      resource={resource}
      filters={
        <FigureFilters filters={filters} set={set} segments={options?.segments ?? []} csms={options?.csms ?? []} />
      }
    >
      {(figure) => <PlansFigure figure={figure} csv={csv} go={(page) => set('page', String(page))} />}
    </FigurePage>
  );
}
