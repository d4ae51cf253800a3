import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueues, enqueueSync, type Queues } from '../../../jobs/queues.ts';
import { errorBodySchema } from '../../../server/contracts/health.ts';
import { createApp } from '../../../server/http/app.ts';
import type { AdminAuthOptions } from '../../../server/http/middleware/admin-auth.ts';
import { createProducerConnection, whenReady, type Redis } from '../../../server/platform/redis.ts';
import { launchChromium } from '../../support/browser.ts';
import { silentLogger } from '../../support/databases.ts';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from '../../support/redis.ts';

/** bull-board at /admin/queues behind the admin check, with the app's own security headers. */

const TOKEN = 'admin-token-for-the-queues-board';
const prefix = uniquePrefix();
let redis: Redis;
let queues: Queues;
const servers: Server[] = [];

async function serve(auth: AdminAuthOptions): Promise<string> {
  const app = createApp({
    logger: silentLogger,
    version: '0.0.0',
    bodyLimit: '1mb',
    readiness: {},
    admin: { auth, queues },
  });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const bearer = { authorization: `Bearer ${TOKEN}` };
const basic = (password: string) => ({
  authorization: `Basic ${Buffer.from(`anyone:${password}`).toString('base64')}`,
});

let url: string;

beforeAll(async () => {
  redis = createProducerConnection(TEST_REDIS_URL, silentLogger);
  await whenReady(redis);
  queues = createQueues(redis, prefix);
  url = await serve({ token: TOKEN, allowLoopbackWithoutToken: false });
});

afterAll(async () => {
  for (const server of servers) server.close();
  await queues?.close();
  redis?.disconnect();
  await dropPrefix(prefix);
});

/** The page's own scripts and stylesheet, as the browser would ask for them. */
function assetsOf(html: string): string[] {
  return [...html.matchAll(/(?:src|href)="(static\/[^"]+)"/g)].map((match) => match[1]!);
}

describe('/admin/queues', () => {
  it('refuses without credentials, with a challenge the browser answers', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong-token' }, basic('wrong')]) {
      const response = await fetch(`${url}/admin/queues`, { headers });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('Basic realm="Bellwether admin"');
      expect(errorBodySchema.parse(await response.json()).error.code).toBe('ADMIN_AUTH_REQUIRED');
    }
  });

  it('serves the board page and each of its assets with the token, and none of them without', async () => {
    for (const headers of [bearer, basic(TOKEN)]) {
      const page = await fetch(`${url}/admin/queues`, { headers });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(page.headers.get('cache-control')).toBe('no-store');
      const html = await page.text();
      expect(html).toContain('<base href="/admin/queues/"');
      const assets = assetsOf(html);
      expect(assets.length).toBeGreaterThanOrEqual(3);
      for (const asset of assets) {
        expect((await fetch(`${url}/admin/queues/${asset}`, { headers })).status, asset).toBe(200);
        expect((await fetch(`${url}/admin/queues/${asset}`)).status, asset).toBe(401);
      }
    }
  });

  it("keeps the app's content security policy, which admits everything the board page loads", async () => {
    const page = await fetch(`${url}/admin/queues`, { headers: bearer });
    const csp = page.headers.get('content-security-policy') ?? '';
    const directive = (name: string) =>
      csp
        .split(';')
        .map((part) => part.trim())
        .find((part) => part.startsWith(`${name} `)) ?? '';
    // Scripts are same-origin files (no inline code, no eval); the data island is JSON, not script.
    expect(directive('script-src')).toBe("script-src 'self'");
    const html = await page.text();
    for (const script of html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)) {
      const [, attributes, inline] = script;
      if (inline!.trim() !== '') expect(attributes).toContain('type="application/json"');
      else expect(attributes).toMatch(/src="static\//);
    }
    // Its web-font stylesheet and fonts come over https, which style-src and font-src allow.
    expect(directive('style-src')).toContain('https:');
    expect(directive('font-src')).toContain('https:');
  });

  it('renders in Chromium with no content-security-policy violation', async () => {
    const browser = await launchChromium();
    try {
      const context = await browser.newContext({ httpCredentials: { username: 'ops', password: TOKEN } });
      const page = await context.newPage();
      // The web font is decoration; the test machine may have no route to it.
      await page.route(/^https:\/\/fonts\./, (route) => route.abort());
      const problems: string[] = [];
      page.on('console', (message) => {
        if (/content security policy/i.test(message.text())) problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(error.message));
      await page.goto(`${url}/admin/queues`);
      await page.getByText('sync', { exact: true }).first().waitFor({ timeout: 15_000 });
      await page.getByText('maintenance', { exact: true }).first().waitFor();
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('lists every queue, with the progress a job reports', async () => {
    const { jobId } = await enqueueSync(queues, {
      workspaceId: '00000000-0000-4000-8000-000000000001',
      installationId: '00000000-0000-4000-8000-000000000002',
      mode: 'full',
      reason: 'manual',
    });
    const job = await queues.get('sync').getJob(jobId);
    await job!.updateProgress({ object: 'accounts', records: 1200 });

    const response = await fetch(`${url}/admin/queues/api/queues?activeQueue=sync&status=waiting&page=1`, {
      headers: bearer,
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { queues: { name: string; jobs: { id: string; progress: unknown }[] }[] };
    expect(body.queues.map((queue) => queue.name).sort()).toEqual([
      'analytics',
      'maintenance',
      'notify',
      'qbr',
      'score',
      'sync',
      'warnings',
      'write-back',
    ]);
    const listed = body.queues.find((queue) => queue.name === 'sync')?.jobs.find((entry) => entry.id === jobId);
    expect(listed?.progress).toEqual({ object: 'accounts', records: 1200 });

    expect((await fetch(`${url}/admin/queues/api/queues`)).status).toBe(401);
  });

  it('without a token admits loopback callers only when development allows it', async () => {
    const development = await serve({ token: undefined, allowLoopbackWithoutToken: true });
    expect((await fetch(`${development}/admin/queues`)).status).toBe(200);
    // A local proxy forwarding a remote client is not loopback.
    expect((await fetch(`${development}/admin/queues`, { headers: { 'x-forwarded-for': '203.0.113.7' } })).status).toBe(
      401,
    );

    const locked = await serve({ token: undefined, allowLoopbackWithoutToken: false });
    const refused = await fetch(`${locked}/admin/queues`, { headers: bearer });
    expect(refused.status).toBe(401);
    expect(errorBodySchema.parse(await refused.json()).error.message).toContain('ADMIN_TOKEN');
  });
});
