import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { buildCardView, PALETTE } from '@bellwether/card-view';
import { CardBody } from '../../../extension-ui/salesforce/src/card.tsx';
import type { AccountCard } from '../../../server/contracts/cards.ts';
import { NOW, PLAN, scoredCard } from './card-fixture.ts';

/**
 * The Canvas card's body as markup: the same shared view the HubSpot card draws, laid out with SLDS.
 * Sections are read by their test ids, as the Chromium test reads them on the real page.
 */

const render = (card: AccountCard) =>
  renderToStaticMarkup(createElement(CardBody, { view: buildCardView(card, { now: NOW, timeZone: 'UTC' }) }));

/** The element carrying this test id, with everything inside it; null when there is none. */
function element(html: string, testId: string): string | null {
  const start = html.indexOf(`data-testid="${testId}"`);
  if (start < 0) return null;
  const open = html.lastIndexOf('<', start);
  const tag = /^<([a-z0-9]+)/.exec(html.slice(open))![1]!;
  const tags = new RegExp(`<(/?)${tag}\\b[^>]*?(/?)>`, 'g');
  tags.lastIndex = open;
  let depth = 0;
  for (let match = tags.exec(html); match; match = tags.exec(html)) {
    if (match[2] === '/') continue;
    depth += match[1] === '/' ? -1 : 1;
    if (depth === 0) return html.slice(open, tags.lastIndex);
  }
  throw new Error(`unclosed <${tag}> for ${testId}`);
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#x27;': "'" };
const text = (html: string | null) =>
  html === null
    ? null
    : html
        .replace(/<[^>]*>/g, ' ')
        .replace(/&[a-z#0-9]+;/g, (entity) => ENTITIES[entity] ?? entity)
        .replace(/\s+/g, ' ')
        .trim();

describe('Salesforce card body: lifecycle and success plan', () => {
  const html = render(scoredCard());

  it('shows the lifecycle stage with its day and why', () => {
    expect(text(element(html, 'lifecycle'))).toBe('Lifecycle Onboarding · day 12');
    expect(element(html, 'lifecycle')).toContain(`color:${PALETTE.info.foreground}`);
    expect(text(element(html, 'lifecycle-reason'))).toBe('Onboarding: day 40 of 90');
    expect(text(element(html, 'plan-name'))).toBe('Mid-market onboarding');
  });

  it.each([
    [
      'active_users',
      'Half of licences in active use',
      '42% · Behind',
      42,
      PALETTE.warning.foreground,
      '31% · target ≥ 50% · due 20 Jan 2027',
    ],
    [
      'features_live',
      'Two features in everyday use',
      '100% · Achieved',
      100,
      PALETTE.success.foreground,
      '2.4 features · target ≥ 2.0 features · due 20 Jan 2027',
    ],
    [
      'sponsor_nps',
      'Executive sponsor rates us 8 or more',
      'No data yet',
      null,
      PALETTE.neutral.foreground,
      'No reading yet · target ≥ 8 out of 10 · due 19 Feb 2027',
    ],
  ])('draws objective %s with its status, progress bar and numbers', (key, title, status, percent, colour, detail) => {
    const objective = element(html, `objective-${key}`)!;
    expect(text(objective)).toBe(
      `${title} ${status} ${percent === null ? '' : `Progress: ${percent}% `}${detail}`.replace(/\s+/g, ' '),
    );
    expect(objective).toContain(`style="color:${colour}"`);
    if (percent === null) {
      expect(objective).not.toContain('role="progressbar"');
    } else {
      expect(objective).toContain(`aria-valuenow="${percent}"`);
      expect(objective).toContain(`width:${percent}%`);
    }
  });

  it('puts the objectives in the plan order', () => {
    const order = PLAN.objectives.map((objective) => html.indexOf(`data-testid="objective-${objective.key}"`));
    expect(order.every((position, index) => position > 0 && (index === 0 || position > order[index - 1]!))).toBe(true);
  });

  it('shows an overdue next milestone in the warning colour, and one not yet due without it', () => {
    const overdue = element(html, 'next-milestone')!;
    expect(text(overdue)).toBe('Next: Onboarding review with the champion (Overdue since 3 Dec 2026)');
    expect(overdue).toContain(`color:${PALETTE.warning.foreground}`);
    const upcoming = element(
      render(
        scoredCard({ plan: { ...PLAN, nextMilestone: { title: 'Kickoff', dueOn: '2026-12-12', overdue: false } } }),
      ),
      'next-milestone',
    )!;
    expect(text(upcoming)).toBe('Next: Kickoff (Due 12 Dec 2026)');
    expect(upcoming).not.toContain('color:');
    expect(text(element(html, 'milestones'))).toBe('2 of 3 milestones reached');
  });

  it('shows nothing of plans without a stage or a plan', () => {
    const bare = render(scoredCard({ stage: null, plan: null }));
    for (const id of ['lifecycle', 'plan-name', 'objectives', 'next-milestone', 'milestones']) {
      expect(element(bare, id)).toBeNull();
    }
    expect(bare).not.toContain('Success plan');
    // The rest of the card is still there.
    expect(text(element(bare, 'score'))).toBe('72');
  });

  it('shows the stage alone when there is no plan', () => {
    const stageOnly = render(scoredCard({ plan: null }));
    expect(text(element(stageOnly, 'lifecycle'))).toBe('Lifecycle Onboarding · day 12');
    expect(element(stageOnly, 'objectives')).toBeNull();
  });
});
