import { z } from 'zod';

/**
 * The body of a HubSpot webhook delivery: a JSON array of events (reference hubspot-api §5.2).
 * Only what routing needs is read: objects and values are left to the sync, which reads the CRM itself,
 * and other fields are ignored because HubSpot adds fields over time.
 */

const portalIdSchema = z
  .union([
    z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
    z.string().regex(/^[1-9]\d{0,15}$/, 'must be a positive whole number'),
  ])
  .transform(String);

const label = z.string().trim().min(1).max(200);

export const hubspotEventSchema = z.object({
  portalId: portalIdSchema,
  subscriptionType: label,
  // Lifecycle events from the webhooks journal name their kind in one of these; on other events a
  // value of another shape is ignored rather than failing the delivery.
  action: label.optional().catch(undefined),
  eventType: label.optional().catch(undefined),
  eventTypeName: label.optional().catch(undefined),
  propertyName: label.optional().catch(undefined),
});
export type HubspotEvent = z.infer<typeof hubspotEventSchema>;

export const hubspotDeliverySchema = z.array(hubspotEventSchema).min(1, 'a delivery holds at least one event');

/** An app uninstall, from a lifecycle event (APP_LIFECYCLE_EVENT / APP_UNINSTALL) or an "…uninstall…" type. */
export function isUninstallEvent(event: HubspotEvent): boolean {
  if (/uninstall/i.test(event.subscriptionType)) return true;
  if (!/lifecycle/i.test(event.subscriptionType)) return false;
  return [event.action, event.eventType, event.eventTypeName].some(
    (value) => value !== undefined && /uninstall/i.test(value),
  );
}

export interface PortalEvents {
  portalId: string;
  /** Events that change CRM data and call for an incremental sync. */
  changes: number;
  /** The app was uninstalled from this portal in this delivery. */
  uninstalled: boolean;
}

/**
 * One entry per portal, in first-seen order: the route asks for one sync per portal, not per event.
 * A change to one of `ownProperties` (the fields the app writes back) is the app's own write, not news.
 */
export function groupByPortal(
  events: readonly HubspotEvent[],
  ownProperties: ReadonlySet<string> = new Set(),
): PortalEvents[] {
  const portals = new Map<string, PortalEvents>();
  for (const event of events) {
    let entry = portals.get(event.portalId);
    if (!entry) {
      entry = { portalId: event.portalId, changes: 0, uninstalled: false };
      portals.set(event.portalId, entry);
    }
    if (isUninstallEvent(event)) entry.uninstalled = true;
    else if (/lifecycle/i.test(event.subscriptionType)) continue;
    else if (event.propertyName !== undefined && ownProperties.has(event.propertyName)) continue;
    else entry.changes += 1;
  }
  return [...portals.values()];
}
