import {
  Alert,
  Button,
  ButtonRow,
  Divider,
  EmptyState,
  ErrorState,
  Flex,
  Heading,
  LineChart,
  Link,
  List,
  LoadingSpinner,
  ProgressBar,
  Statistics,
  StatisticsItem,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
  Tag,
  Text,
  type CrmContext,
  type ExtensionPointApiActions,
} from '@hubspot/ui-extensions';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { buildCardView, PALETTE, type AccountCard, type CardView } from '@bellwether/card-view';
import { cardApi, type OverrideRequest } from './api.ts';
import { OVERRIDE_MODAL_ID, OverrideForm } from './OverrideForm.tsx';

type CardActions = Pick<ExtensionPointApiActions<'crm.record.sidebar'>, 'addAlert' | 'closeOverlay'>;

export interface AccountHealthCardProps {
  context: CrmContext;
  actions: CardActions;
  /** The moment relative times are measured from; the clock unless a test fixes it. */
  now?: () => Date;
}

type Load = { phase: 'loading' } | { phase: 'failed'; message: string } | { phase: 'ready'; card: AccountCard };

const MAX_DRIVERS = 5;

/** The account health card on a HubSpot company record: the shared view model, drawn with HubSpot components. */
export function AccountHealthCard({ context, actions, now = () => new Date() }: AccountHealthCardProps) {
  const [load, setLoad] = useState<Load>({ phase: 'loading' });
  const [busy, setBusy] = useState(false);

  // The record the card is about: reload when it changes, not when the host hands over a new context object.
  const { portal, crm, user } = context;
  const ids = useMemo(
    () => ({ portal: { id: portal.id }, crm: { objectId: crm.objectId }, user: { id: user.id } }),
    [portal.id, crm.objectId, user.id],
  );

  const reload = useCallback(async () => {
    setLoad({ phase: 'loading' });
    try {
      setLoad({ phase: 'ready', card: await cardApi.load(ids) });
    } catch (error) {
      setLoad({ phase: 'failed', message: error instanceof Error ? error.message : String(error) });
    }
  }, [ids]);

  useEffect(() => {
    void reload();
  }, [reload]);

  if (load.phase === 'loading') return <LoadingSpinner label="Loading account health" layout="centered" />;
  if (load.phase === 'failed') {
    return (
      <ErrorState title="Account health could not be loaded">
        <Text>{load.message}</Text>
        <Button onClick={() => void reload()}>Try again</Button>
      </ErrorState>
    );
  }

  const view = buildCardView(load.card, {
    now: now(),
    timeZone: portal.timezone,
    ...(user.locale ? { locale: user.locale } : {}),
  });

  const act = async (run: () => Promise<AccountCard | void>, done: string) => {
    setBusy(true);
    try {
      const card = await run();
      if (card) setLoad({ phase: 'ready', card });
      actions.addAlert({ type: 'success', message: done });
    } catch (error) {
      actions.addAlert({ type: 'danger', message: error instanceof Error ? error.message : String(error) });
    } finally {
      setBusy(false);
    }
  };

  const saveOverride = async (request: OverrideRequest) => {
    // Errors propagate to the form, which shows them beside the fields.
    const card = await cardApi.setOverride(ids, request);
    setLoad({ phase: 'ready', card });
    actions.closeOverlay(OVERRIDE_MODAL_ID);
    actions.addAlert({ type: 'success', message: 'Override saved' });
  };

  const buttons = (
    <ButtonRow>
      <Button
        variant="secondary"
        disabled={busy}
        testId="rescore"
        onClick={() => void act(() => cardApi.rescore(ids), 'Rescore requested: the card updates in a minute')}
      >
        Rescore now
      </Button>
      <Button
        variant="secondary"
        disabled={busy}
        testId="qbr-prepare"
        onClick={() => void act(() => cardApi.prepareBrief(ids), 'QBR brief requested: it appears here when written')}
      >
        Prepare QBR brief
      </Button>
      <Button variant="secondary" testId="override-open" overlay={<OverrideForm now={now} onSubmit={saveOverride} />}>
        {view.override?.active ? 'Change override' : 'Override'}
      </Button>
      {view.override ? (
        <Button
          variant="destructive"
          disabled={busy}
          testId="override-clear"
          onClick={() => void act(() => cardApi.clearOverride(ids), 'Override cleared')}
        >
          Clear override
        </Button>
      ) : null}
    </ButtonRow>
  );

  return (
    <Flex direction="column" gap="sm">
      <Banners view={view} />
      {view.empty ? (
        <EmptyState title={view.empty.title} layout="vertical" imageName="emptyStateCharts">
          <Text>{view.empty.body}</Text>
        </EmptyState>
      ) : (
        <Scored view={view} />
      )}
      <SuccessPlan view={view} />
      <Text variant="microcopy">{view.freshness.updated}</Text>
      {buttons}
    </Flex>
  );
}

function Banners({ view }: { view: CardView }) {
  return (
    <>
      {view.freshness.banner ? (
        <Alert title="May be out of date" variant="warning" testId="stale">
          {view.freshness.banner}
        </Alert>
      ) : null}
      {view.override ? (
        <Alert
          title={view.override.active ? 'Override' : 'Override expired'}
          variant={PALETTE[view.override.tone].hubspotAlert}
          testId="override"
        >
          {view.override.banner}
        </Alert>
      ) : null}
      {view.alerts.map((alert) => (
        <Alert
          key={alert.id}
          title={alert.title}
          variant={PALETTE[alert.tone].hubspotAlert}
          testId={`alert-${alert.id}`}
        >
          {alert.detail ? <Text>{alert.detail}</Text> : null}
          {alert.steps.length > 0 ? (
            <List variant="ordered">
              {alert.steps.map((step) => (
                <Text key={step.text} variant="microcopy">
                  {step.text} ({step.due})
                </Text>
              ))}
            </List>
          ) : null}
          <Text variant="microcopy">{alert.opened}</Text>
        </Alert>
      ))}
    </>
  );
}

/** The lifecycle stage and the active success plan; shown whether or not the account is scored yet. */
function SuccessPlan({ view }: { view: CardView }) {
  const { lifecycle, plan } = view;
  if (!lifecycle && !plan) return null;
  return (
    <>
      <Divider />
      {lifecycle ? (
        <Flex direction="row" gap="xs" align="center">
          <Text format={{ fontWeight: 'demibold' }}>Lifecycle</Text>
          <Tag variant={PALETTE[lifecycle.tone].hubspotTag} testId="lifecycle">
            {lifecycle.text}
          </Tag>
        </Flex>
      ) : null}
      {lifecycle ? (
        <Text variant="microcopy" testId="lifecycle-reason">
          {lifecycle.reason}
        </Text>
      ) : null}
      {plan ? (
        <>
          <Heading>Success plan: {plan.name}</Heading>
          {plan.objectives.map((objective) => (
            <Flex key={objective.key} direction="column" gap="flush" testId={`objective-${objective.key}`}>
              <Flex direction="row" gap="xs" justify="between">
                <Text>{objective.title}</Text>
                <Tag variant={PALETTE[objective.tone].hubspotTag}>{objective.statusLabel}</Tag>
              </Flex>
              {objective.percent !== null ? (
                <ProgressBar
                  value={objective.percent}
                  maxValue={100}
                  showPercentage
                  variant={PALETTE[objective.tone].hubspotProgress}
                  aria-label={`${objective.title}: ${objective.percentText ?? ''} of the way to the target`}
                />
              ) : null}
              <Text variant="microcopy">{objective.detail}</Text>
            </Flex>
          ))}
          {plan.nextMilestone ? (
            <Flex direction="row" gap="xs" align="center" wrap="wrap" testId="next-milestone">
              <Text>Next: {plan.nextMilestone.title}</Text>
              <Tag variant={PALETTE[plan.nextMilestone.tone].hubspotTag}>{plan.nextMilestone.dueText}</Tag>
            </Flex>
          ) : null}
          {plan.milestonesText ? (
            <Text variant="microcopy" testId="milestones">
              {plan.milestonesText}
            </Text>
          ) : null}
        </>
      ) : null}
    </>
  );
}

function Scored({ view }: { view: CardView }) {
  const { headline, trend } = view;
  return (
    <>
      {headline ? (
        <Statistics>
          <StatisticsItem label="Health score" number={headline.scoreText}>
            <Tag variant={PALETTE[headline.tone].hubspotTag} testId="band">
              {headline.bandLabel}
            </Tag>
            <Text variant="microcopy">
              {headline.sourceLabel} · {headline.coverageText}
            </Text>
          </StatisticsItem>
        </Statistics>
      ) : null}
      {trend ? (
        <Text testId="trend">
          {trend.arrow} {trend.label}: {trend.text}
        </Text>
      ) : null}
      {view.moved ? <Text variant="microcopy">{view.moved}</Text> : null}
      {view.renewal ? <Text testId="renewal">{view.renewal}</Text> : null}
      {view.history.length > 1 ? (
        <LineChart
          data={view.history.map((point) => ({ day: point.label, score: point.score }))}
          axes={{
            x: { field: 'day', fieldType: 'category', label: 'Day' },
            y: { field: 'score', fieldType: 'linear', label: 'Score' },
          }}
          options={{ title: 'Last 12 weeks' }}
        />
      ) : null}
      {view.drivers.length > 0 ? (
        <>
          <Divider />
          <Heading>Top drivers</Heading>
          <Table bordered={false} testId="drivers">
            <TableHead>
              <TableRow>
                <TableHeader>Driver</TableHeader>
                <TableHeader>Effect</TableHeader>
              </TableRow>
            </TableHead>
            <TableBody>
              {view.drivers.slice(0, MAX_DRIVERS).map((driver) => (
                <TableRow key={driver.key}>
                  <TableCell>
                    <Text>{driver.text}</Text>
                    <Text variant="microcopy">
                      {driver.label} · {driver.groupLabel}
                    </Text>
                  </TableCell>
                  <TableCell>
                    <Tag variant={PALETTE[driver.tone].hubspotTag}>{driver.impactText}</Tag>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </>
      ) : null}
      <Divider />
      <Heading>QBR brief</Heading>
      <Text variant="microcopy" testId="qbr-summary">
        {view.qbr.summary}
      </Text>
      {view.qbr.links.length > 0 ? (
        <Flex direction="row" gap="sm">
          {view.qbr.links.map((link) => (
            <Link key={link.label} href={{ url: link.href, external: true }} testId={`qbr-${link.label}`}>
              {link.label}
            </Link>
          ))}
        </Flex>
      ) : null}
      {view.groups.length > 0 ? (
        <Table bordered={false} testId="groups">
          <TableHead>
            <TableRow>
              <TableHeader>Group</TableHeader>
              <TableHeader>Score</TableHeader>
              <TableHeader>Weight</TableHeader>
            </TableRow>
          </TableHead>
          <TableBody>
            {view.groups.map((group) => (
              <TableRow key={group.key}>
                <TableCell>{group.label}</TableCell>
                <TableCell>
                  <Tag variant={PALETTE[group.tone].hubspotTag}>{group.scoreText}</Tag>
                </TableCell>
                <TableCell>{group.weightText}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : null}
    </>
  );
}
