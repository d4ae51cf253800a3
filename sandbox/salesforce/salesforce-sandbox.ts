import express, { type ErrorRequestHandler, type Express } from 'express';
import { z } from 'zod';
import { systemClock, type Clock } from '../shared/clock.ts';
import { FaultRegistry, faultAdminRouter } from '../shared/faults.ts';
import { RollingWindowLimiter } from '../shared/rolling-window.ts';
import type { CrmBook } from '../generator/book.ts';
import { bulkQueryRouter } from './bulk-query-routes.ts';
import { createSignedRequest } from './canvas.ts';
import { collectionRouter } from './collection-routes.ts';
import { SalesforceApiError, notFound, sendApiError } from './errors.ts';
import { KEY_PREFIXES, podFor, toId18 } from './ids.ts';
import { loadBook, type SalesforceIdMap } from './load-book.ts';
import { oauthRouter } from './oauth-routes.ts';
import { OrgStore } from './org-store.ts';
import { queryRouter } from './query-routes.ts';
import type { SandboxState } from './sandbox-state.ts';
import { SessionStore, type OAuthClientConfig, type TokenResponse } from './sessions.ts';
import { sobjectRouter } from './sobject-routes.ts';
import { toolingRouter } from './tooling-routes.ts';

/**
 * A local stand-in for Salesforce, mounted at the root of its own server so that jsforce's
 * `instanceUrl` and `loginUrl` both point at it. State lives in memory, per org.
 *
 * Fault route names (FaultRegistry tenant = org id): `oauth.token`, `query` (query, queryAll),
 * `query.more`, `limits`, `resources` (the version root), `sobjects.global`, `sobjects.describe`, `sobjects.get`,
 * `sobjects.create`, `sobjects.update`, `sobjects.upsert`, `sobjects.delete`, `sobjects.updated`, `sobjects.deleted`,
 * `sobjects.collections` (create, update, delete and retrieve), `tooling.sobjects`, `jobs.query`
 * (Bulk API 2.0 query jobs).
 * How each fault kind looks on the wire is described in api-guard.ts.
 *
 * Test-only endpoints: `/_sandbox/faults` (the fault registry) and
 * `POST /_sandbox/canvas/signed-request` `{orgId?, userId?, recordId?, parameters?}`.
 */

export interface SalesforceUserInput {
  username: string;
  email: string;
  firstName: string;
  lastName: string;
}

export interface SalesforceOrgInput {
  /** An 18-character `00D…` id; made up when absent. */
  id?: string;
  name: string;
  /** The first user is the integration user that loadBook records as creator. */
  users: SalesforceUserInput[];
  /**
   * The org's instance (My Domain) URL in token answers, when the stand-in sits behind a fixed
   * host name; by default the origin a request reached the stand-in on.
   */
  instanceUrl?: string;
}

export interface SalesforceSandboxOptions {
  clock?: Clock;
  /** The version reported as current; any `vNN.N` path is served. Default '66.0'. */
  apiVersion?: string;
  /** API requests per org in any rolling 24 h. Default 100,000 (an Enterprise org's base allowance). */
  limits?: { dailyApiRequests?: number };
  faults?: FaultRegistry;
  oauth?: Partial<OAuthClientConfig>;
  /** A session ends after this long without use. Default 7,200 s. */
  sessionTtlSeconds?: number;
  /** How far back getDeleted reaches. Default 15 days. */
  deletedRetentionDays?: number;
  /** Default: one demo org with an integration user. */
  orgs?: SalesforceOrgInput[];
}

export interface SignedRequestInput {
  orgId?: string;
  /** Default: the org's first user. */
  userId?: string;
  recordId?: string;
  parameters?: Record<string, unknown>;
  /** The URL the app calls back (`client.instanceUrl`): the stand-in's own address. */
  instanceUrl: string;
}

export interface SalesforceSandbox {
  app: Express;
  orgs: Map<string, OrgStore>;
  /** The first org. */
  defaultOrg: OrgStore;
  faults: FaultRegistry;
  oauth: OAuthClientConfig;
  apiVersion: string;
  loadBook(orgId: string, book: CrmBook): SalesforceIdMap;
  /** A session for a user without the OAuth dance (tests, the CLI); the same answer as the token endpoint. */
  issueSession(input: {
    orgId?: string;
    userId?: string;
    instanceUrl: string;
    withRefreshToken?: boolean;
  }): TokenResponse;
  signedRequest(input: SignedRequestInput): string;
  /**
   * Merges records into a master (Account, Contact or Case; one or two at a time), as an admin's
   * merge in the UI or the SOAP merge call does: merged records become IsDeleted with MasterRecordId.
   */
  merge(orgId: string, objectType: string, masterId: string, mergedIds: readonly string[]): void;
}

export const DEFAULT_OAUTH: OAuthClientConfig = {
  clientId: '3MVG9bellwether.sandbox.client',
  clientSecret: 'bellwether-sandbox-consumer-secret',
  redirectUris: ['http://localhost:3000/oauth/salesforce/callback'],
  rotateRefreshTokens: true,
};

const DEFAULT_ORG: SalesforceOrgInput = {
  name: 'Bellwether Demo',
  users: [
    {
      username: 'integration@bellwether-demo.example',
      email: 'integration@bellwether-demo.example',
      firstName: 'Integration',
      lastName: 'User',
    },
  ],
};

const signedRequestBody = z.strictObject({
  orgId: z.string().optional(),
  userId: z.string().optional(),
  recordId: z.string().optional(),
  parameters: z.record(z.string(), z.unknown()).optional(),
});

export function createSalesforceSandbox(options: SalesforceSandboxOptions = {}): SalesforceSandbox {
  const clock = options.clock ?? systemClock;
  const apiVersion = options.apiVersion ?? '66.0';
  const faults = options.faults ?? new FaultRegistry('salesforce');
  const oauth: OAuthClientConfig = { ...DEFAULT_OAUTH, ...options.oauth };
  const orgs = new Map<string, OrgStore>();
  (options.orgs ?? [DEFAULT_ORG]).forEach((input, index) => {
    const id = input.id ?? toId18(`${KEY_PREFIXES.Organization}${podFor(index + 1)}000000Bw${podFor(index + 1)}`);
    if (!/^00D\w{15}$/.test(id)) throw new Error(`org id ${id} is not an 18-character 00D… id`);
    const org = new OrgStore(id, input.name, podFor(index + 1), clock, input.instanceUrl);
    for (const user of input.users) {
      org.insert(
        'User',
        {
          Username: user.username,
          Email: user.email,
          FirstName: user.firstName,
          LastName: user.lastName,
          IsActive: true,
        },
        '',
      );
    }
    // The first user created itself: it is the creator of record for what loads later.
    const first = org.users()[0];
    if (!first) throw new Error(`org ${input.name} needs at least one user`);
    for (const user of org.table('User').values()) {
      user.CreatedById = first.id;
      user.LastModifiedById = first.id;
    }
    orgs.set(id, org);
  });
  const defaultOrg = orgs.values().next().value as OrgStore;

  const state: SandboxState = {
    orgs,
    sessions: new SessionStore(oauth, clock, (options.sessionTtlSeconds ?? 7200) * 1000),
    clock,
    faults,
    allowance: new RollingWindowLimiter(options.limits?.dailyApiRequests ?? 100_000, 86_400_000, clock),
    apiVersion,
    deletedRetentionMs: (options.deletedRetentionDays ?? 15) * 86_400_000,
  };

  const orgFor = (orgId: string | undefined) => {
    const org = orgId === undefined ? defaultOrg : orgs.get(orgId);
    if (!org) throw new Error(`unknown org ${String(orgId)}`);
    return org;
  };
  const userFor = (org: OrgStore, userId: string | undefined) => {
    const user = userId === undefined ? org.users()[0] : org.users().find((candidate) => candidate.id === userId);
    if (!user) throw new Error(`unknown user ${String(userId)} in org ${org.id}`);
    return user;
  };

  const issueSession: SalesforceSandbox['issueSession'] = (input) => {
    const org = orgFor(input.orgId);
    const user = userFor(org, input.userId);
    return state.sessions.issue(
      org.id,
      user.id,
      'api refresh_token',
      input.instanceUrl,
      input.withRefreshToken ?? true,
    );
  };
  const signedRequest = (input: SignedRequestInput) => {
    const org = orgFor(input.orgId);
    const user = userFor(org, input.userId);
    const session = state.sessions.issue(org.id, user.id, 'api', input.instanceUrl, false);
    return createSignedRequest({
      consumerSecret: oauth.clientSecret,
      instanceUrl: input.instanceUrl,
      apiVersion,
      org,
      user,
      oauthToken: session.access_token,
      ...(input.recordId !== undefined ? { recordId: input.recordId } : {}),
      ...(input.parameters !== undefined ? { parameters: input.parameters } : {}),
    });
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use('/_sandbox/faults', faultAdminRouter(faults));
  app.post('/_sandbox/canvas/signed-request', express.json(), (req, res) => {
    const parsed = signedRequestBody.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: 'invalid body', issues: parsed.error.issues.map((issue) => issue.message) });
      return;
    }
    try {
      const { orgId, userId, recordId, parameters } = parsed.data;
      const signed = signedRequest({
        instanceUrl: `${req.protocol}://${req.get('host') ?? '127.0.0.1'}`,
        ...(orgId !== undefined ? { orgId } : {}),
        ...(userId !== undefined ? { userId } : {}),
        ...(recordId !== undefined ? { recordId } : {}),
        ...(parameters !== undefined ? { parameters } : {}),
      });
      res.json({ signed_request: signed });
    } catch (error) {
      res.status(404).json({ error: error instanceof Error ? error.message : 'not found' });
    }
  });
  app.use(oauthRouter(state));

  // The versions list needs no session and does not count against the allowance.
  app.get('/services/data', (_req, res) => {
    const versions = [];
    for (let major = 31; major <= Number(apiVersion); major++) {
      versions.push({ label: `v${major}.0`, url: `/services/data/v${major}.0`, version: `${major}.0` });
    }
    res.json(versions);
  });
  const data = express.Router({ mergeParams: true });
  data.use(queryRouter(state));
  data.use(sobjectRouter(state));
  data.use(collectionRouter(state));
  data.use(toolingRouter(state));
  data.use(bulkQueryRouter(state));
  app.use('/services/data/:version', data);
  app.use('/services/data/:version', (_req, res) => sendApiError(res, notFound()));

  const errors: ErrorRequestHandler = (error: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    if (error instanceof SalesforceApiError) {
      sendApiError(res, error);
      return;
    }
    const status = (error as { status?: unknown }).status;
    if (status === 400 || (error as { type?: unknown }).type === 'entity.parse.failed') {
      sendApiError(res, new SalesforceApiError(400, 'JSON_PARSER_ERROR', 'The request body is not valid JSON'));
      return;
    }
    if (status === 413) {
      sendApiError(res, new SalesforceApiError(413, 'REQUEST_ENTITY_TOO_LARGE', 'The request body is too large'));
      return;
    }
    sendApiError(res, new SalesforceApiError(500, 'UNKNOWN_EXCEPTION', 'An unexpected error occurred.'));
  };
  app.use(errors);

  return {
    app,
    orgs,
    defaultOrg,
    faults,
    oauth,
    apiVersion,
    loadBook: (orgId, book) => {
      const org = orgFor(orgId);
      return loadBook(org, book, userFor(org, undefined).id);
    },
    issueSession,
    signedRequest,
    merge: (orgId, objectType, masterId, mergedIds) => {
      const org = orgFor(orgId);
      org.merge(objectType, masterId, mergedIds, userFor(org, undefined).id);
    },
  };
}
