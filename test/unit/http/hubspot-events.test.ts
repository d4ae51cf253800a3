import { describe, expect, it } from 'vitest';
import {
  groupByPortal,
  hubspotDeliverySchema,
  isUninstallEvent,
  type HubspotEvent,
} from '../../../server/http/webhooks/hubspot-events.ts';

const event = (portalId: string, subscriptionType: string, extra: Partial<HubspotEvent> = {}): HubspotEvent => ({
  portalId,
  subscriptionType,
  ...extra,
});

describe('HubSpot webhook deliveries', () => {
  it('reads the documented event shape, ignoring fields it does not need', () => {
    const [parsed] = hubspotDeliverySchema.parse([
      {
        eventId: 1,
        subscriptionId: 12345,
        portalId: 62515,
        occurredAt: 1564113600000,
        subscriptionType: 'contact.creation',
        attemptNumber: 0,
        objectId: 123,
        changeSource: 'CRM',
        changeFlag: 'NEW',
        appId: 54321,
      },
    ]);
    expect(parsed).toEqual({ portalId: '62515', subscriptionType: 'contact.creation' });
  });

  it('names the bad field and its position when an event is malformed', () => {
    const result = hubspotDeliverySchema.safeParse([
      { portalId: 1, subscriptionType: 'company.creation' },
      { portalId: -4, subscriptionType: 'company.creation' },
    ]);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path)).toEqual([[1, 'portalId']]);
  });

  it('refuses a body that is not a non-empty array of events', () => {
    for (const body of [
      {},
      [],
      'x',
      null,
      [{ portalId: 1 }],
      [{ subscriptionType: 'a' }],
      [{ portalId: 1.5, subscriptionType: 'a' }],
    ]) {
      expect(hubspotDeliverySchema.safeParse(body).success, JSON.stringify(body)).toBe(false);
    }
  });

  it('accepts portal ids sent as numeric strings and refuses other strings', () => {
    expect(hubspotDeliverySchema.parse([{ portalId: '77', subscriptionType: 'deal.deletion' }])[0]?.portalId).toBe(
      '77',
    );
    expect(hubspotDeliverySchema.safeParse([{ portalId: '07', subscriptionType: 'deal.deletion' }]).success).toBe(
      false,
    );
    expect(hubspotDeliverySchema.safeParse([{ portalId: '1; drop', subscriptionType: 'deal.deletion' }]).success).toBe(
      false,
    );
  });

  it('recognises app uninstalls by type or by lifecycle action, and nothing else', () => {
    expect(isUninstallEvent(event('1', 'app.uninstall'))).toBe(true);
    expect(isUninstallEvent(event('1', 'APP_UNINSTALL'))).toBe(true);
    expect(isUninstallEvent(event('1', 'APP_LIFECYCLE_EVENT', { action: 'APP_UNINSTALL' }))).toBe(true);
    expect(isUninstallEvent(event('1', 'APP_LIFECYCLE_EVENT', { eventTypeName: 'app_uninstalled' }))).toBe(true);
    expect(isUninstallEvent(event('1', 'APP_LIFECYCLE_EVENT', { action: 'APP_INSTALL' }))).toBe(false);
    expect(isUninstallEvent(event('1', 'company.deletion'))).toBe(false);
    expect(isUninstallEvent(event('1', 'contact.privacyDeletion'))).toBe(false);
  });

  it('groups a delivery into one entry per portal, counting changes and noting uninstalls', () => {
    const events = [
      event('1', 'company.propertyChange'),
      event('2', 'contact.creation'),
      event('1', 'deal.deletion'),
      event('3', 'APP_LIFECYCLE_EVENT', { action: 'APP_INSTALL' }),
      event('2', 'APP_LIFECYCLE_EVENT', { action: 'APP_UNINSTALL' }),
    ];
    expect(groupByPortal(events)).toEqual([
      { portalId: '1', changes: 2, uninstalled: false },
      { portalId: '2', changes: 1, uninstalled: true },
      { portalId: '3', changes: 0, uninstalled: false },
    ]);
  });

  it('does not count changes to the properties the app writes back: they are its own writes', () => {
    const own = new Set(['bellwether_health_score', 'bellwether_health_band']);
    const events = [
      event('1', 'company.propertyChange', { propertyName: 'bellwether_health_score' }),
      event('1', 'company.propertyChange', { propertyName: 'bellwether_health_band' }),
      event('2', 'company.propertyChange', { propertyName: 'bellwether_health_score' }),
      event('2', 'company.propertyChange', { propertyName: 'annualrevenue' }),
    ];
    expect(groupByPortal(events, own)).toEqual([
      { portalId: '1', changes: 0, uninstalled: false },
      { portalId: '2', changes: 1, uninstalled: false },
    ]);
    expect(groupByPortal(events)).toEqual([
      { portalId: '1', changes: 2, uninstalled: false },
      { portalId: '2', changes: 2, uninstalled: false },
    ]);
  });
});
