import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../../../../server/core/health/signals.ts';
import { evaluateRules } from '../../../../server/core/warnings/evaluate.ts';
import {
  warningInputFrom,
  warningLookbackDays,
  type WarningFacts,
  type WarningInputSource,
} from '../../../../server/core/warnings/input.ts';
import { DEFAULT_WARNING_RULES } from '../../../../server/core/warnings/rules-config.ts';
import { AT, TODAY, daysAgo, isoDaysAgo } from './builders.ts';

const facts = (overrides: Partial<WarningFacts> = {}): WarningFacts => ({
  externalId: 'acc-1',
  segment: 'enterprise',
  status: 'active',
  arr: 120_000,
  licences: 200,
  renewalDate: AT + 200 * DAY_MS,
  createdAt: daysAgo(900),
  usage: [],
  tickets: [],
  contacts: [],
  deals: [],
  surveys: [],
  sentiment: [],
  ...overrides,
});

const source = (overrides: Partial<WarningInputSource> = {}): WarningInputSource => ({
  account: { id: 'acc-1', name: 'Acme' },
  facts: facts(),
  history: [],
  health: { score: 62, band: 'yellow', trend: 'declining' },
  override: null,
  ...overrides,
});

const LOOKBACK = warningLookbackDays(DEFAULT_WARNING_RULES);

describe('warningInputFrom', () => {
  it('looks back as far as the longest default window needs', () => {
    // usage_drop: 14 recent + 56 baseline + 7 days of persistence.
    expect(LOOKBACK).toBe(104);
  });

  it('sees nothing dated after the instant', () => {
    const input = warningInputFrom(
      source({
        facts: facts({
          usage: [
            { day: TODAY - DAY_MS, activeUsers: 50, licences: null, events: 0, featureUsers: [] },
            { day: TODAY, activeUsers: 60, licences: null, events: 0, featureUsers: [] }, // not over yet
          ],
          tickets: [
            { id: 'T1', createdAt: daysAgo(10), closedAt: daysAgo(-1), priority: 'high' },
            { createdAt: daysAgo(-1), closedAt: null, priority: 'low' },
          ],
          contacts: [
            {
              id: 'c1',
              name: 'Ann',
              role: 'champion',
              createdAt: null,
              departedOn: daysAgo(-2),
              departed: true,
              lastEngagedAt: daysAgo(-1),
            },
            { role: 'other', createdAt: daysAgo(-3), departedOn: null, departed: false, lastEngagedAt: null },
          ],
          surveys: [
            { kind: 'nps', score: 3, at: daysAgo(-1) },
            { kind: 'nps', score: 9, at: daysAgo(2) },
            { kind: 'csat', score: 2, at: daysAgo(2) },
          ],
        }),
        history: [
          { day: isoDaysAgo(1), score: 70, band: 'green' },
          { day: isoDaysAgo(-1), score: 10, band: 'red' },
          { day: isoDaysAgo(0), score: 62, band: 'yellow' },
        ],
      }),
      AT,
      LOOKBACK,
    );
    expect(input.usage).toEqual([{ day: TODAY - DAY_MS, activeUsers: 50, licences: 200 }]);
    expect(input.tickets).toEqual([{ id: 'T1', createdAt: daysAgo(10), closedAt: null, priority: 'high' }]);
    expect(input.contacts).toEqual([
      { id: 'c1', name: 'Ann', role: 'champion', gone: false, departedOn: null, lastEngagedAt: null },
    ]);
    expect(input.nps).toEqual([{ score: 9, at: daysAgo(2) }]);
    expect(input.history.map((point) => point.day)).toEqual([isoDaysAgo(1), isoDaysAgo(0)]);
  });

  it('keeps old tickets only while they are open, and names tickets without an id by their creation', () => {
    const input = warningInputFrom(
      source({
        facts: facts({
          tickets: [
            { createdAt: daysAgo(400), closedAt: null, priority: 'urgent' },
            { createdAt: daysAgo(400), closedAt: daysAgo(390), priority: 'urgent' },
          ],
        }),
      }),
      AT,
      LOOKBACK,
    );
    expect(input.tickets).toEqual([
      { id: String(daysAgo(400)), createdAt: daysAgo(400), closedAt: null, priority: 'urgent' },
    ]);
  });

  it('finds the next renewal from the deals first, the account record otherwise', () => {
    const renewalDeal = {
      kind: 'renewal' as const,
      stage: 'open' as const,
      amount: 1,
      closeDate: TODAY + 40 * DAY_MS,
      createdAt: null,
    };
    expect(warningInputFrom(source({ facts: facts({ deals: [renewalDeal] }) }), AT, LOOKBACK).renewal).toEqual({
      on: TODAY + 40 * DAY_MS,
      daysTo: 40,
    });
    expect(warningInputFrom(source(), AT, LOOKBACK).renewal?.daysTo).toBe(200);
    expect(warningInputFrom(source({ facts: facts({ renewalDate: null }) }), AT, LOOKBACK).renewal).toBeNull();
  });

  it('shows the override while it applies and the computed health after it ends', () => {
    const override = {
      band: 'red' as const,
      reason: 'Budget frozen',
      author: 'csm@example.com',
      setAt: new Date(daysAgo(10)).toISOString(),
      expiresAt: new Date(daysAgo(-5)).toISOString(),
    };
    const during = warningInputFrom(source({ override }), AT, LOOKBACK);
    expect(during.health).toEqual({ score: null, band: 'red', trend: 'declining' });
    expect(during.override).toEqual({ band: 'red', expiresAt: daysAgo(-5), author: 'csm@example.com' });
    const after = warningInputFrom(source({ override }), daysAgo(-6), LOOKBACK);
    expect(after.health.band).toBe('yellow');
    expect(after.override).toBeNull();
  });

  it('counts a churned account as a customer before its lost renewal closed', () => {
    const lost = {
      kind: 'renewal' as const,
      stage: 'lost' as const,
      amount: 0,
      closeDate: TODAY - 20 * DAY_MS,
      createdAt: null,
    };
    const churned = source({ facts: facts({ status: 'churned', deals: [lost] }) });
    expect(warningInputFrom(churned, daysAgo(30), LOOKBACK).account.status).toBe('active');
    expect(warningInputFrom(churned, AT, LOOKBACK).account.status).toBe('churned');
    const undated = source({ facts: facts({ status: 'churned' }) });
    expect(warningInputFrom(undated, daysAgo(30), LOOKBACK).account.status).toBe('churned');
  });

  it('notes an engagement after the instant without showing it', () => {
    const contact = {
      role: 'other' as const,
      createdAt: null,
      departedOn: null,
      departed: false,
      lastEngagedAt: daysAgo(2),
    };
    const input = warningInputFrom(source({ facts: facts({ contacts: [contact] }) }), daysAgo(10), LOOKBACK);
    expect(input.engagedLater).toBe(true);
    expect(input.contacts[0]?.lastEngagedAt).toBeNull();
    expect(warningInputFrom(source({ facts: facts({ contacts: [contact] }) }), AT, LOOKBACK).engagedLater).toBe(false);
  });

  it('gives the same findings for a past day as facts cut at that day', () => {
    const champion = { id: 'c1', name: 'Ann', role: 'champion' as const, createdAt: null, departed: true };
    const departedLater = warningInputFrom(
      source({ facts: facts({ contacts: [{ ...champion, departedOn: daysAgo(5), lastEngagedAt: null }] }) }),
      daysAgo(10),
      LOOKBACK,
    );
    expect(
      evaluateRules(departedLater, DEFAULT_WARNING_RULES, daysAgo(10)).map((finding) => finding.rule),
    ).not.toContain('champion_lost');
    const departedBefore = warningInputFrom(
      source({ facts: facts({ contacts: [{ ...champion, departedOn: daysAgo(5), lastEngagedAt: null }] }) }),
      AT,
      LOOKBACK,
    );
    expect(evaluateRules(departedBefore, DEFAULT_WARNING_RULES, AT).map((finding) => finding.rule)).toContain(
      'champion_lost',
    );
  });
});
