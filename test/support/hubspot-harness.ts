import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Client } from '@hubspot/api-client';
import { z } from 'zod';
import { createHubspotSandbox, type HubspotSandbox, type HubspotSandboxOptions } from '../../sandbox/hubspot/index.ts';
import { recordingApp, type Exchange, type HubspotContract, type Verdict } from './hubspot-openapi.ts';

/**
 * A HubSpot stand-in on 127.0.0.1 (port 0) for contract tests, recording every answer so the suite
 * can check all of them against HubSpot's OpenAPI files.
 */
export interface HubspotHarness {
  sandbox: HubspotSandbox;
  baseUrl: string;
  exchanges: Exchange[];
  /** An SDK client on the stand-in; retries off unless asked for. */
  client(accessToken?: string, retries?: number): Client;
  close(): Promise<void>;
}

export async function startHubspot(options: HubspotSandboxOptions = {}): Promise<HubspotHarness> {
  const sandbox = createHubspotSandbox(options);
  const { app, exchanges } = recordingApp(sandbox.app);
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    sandbox,
    baseUrl,
    exchanges,
    client: (accessToken, retries = 0) =>
      new Client({ basePath: baseUrl, numberOfApiCallRetries: retries, ...(accessToken ? { accessToken } : {}) }),
    close: async () => {
      sandbox.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Answers HubSpot documents with bodies its OpenAPI files do not describe (the files' generic error
 * schema requires `category`, which these real bodies lack): rate-limit 429s (reference §4.3) and the
 * v1 token endpoint's errors (reference §3.2). They are checked against those documented shapes.
 */
const rateLimitBody = z.strictObject({
  status: z.literal('error'),
  message: z.string(),
  errorType: z.literal('RATE_LIMIT'),
  correlationId: z.uuid(),
  policyName: z.enum(['TEN_SECONDLY_ROLLING', 'SECONDLY', 'DAILY']),
  groupName: z.string(),
});
const tokenErrorBody = z.strictObject({
  status: z.string().regex(/^BAD_[A-Z_]+$/),
  message: z.string(),
  correlationId: z.uuid(),
  error: z.string(),
  error_description: z.string(),
});

/** Routes no copied OpenAPI file describes: owners (its file is not in the reference set), the consent page, the fault admin. */
const UNDESCRIBED = [/^\/crm\/v3\/owners(\/|$)/, /^\/oauth\/authorize$/, /^\/_sandbox\//];

export function contractProblems(contract: HubspotContract, exchanges: readonly Exchange[]): string[] {
  const problems: string[] = [];
  for (const exchange of exchanges) {
    const label = `${exchange.method} ${exchange.path} → ${exchange.status}`;
    if (exchange.status === 429) {
      const parsed = rateLimitBody.safeParse(JSON.parse(exchange.body));
      if (!parsed.success) problems.push(`${label}: ${parsed.error.message}`);
      continue;
    }
    if (exchange.path === '/oauth/v1/token' && exchange.status === 400) {
      const parsed = tokenErrorBody.safeParse(JSON.parse(exchange.body));
      if (!parsed.success) problems.push(`${label}: ${parsed.error.message}`);
      continue;
    }
    const verdict: Verdict = contract.check(exchange);
    if (verdict.operation === undefined) {
      if (!UNDESCRIBED.some((pattern) => pattern.test(exchange.path))) problems.push(`${label}: no OpenAPI operation`);
      continue;
    }
    for (const error of verdict.errors) problems.push(`${label} (${verdict.operation}): ${error}`);
  }
  return problems;
}
