import {
  Alert,
  Button,
  EmptyState,
  ErrorState,
  Flex,
  Heading,
  hubspot,
  LineChart,
  Link,
  LoadingSpinner,
  Modal,
  ProgressBar,
  Select,
  StatisticsItem,
  Table,
  TableRow,
  Tag,
  Text,
  TextArea,
} from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { createElement } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AccountHealthCard } from '../../../extension-ui/hubspot/src/app/cards/AccountHealthCard.tsx';
import type { AccountCard } from '../../../server/contracts/cards.ts';
import { NOW, PLAN, scoredCard } from './card-fixture.ts';

/**
 * The HubSpot card, rendered by HubSpot's own test renderer. `hubspot.fetch` is the one thing not
 * run for real: HubSpot's proxy is not here, so each test answers it as the card API would.
 */

const CARD_URL = 'https://bellwether.app/api/cards/account?portalId=62515&objectId=9001&userId=77';
const OVERRIDE_URL = 'https://bellwether.app/api/cards/account/override?portalId=62515&objectId=9001&userId=77';
const RESCORE_URL = 'https://bellwether.app/api/cards/account/rescore?portalId=62515&objectId=9001&userId=77';
const QBR_URL = 'https://bellwether.app/api/cards/account/qbr?portalId=62515&objectId=9001&userId=77';

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

function renderCard(...answers: (Response | Promise<Response>)[]) {
  const fetch = vi.spyOn(hubspot, 'fetch');
  for (const answer of answers) fetch.mockImplementationOnce(() => Promise.resolve(answer));
  const renderer = createRenderer('crm.record.sidebar');
  const { context, actions } = renderer.mocks;
  const cardContext = {
    ...context,
    portal: { id: 62515, timezone: 'UTC' },
    crm: { objectId: 9001, objectTypeId: '0-2' },
    user: { ...context.user, id: 77 },
  };
  renderer.render(createElement(AccountHealthCard, { context: cardContext, actions, now: () => NOW }));
  return { ...renderer, fetch };
}

const withBand = (band: 'red' | 'yellow' | 'green', score: number): AccountCard =>
  scoredCard({ health: { score, band, source: 'computed', computed: { score, band }, coverage: 1, modelVersion: 3 } });

const override: NonNullable<AccountCard['override']> = {
  score: null,
  band: 'red',
  reason: 'legal dispute over the renewal',
  author: 'hubspot:user:77',
  setAt: '2026-12-05T10:00:00.000Z',
  expiresAt: '2027-01-04T10:00:00.000Z',
  active: true,
};

/** `trigger` in 0.17 types its argument as the handler itself; at run time it passes the value on. */
const asEventArg = (value: string | number) => value as never;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('HubSpot account health card', () => {
  it('shows a spinner while the card loads, having asked for this portal, record and user', async () => {
    const ui = renderCard(new Promise<Response>(() => {}));
    expect(ui.find(LoadingSpinner).props.label).toBe('Loading account health');
    // The renderer's waitFor wakes on rendering; a call that renders nothing new needs vitest's.
    await vi.waitFor(() => expect(ui.fetch).toHaveBeenCalledTimes(1));
    expect(ui.find(LoadingSpinner).props.label).toBe('Loading account health');
    expect(ui.fetch).toHaveBeenCalledWith(CARD_URL, { method: 'GET' });
  });

  it('says what went wrong and retries on request', async () => {
    const ui = renderCard(
      json({ error: { code: 'NOT_FOUND', message: 'Account not found' } }, 404),
      json(scoredCard()),
    );
    await ui.waitFor(() => expect(ui.find(ErrorState).props.title).toBe('Account health could not be loaded'));
    expect(ui.find(ErrorState).find(Text).text).toBe('Account not found');
    ui.find(ErrorState).find(Button).trigger('onClick');
    await ui.waitFor(() => expect(ui.find(StatisticsItem).props.number).toBe('72'));
    expect(ui.fetch).toHaveBeenCalledTimes(2);
    expect(ui.findAll(ErrorState)).toHaveLength(0);
  });

  it('answers a proxy failure with no JSON body by its status', async () => {
    const ui = renderCard(new Response('Bad gateway', { status: 502 }));
    await ui.waitFor(() => expect(ui.find(ErrorState).find(Text).text).toBe('Bellwether answered 502'));
  });

  it('shows an empty state before the first score', async () => {
    const ui = renderCard(
      json(
        scoredCard({
          status: 'not_scored',
          health: null,
          trend: null,
          history: [],
          groups: [],
          drivers: [],
          measures: [],
        }),
      ),
    );
    await ui.waitFor(() => expect(ui.find(EmptyState).props.title).toBe('Not scored yet'));
    expect(ui.maybeFind(StatisticsItem)).toBeNull();
    expect(ui.maybeFind(LineChart)).toBeNull();
  });

  it('shows why a score is missing when data is insufficient', async () => {
    const card = scoredCard({
      status: 'insufficient_data',
      health: {
        score: null,
        band: null,
        source: 'computed',
        computed: { score: null, band: null },
        coverage: 0.3,
        modelVersion: 3,
      },
    });
    const ui = renderCard(json(card));
    await ui.waitFor(() => expect(ui.find(EmptyState).props.title).toBe('Not enough data to score'));
    expect(ui.find(EmptyState).find(Text).text).toBe(
      "Only 30% of the health model's signals have data for this account.",
    );
  });

  it.each([
    ['red', 22, 'error'],
    ['yellow', 55, 'warning'],
    ['green', 88, 'success'],
  ] as const)('draws a %s score with its band tag', async (band, score, variant) => {
    const ui = renderCard(json(withBand(band, score)));
    await ui.waitFor(() => expect(ui.find(StatisticsItem).props.number).toBe(String(score)));
    const tag = ui.findByTestId(Tag, 'band');
    expect(tag.props.variant).toBe(variant);
    expect(tag.text).toBe(band[0]!.toUpperCase() + band.slice(1));
  });

  it('draws trend, renewal, history and drivers, largest effect first', async () => {
    const ui = renderCard(json(scoredCard()));
    await ui.waitFor(() => expect(ui.find(StatisticsItem).props.number).toBe('72'));
    expect(ui.findByTestId(Text, 'trend').text).toBe('↓ Declining: Down 6 points over 4 weeks');
    expect(ui.findByTestId(Text, 'renewal').text).toBe('Renews 31 Mar 2027 · 82% likely · $12,400 at risk');
    expect(ui.find(LineChart).props.data).toEqual([
      { day: '30 Nov', score: 78.3 },
      { day: '1 Dec', score: 75 },
      { day: '2 Dec', score: 72.4 },
    ]);
    const rows = ui.findByTestId(Table, 'drivers').findAll(TableRow).slice(1);
    expect(rows.map((row) => row.find(Tag).text)).toEqual(['\u22128.2 pts', '+5.5 pts', '+3.0 pts']);
    expect(rows[0]!.find(Tag).props.variant).toBe('error');
  });

  it('warns when the data is stale, and not otherwise', async () => {
    const stale = scoredCard({
      freshness: {
        lastSyncedAt: '2026-12-02T10:00:00Z',
        lastScoredAt: '2026-12-02T10:00:00Z',
        stale: true,
        staleReason: 'the last sync finished 3 days ago',
      },
    });
    const first = renderCard(json(stale));
    await first.waitFor(() =>
      expect(first.findByTestId(Alert, 'stale').text).toBe(
        'This card may be out of date: the last sync finished 3 days ago.',
      ),
    );
    vi.restoreAllMocks();
    const second = renderCard(json(scoredCard()));
    await second.waitFor(() => expect(second.find(StatisticsItem).props.number).toBe('72'));
    expect(second.maybeFindByTestId(Alert, 'stale')).toBeNull();
  });

  it('sets an override through the modal with PUT, then shows it', async () => {
    const withOverride = scoredCard({
      health: {
        score: 72.4,
        band: 'red',
        source: 'override',
        computed: { score: 72.4, band: 'green' },
        coverage: 0.875,
        modelVersion: 3,
      },
      override,
    });
    const ui = renderCard(json(scoredCard()), json(withOverride));
    await ui.waitFor(() => expect(ui.find(StatisticsItem).props.number).toBe('72'));
    expect(ui.maybeFindByTestId(Alert, 'override')).toBeNull();

    const modal = ui.findByTestId(Button, 'override-open').props.overlay!.find(Modal);
    modal.find(Select, { name: 'band' }).trigger('onChange', asEventArg('red'));
    modal.find(Select, { name: 'days' }).trigger('onChange', asEventArg(30));
    ui.find(TextArea).trigger('onChange', asEventArg('  legal dispute over the renewal '));
    ui.findByTestId(Button, 'override-submit').trigger('onClick');

    await ui.waitFor(() =>
      expect(ui.findByTestId(Alert, 'override').text).toBe(
        'CSM override: Red until 4 Jan 2027 — legal dispute over the renewal',
      ),
    );
    expect(ui.fetch).toHaveBeenLastCalledWith(OVERRIDE_URL, {
      method: 'PUT',
      body: { band: 'red', reason: 'legal dispute over the renewal', expiresAt: '2027-01-04T10:00:00.000Z' },
    });
    expect(ui.mocks.actions.closeOverlay.calls).toEqual([['bellwether-override']]);
    expect(ui.findByTestId(Tag, 'band').props.variant).toBe('error');
  });

  it('refuses an override without a reason and sends nothing', async () => {
    const ui = renderCard(json(scoredCard()));
    await ui.waitFor(() => expect(ui.find(StatisticsItem).props.number).toBe('72'));
    ui.find(TextArea).trigger('onChange', asEventArg('no'));
    ui.findByTestId(Button, 'override-submit').trigger('onClick');
    await ui.waitFor(() =>
      expect(ui.find(TextArea).props.validationMessage).toBe('Say why, in at least 3 characters.'),
    );
    expect(ui.find(TextArea).props.error).toBe(true);
    expect(ui.fetch).toHaveBeenCalledTimes(1);
  });

  it('clears an override with DELETE, then shows the computed score again', async () => {
    const withOverride = scoredCard({ override });
    const ui = renderCard(json(withOverride), json(scoredCard()));
    await ui.waitFor(() => expect(ui.findByTestId(Alert, 'override').props.variant).toBe('danger'));
    ui.findByTestId(Button, 'override-clear').trigger('onClick');
    await ui.waitFor(() => expect(ui.maybeFindByTestId(Alert, 'override')).toBeNull());
    expect(ui.fetch).toHaveBeenLastCalledWith(OVERRIDE_URL, { method: 'DELETE' });
    expect(ui.maybeFindByTestId(Button, 'override-clear')).toBeNull();
    expect(ui.mocks.actions.addAlert.calls).toEqual([[{ type: 'success', message: 'Override cleared' }]]);
  });

  it('asks for a rescore with POST and reports a refusal', async () => {
    const ui = renderCard(
      json(scoredCard()),
      json({ status: 'queued' }, 202),
      json({ error: { code: 'RATE_LIMITED', message: 'Too many rescores; try again in 60 s' } }, 429),
    );
    await ui.waitFor(() => expect(ui.find(StatisticsItem).props.number).toBe('72'));
    ui.findByTestId(Button, 'rescore').trigger('onClick');
    await ui.waitFor(() =>
      expect(ui.mocks.actions.addAlert.calls).toEqual([
        [{ type: 'success', message: 'Rescore requested: the card updates in a minute' }],
      ]),
    );
    expect(ui.fetch).toHaveBeenLastCalledWith(RESCORE_URL, { method: 'POST' });
    await ui.waitFor(() => expect(ui.findByTestId(Button, 'rescore').props.disabled).toBe(false));
    ui.findByTestId(Button, 'rescore').trigger('onClick');
    await ui.waitFor(() =>
      expect(ui.mocks.actions.addAlert.calls.at(-1)).toEqual([
        { type: 'danger', message: 'Too many rescores; try again in 60 s' },
      ]),
    );
  });

  it('shows each open warning with what fired and its next steps, most severe first', async () => {
    const ui = renderCard(json(scoredCard()));
    await ui.waitFor(() => expect(ui.find(StatisticsItem).props.number).toBe('72'));
    const alerts = ui.findAll(Alert).filter((alert) => alert.props.testId?.startsWith('alert-'));
    expect(alerts.map((alert) => [alert.props.title, alert.props.variant])).toEqual([
      ['Usage fell 40% in two weeks', 'danger'],
      ['Champion changed role', 'info'],
    ]);
    const texts = alerts[0]!.findAll(Text).map((text) => text.text);
    expect(texts).toEqual([
      'Active users over the last 14 days are 60% of the 56 days before',
      'Book a call with the admin (Due 6 Dec 2026)',
      'Send the adoption guide (Due 10 Dec 2026)',
      'Opened 2 days ago',
    ]);
  });

  it('asks for a QBR brief with POST, and links the latest one in its three formats', async () => {
    const links = {
      html: 'https://bellwether.app/briefs/b1.html?t=x',
      markdown: 'https://bellwether.app/briefs/b1.md?t=x',
      pdf: 'https://bellwether.app/briefs/b1.pdf?t=x',
    };
    const withBrief = scoredCard({
      qbr: {
        latest: { id: 'b1', version: 2, qbrDate: '2027-01-12', generatedAt: '2026-12-05T09:00:00.000Z', links },
      },
    });
    const ui = renderCard(json(scoredCard()), json({ status: 'queued' }, 202));
    await ui.waitFor(() => expect(ui.find(StatisticsItem).props.number).toBe('72'));
    expect(ui.findByTestId(Text, 'qbr-summary').text).toMatch(/^No QBR brief yet/);
    expect(ui.findAll(Link)).toHaveLength(0);
    ui.findByTestId(Button, 'qbr-prepare').trigger('onClick');
    await ui.waitFor(() =>
      expect(ui.mocks.actions.addAlert.calls).toEqual([
        [{ type: 'success', message: 'QBR brief requested: it appears here when written' }],
      ]),
    );
    expect(ui.fetch).toHaveBeenLastCalledWith(QBR_URL, { method: 'POST' });

    const later = renderCard(json(withBrief));
    await later.waitFor(() => expect(later.findByTestId(Text, 'qbr-summary').text).toMatch(/^Version 2, for the QBR/));
    expect(later.findAll(Link).map((link) => [link.text, (link.props.href as { url: string }).url])).toEqual([
      ['Open brief', links.html],
      ['PDF', links.pdf],
      ['Markdown', links.markdown],
    ]);
  });

  it('shows the lifecycle stage with its day, and each objective of the success plan', async () => {
    const ui = renderCard(json(scoredCard()));
    await ui.waitFor(() => expect(ui.findByTestId(Tag, 'lifecycle').text).toBe('Onboarding · day 12'));
    expect(ui.findByTestId(Tag, 'lifecycle').props.variant).toBe('info');
    expect(ui.findByTestId(Text, 'lifecycle-reason').text).toBe('Onboarding: day 40 of 90');
    expect(ui.findAll(Heading).map((heading) => heading.text)).toContain('Success plan: Mid-market onboarding');

    const objectives = PLAN.objectives.map((objective) => ui.findByTestId(Flex, `objective-${objective.key}`));
    expect(
      objectives.map((objective) => {
        const bar = objective.maybeFind(ProgressBar);
        return {
          title: objective.find(Text).text,
          status: [objective.find(Tag).text, objective.find(Tag).props.variant],
          bar: bar && [bar.props.value, bar.props.maxValue, bar.props.variant],
          detail: objective.findAll(Text).at(-1)?.text,
        };
      }),
    ).toEqual([
      {
        title: 'Half of licences in active use',
        status: ['Behind', 'warning'],
        bar: [42, 100, 'warning'],
        detail: '31% · target ≥ 50% · due 20 Jan 2027',
      },
      {
        title: 'Two features in everyday use',
        status: ['Achieved', 'success'],
        bar: [100, 100, 'success'],
        detail: '2.4 features · target ≥ 2.0 features · due 20 Jan 2027',
      },
      {
        title: 'Executive sponsor rates us 8 or more',
        status: ['No data yet', 'default'],
        bar: null,
        detail: 'No reading yet · target ≥ 8 out of 10 · due 19 Feb 2027',
      },
    ]);
    expect(ui.findAll(ProgressBar)).toHaveLength(2);

    const next = ui.findByTestId(Flex, 'next-milestone');
    expect(next.find(Text).text).toBe('Next: Onboarding review with the champion');
    expect([next.find(Tag).text, next.find(Tag).props.variant]).toEqual(['Overdue since 3 Dec 2026', 'warning']);
    expect(ui.findByTestId(Text, 'milestones').text).toBe('2 of 3 milestones reached');
  });

  it('shows a milestone not yet due in the calm colour', async () => {
    const plan = { ...PLAN, nextMilestone: { title: 'Kickoff call', dueOn: '2026-12-12', overdue: false } };
    const ui = renderCard(json(scoredCard({ plan })));
    await ui.waitFor(() => expect(ui.findByTestId(Flex, 'next-milestone').find(Tag).text).toBe('Due 12 Dec 2026'));
    expect(ui.findByTestId(Flex, 'next-milestone').find(Tag).props.variant).toBe('default');
  });

  it('shows nothing of plans for an account without a stage or a plan', async () => {
    const ui = renderCard(json(scoredCard({ stage: null, plan: null })));
    await ui.waitFor(() => expect(ui.find(StatisticsItem).props.number).toBe('72'));
    expect(ui.maybeFindByTestId(Tag, 'lifecycle')).toBeNull();
    expect(ui.findAll(ProgressBar)).toHaveLength(0);
    expect(ui.findAll(Heading).map((heading) => heading.text)).not.toContain('Success plan: Mid-market onboarding');
    expect(ui.maybeFindByTestId(Text, 'milestones')).toBeNull();
  });

  it('shows the plan of an account not scored yet, below the empty state', async () => {
    const ui = renderCard(
      json(
        scoredCard({
          status: 'not_scored',
          health: null,
          trend: null,
          history: [],
          groups: [],
          drivers: [],
          measures: [],
          stage: null,
        }),
      ),
    );
    await ui.waitFor(() => expect(ui.find(EmptyState).props.title).toBe('Not scored yet'));
    expect(ui.maybeFindByTestId(Tag, 'lifecycle')).toBeNull();
    expect(ui.findByTestId(Text, 'milestones').text).toBe('2 of 3 milestones reached');
  });
});
