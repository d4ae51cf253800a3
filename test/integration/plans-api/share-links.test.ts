import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import express from 'express';
import { pinoHttp } from 'pino-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBodySchema } from '../../../server/contracts/health.ts';
import { newShareLinkBodySchema, shareLinkBodySchema } from '../../../server/contracts/plans.ts';
import { plansRouter } from '../../../server/http/plans/routes.ts';
import { SHARED_NOT_FOUND_TEXT } from '../../../server/http/plans/shared-page.ts';
import { errorHandler } from '../../../server/http/middleware/error-handler.ts';
import { listAudit } from '../../../server/platform/db/audit.ts';
import type { Database } from '../../../server/platform/db/database.ts';
import { planShareLinks } from '../../../server/platform/db/schema.ts';
import { silentLogger, testDatabases } from '../../support/databases.ts';
import { ACME_NAME, CSM_EMAIL, DAY, openPlansWorld, SIGNED_IN_EMAIL, T0, sender, type PlansWorld } from './support.ts';

/**
 * Customer share links: made by a signed-in user (the token shown once, only its hash kept), opened
 * without a session as a read-only page of that one plan, listed without tokens, revoked; a link that
 * never was, was revoked or has expired answers the same not-found page, and B's links are out of A's
 * reach. A malformed token is refused before the database is read, and openings are rate limited.
 */

const tokenOf = (url: string) => url.split('/shared/plans/')[1]!;
/** Each answer carries its own nonce; apart from it the not-found answers must be identical. */
const withoutNonce = (html: string) => html.replace(/nonce="[^"]+"/g, 'nonce=""');

describe.each(testDatabases())('plan share links on $name', (database) => {
  let world: PlansWorld;
  let send: ReturnType<typeof sender>;
  const sharePath = (planId = world.acmePlan.id, installationId = world.a.installationId) =>
    `/api/installations/${installationId}/plans/${planId}/share`;
  const open = (urlOrToken: string) =>
    fetch(urlOrToken.startsWith('http') ? urlOrToken : `${world.url}/shared/plans/${urlOrToken}`);
  const makeLink = async (body?: unknown, path = sharePath(), headers = world.asA()) => {
    const response = await send('POST', path, body, headers);
    expect(response.status).toBe(201);
    return newShareLinkBodySchema.parse(await response.json());
  };
  const links = async (planId = world.acmePlan.id) => {
    const response = await send('GET', sharePath(planId));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { links: unknown[] };
    return body.links.map((link) => shareLinkBodySchema.parse(link));
  };
  const audits = async (action: string) =>
    (await listAudit(world.db, world.a.workspaceId, { installationId: world.a.installationId })).filter(
      (event) => event.action === action,
    );
  const notFoundPage = async (response: Response) => {
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const html = await response.text();
    expect(html).toContain(SHARED_NOT_FOUND_TEXT);
    return withoutNonce(html);
  };

  beforeAll(async () => {
    world = await openPlansWorld(database);
    send = sender(world);
  });
  afterAll(async () => {
    await world?.close();
  });

  it('makes a link whose token is shown once and stored only as its SHA-256, audited without either', async () => {
    const link = await makeLink();
    const token = tokenOf(link.url);
    expect(link.url).toBe(`${world.url}/shared/plans/${token}`);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(link.expiresAt).toBe(new Date(T0 + 30 * DAY).toISOString());
    const [row] = (await world.db.select().from(planShareLinks)).filter((one) => one.id === link.id);
    expect(row!.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    const { createHash } = await import('node:crypto');
    expect(row!.tokenHash).toBe(createHash('sha256').update(token).digest('hex'));
    const listed = await links();
    expect(JSON.stringify(listed)).not.toContain(token);
    expect(JSON.stringify(listed)).not.toContain(row!.tokenHash);
    expect(listed.find((one) => one.id === link.id)).toMatchObject({
      state: 'active',
      createdBy: `HubSpot user ${SIGNED_IN_EMAIL}`,
      lastOpenedAt: null,
      revokedAt: null,
    });
    const [audit] = await audits('plan_share_link.created');
    expect(audit!.details).toEqual({
      planId: world.acmePlan.id,
      accountId: 'acme-1',
      linkId: link.id,
      expiresAt: link.expiresAt,
    });
    expect(JSON.stringify(audit)).not.toContain(token);
    expect(JSON.stringify(audit)).not.toContain(row!.tokenHash);
  });

  it('opens the plan without a session: that plan only, escaped, nothing internal, strict headers', async () => {
    const link = await makeLink({ expiresInDays: 14 });
    const response = await open(link.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-robots-tag')).toContain('noindex');
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    const html = await response.text();
    const nonce = /<style nonce="([^"]+)">/.exec(html)?.[1];
    expect(nonce).toBeTruthy();
    expect(csp).toContain(`style-src 'nonce-${nonce}'`);

    expect(html).toContain('Acme &#60;b&#62;Corp&#60;/b&#62; &#38; &#34;Sons&#34;: Enterprise onboarding');
    expect(html).not.toContain(ACME_NAME);
    expect(html).not.toContain('<b>');
    for (const shown of [
      '60% of licences in active use',
      'Now 42% of licences',
      'Target ≥ 60% of licences by 27 November 2026',
      'Three features in everyday use',
      'Now 2.0 features',
      'On track',
      'Behind',
      'No reading yet',
      'Kickoff held with the champion and the executive sponsor',
      'Due 5 September 2026',
      'Reached 31 August 2026',
      'Stage: <span data-testid="plan-stage">Onboarding</span>',
      'This link stops working on 15 September 2026',
    ]) {
      expect(html).toContain(shown);
    }
    for (const hidden of [
      'Globex',
      'Bravo',
      'sceptical',
      'Casey',
      'Owen',
      CSM_EMAIL,
      SIGNED_IN_EMAIL,
      'acme-1',
      'u-casey',
      'signal',
      world.acmePlan.id,
      world.a.installationId,
      world.a.workspaceId,
      'href',
      '<script',
      '/api/',
      '/app/',
    ]) {
      expect(html).not.toContain(hidden);
    }
    expect((await links()).find((one) => one.id === link.id)!.lastOpenedAt).toBe(new Date(T0).toISOString());
  });

  it('revokes a link: the same address then answers the not-found page; revoking again changes nothing', async () => {
    const link = await makeLink();
    expect((await open(link.url)).status).toBe(200);
    const response = await send('DELETE', `${sharePath()}/${link.id}`);
    expect(response.status).toBe(200);
    expect(shareLinkBodySchema.parse(await response.json())).toMatchObject({
      id: link.id,
      state: 'revoked',
      revokedAt: new Date(T0).toISOString(),
    });
    await notFoundPage(await open(link.url));
    const again = await send('DELETE', `${sharePath()}/${link.id}`);
    expect(shareLinkBodySchema.parse(await again.json()).state).toBe('revoked');
    const revokedAudits = (await audits('plan_share_link.revoked')).filter((event) => event.details.linkId === link.id);
    expect(revokedAudits).toHaveLength(1);
    const unknown = await send('DELETE', `${sharePath()}/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`);
    expect(errorBodySchema.parse(await unknown.json()).error.code).toBe('SHARE_LINK_NOT_FOUND');
    expect(unknown.status).toBe(404);
    expect((await send('DELETE', `${sharePath()}/not-a-link`)).status).toBe(404);
  });

  it('stops a link at its expiry, read on the clock', async () => {
    const link = await makeLink({ expiresInDays: 1 });
    expect(link.expiresAt).toBe(new Date(T0 + DAY).toISOString());
    try {
      world.clock.now = T0 + DAY - 1;
      expect((await open(link.url)).status).toBe(200);
      world.clock.now = T0 + DAY;
      await notFoundPage(await open(link.url));
      expect((await links()).find((one) => one.id === link.id)).toMatchObject({
        state: 'expired',
        lastOpenedAt: new Date(T0 + DAY - 1).toISOString(),
      });
    } finally {
      world.clock.now = T0;
    }
  });

  it('answers the same page for a token that never was, was revoked, has expired, or is malformed', async () => {
    const revoked = await makeLink();
    await send('DELETE', `${sharePath()}/${revoked.id}`);
    // A row made with its expiry already passed, the way a link looks once its time is up.
    const expired = await makeLink({ expiresInDays: 1 });
    await world.db
      .update(planShareLinks)
      .set({ expiresAt: new Date(T0 - 1) })
      .where(eq(planShareLinks.id, expired.id));
    const pages = [
      await notFoundPage(await open(randomBytes(32).toString('base64url'))),
      await notFoundPage(await open(revoked.url)),
      await notFoundPage(await open(expired.url)),
      await notFoundPage(await open('short')),
      await notFoundPage(await open(`${'A'.repeat(42)}B`)),
      await notFoundPage(await open(`${'A'.repeat(43)}A`)),
      await notFoundPage(await open('%3Cscript%3E')),
    ];
    expect(new Set(pages).size).toBe(1);
  });

  it('validates the expiry, and keeps workspace B’s plans and links out of reach', async () => {
    for (const expiresInDays of [0, 91, 1.5, '7']) {
      const response = await send('POST', sharePath(), { expiresInDays });
      expect(response.status).toBe(400);
      expect(errorBodySchema.parse(await response.json()).error.issues?.[0]?.path).toBe('expiresInDays');
    }
    expect((await makeLink({ expiresInDays: 90 })).expiresAt).toBe(new Date(T0 + 90 * DAY).toISOString());

    const bravo = await makeLink(undefined, sharePath(world.bravoPlan.id, world.b.installationId), world.asB());
    const bravoLinks = `${sharePath(world.bravoPlan.id)}`;
    // A's session: B's plan through A's installation, B's installation, and B's link under A's plan.
    expect((await send('POST', bravoLinks, {})).status).toBe(404);
    expect((await send('GET', bravoLinks)).status).toBe(404);
    const revokeInA = await send('DELETE', `${bravoLinks}/${bravo.id}`);
    expect(errorBodySchema.parse(await revokeInA.json()).error.code).toBe('PLAN_NOT_FOUND');
    const revokeInB = await send('DELETE', `${sharePath(world.bravoPlan.id, world.b.installationId)}/${bravo.id}`);
    expect(errorBodySchema.parse(await revokeInB.json()).error.code).toBe('INSTALLATION_NOT_FOUND');
    const underAcme = await send('DELETE', `${sharePath()}/${bravo.id}`);
    expect(errorBodySchema.parse(await underAcme.json()).error.code).toBe('SHARE_LINK_NOT_FOUND');
    // B's link still opens B's plan, and only that.
    const page = await open(bravo.url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Bravo Limited: Enterprise onboarding');
    expect(html).not.toContain('Acme');
    expect(html).not.toContain('42%');
  });

  it('refuses a malformed token before reading the database, and limits openings per address', async () => {
    // A database that fails on any use: a 404 here means nothing was read.
    const unreadable = new Proxy(
      {},
      {
        get() {
          throw new Error('the database was read');
        },
      },
    ) as Database;
    const app = express();
    app.use(pinoHttp({ logger: silentLogger }));
    app.use(
      plansRouter(
        {
          db: unreadable,
          sharedPageLimit: { name: `shared-plan-test-${randomBytes(6).toString('hex')}`, limit: 2, windowMs: 60_000 },
        },
        { ...world.install, db: unreadable },
      ),
    );
    app.use(errorHandler);
    const server: Server = createServer(app);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/shared/plans/`;
    try {
      for (const bad of ['x', `${'A'.repeat(44)}`, `${'A'.repeat(42)}%2F`]) {
        await notFoundPage(await fetch(`${base}${bad}`));
      }
      const token = randomBytes(32).toString('base64url');
      // Well-formed tokens reach the database, which fails: an error page, still no JSON or stack.
      for (let attempt = 0; attempt < 2; attempt += 1) {
        const failed = await fetch(`${base}${token}`);
        expect(failed.status).toBe(500);
        expect(await failed.text()).toContain('Not available right now');
      }
      const limited = await fetch(`${base}${token}`);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(limited.headers.get('cache-control')).toBe('no-store');
      // Malformed tokens cost nothing, so they are refused as before, not limited.
      await notFoundPage(await fetch(`${base}x`));
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
