import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { CrmBook } from './generator/book.ts';
import type { LinkedBook } from './generator/linked-book.ts';
import {
  createHubspotSandbox,
  DEFAULT_OAUTH,
  DEFAULT_PORTALS,
  type BookIdMap,
  type HubspotSandbox,
} from './hubspot/index.ts';
import { createSalesforceSandbox, type SalesforceSandbox } from './salesforce/salesforce-sandbox.ts';
import type { SalesforceIdMap } from './salesforce/load-book.ts';
import { loadLinkedBook, type LinkedTruth } from './load-linked-book.ts';

/**
 * Both stand-ins on loopback ports with the same book loaded into the demo portal and the demo org,
 * so the same customers exist in HubSpot and in Salesforce. Used by `npm run sandbox`, the
 * benchmarks and, later, the embedded default of `npm start`.
 */

export interface RunningSandboxes {
  hubspot: { sandbox: HubspotSandbox; url: string; portalId: number; ids: BookIdMap | undefined };
  salesforce: { sandbox: SalesforceSandbox; url: string; orgId: string; ids: SalesforceIdMap | undefined };
  /** With a `linkedBook`: which records are the same customer or deal (tests and evaluations only). */
  linkedTruth: LinkedTruth | undefined;
  close(): Promise<void>;
}

export interface StartSandboxesOptions {
  host?: string;
  hubspotPort?: number;
  salesforcePort?: number;
  book?: CrmBook;
  /** Instead of `book`: each CRM holds its own side of a two-CRM book, linked as HubSpot's Salesforce connector links them. */
  linkedBook?: LinkedBook;
  /** Where the HubSpot stand-in delivers its signed webhooks (the app's /webhooks/hubspot); none when unset. */
  hubspotWebhookUrl?: string;
}

async function listen(app: Express, host: string, port: number) {
  const server = app.listen(port, host);
  await once(server, 'listening');
  const address = server.address() as AddressInfo;
  return { server, url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}` };
}

export async function startSandboxes(options: StartSandboxesOptions = {}): Promise<RunningSandboxes> {
  if (options.book && options.linkedBook) throw new Error('startSandboxes takes a book or a linked book, not both');
  const host = options.host ?? '127.0.0.1';
  const hubspot = createHubspotSandbox(
    options.hubspotWebhookUrl
      ? { webhooks: { targetUrl: options.hubspotWebhookUrl, clientSecret: DEFAULT_OAUTH.clientSecret } }
      : {},
  );
  const salesforce = createSalesforceSandbox();
  const portalId = (DEFAULT_PORTALS[0] as { id: number }).id;
  const orgId = salesforce.defaultOrg.id;

  const linked = options.linkedBook
    ? loadLinkedBook(hubspot, salesforce, portalId, orgId, options.linkedBook)
    : undefined;
  const hubspotIds = options.book ? hubspot.loadBook(portalId, options.book) : linked?.hubspot;
  const salesforceIds = options.book ? salesforce.loadBook(orgId, options.book) : linked?.salesforce;

  const servers: Server[] = [];
  try {
    const hs = await listen(hubspot.app, host, options.hubspotPort ?? 0);
    servers.push(hs.server);
    const sf = await listen(salesforce.app, host, options.salesforcePort ?? 0);
    servers.push(sf.server);
    return {
      hubspot: { sandbox: hubspot, url: hs.url, portalId, ids: hubspotIds },
      salesforce: { sandbox: salesforce, url: sf.url, orgId, ids: salesforceIds },
      linkedTruth: linked?.truth,
      async close() {
        hubspot.close();
        await Promise.all(
          servers.map(
            (server) =>
              new Promise<void>((resolve) => {
                server.close(() => resolve());
                server.closeAllConnections();
              }),
          ),
        );
      },
    };
  } catch (error) {
    hubspot.close();
    for (const server of servers) server.close();
    throw error;
  }
}
