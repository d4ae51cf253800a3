import { normaliseDomain } from '../../core/accounts/normalise.ts';
import { createHash } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { z } from 'zod';
import type { IngestKind, IngestResult } from '../../contracts/ingest.ts';
import { matchAccounts, runIngestBatch, type IngestScope, type Transaction } from '../../platform/db/ingest-store.ts';
import { AppError } from '../../platform/errors.ts';
import { jsonPath } from '../../platform/manifest.ts';
import { ingestScopeOf } from './auth.ts';
import type { IngestDeps } from './deps.ts';
import { BatchRefused, sendRefusal, type Issue } from './issues.ts';

/**
 * One ingest endpoint: key → installation, Idempotency-Key, validation of every item, accounts
 * resolved within the installation, then the kind's rows stored in the same transaction as the
 * idempotency record. Any refusal stores nothing.
 */

interface AccountRef {
  accountId?: string | undefined;
  accountDomain?: string | undefined;
}

export interface IngestKindSpec<Item extends AccountRef> {
  kind: IngestKind;
  schema: z.ZodType<{ items: Item[] }>;
  /** Stores the items (each with its account's CRM id); answers the counts. */
  store(tx: Transaction, scope: IngestScope, items: { item: Item; accountExternalId: string }[]): Promise<IngestResult>;
}

const INVALID = ['is invalid', 'are invalid'] as const;
const NOT_FOUND = ['names no known account', 'name no known account'] as const;
const AMBIGUOUS = ['names no single account', 'name no single account'] as const;

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

function idempotencyKeyOf(req: Request): string {
  const key = req.get('idempotency-key');
  if (key === undefined || !IDEMPOTENCY_KEY.test(key)) {
    throw new AppError(
      400,
      'IDEMPOTENCY_KEY_REQUIRED',
      'Send an Idempotency-Key header (1–255 visible ASCII characters) that is new for every new batch',
    );
  }
  return key;
}

function validationIssues(error: z.ZodError): Issue[] {
  return error.issues.map((issue) => {
    const [first, index] = issue.path;
    return {
      path: jsonPath(issue.path),
      message: issue.message,
      ...(first === 'items' && typeof index === 'number' ? { index } : {}),
    };
  });
}

/**
 * Each item's account in the installation, by CRM id or normalised domain; throws (rolling the batch
 * back) naming every item whose account is not found, or whose domain several accounts share.
 */
async function resolveAccounts<Item extends AccountRef>(
  tx: Transaction,
  scope: IngestScope,
  items: Item[],
  domains: (string | undefined)[],
): Promise<{ item: Item; accountExternalId: string }[]> {
  const ids = items.flatMap((item) => (item.accountId === undefined ? [] : [item.accountId]));
  const wanted = domains.filter((domain): domain is string => domain !== undefined);
  const found = await matchAccounts(tx, scope, [...new Set(ids)], [...new Set(wanted)]);
  const resolved: { item: Item; accountExternalId: string }[] = [];
  const missing: Issue[] = [];
  const ambiguous: Issue[] = [];
  items.forEach((item, index) => {
    if (item.accountId !== undefined) {
      if (found.ids.has(item.accountId)) resolved.push({ item, accountExternalId: item.accountId });
      // The same answer whether the id is unknown or another installation's.
      else missing.push({ index, path: `items[${index}].accountId`, message: 'account not found' });
      return;
    }
    const domain = domains[index];
    const matches = domain === undefined ? [] : (found.domains.get(domain) ?? []);
    const path = `items[${index}].accountDomain`;
    if (matches.length === 1) resolved.push({ item, accountExternalId: matches[0]! });
    else if (matches.length === 0) missing.push({ index, path, message: 'account not found' });
    else
      ambiguous.push({ index, path, message: `${matches.length} accounts have this domain; send accountId instead` });
  });
  if (ambiguous.length > 0) throw new BatchRefused(400, 'ACCOUNT_AMBIGUOUS', AMBIGUOUS, ambiguous);
  if (missing.length > 0) throw new BatchRefused(404, 'ACCOUNT_NOT_FOUND', NOT_FOUND, missing);
  return resolved;
}

export function ingestBatchRoute<Item extends AccountRef>(
  deps: IngestDeps,
  spec: IngestKindSpec<Item>,
): RequestHandler {
  return async (req, res) => {
    const scope = await ingestScopeOf(req, deps);
    const idempotencyKey = idempotencyKeyOf(req);
    if (req.body === undefined) throw new AppError(415, 'JSON_REQUIRED', 'Send the batch as application/json');
    try {
      const parsed = spec.schema.safeParse(req.body);
      if (!parsed.success) throw new BatchRefused(400, 'INVALID_ITEMS', INVALID, validationIssues(parsed.error));
      const items = parsed.data.items;

      const domains = items.map((item) =>
        item.accountDomain === undefined ? undefined : normaliseDomain(item.accountDomain),
      );
      const badDomains = items.flatMap((item, index) =>
        item.accountDomain !== undefined && domains[index] === undefined
          ? [{ index, path: `items[${index}].accountDomain`, message: 'not a web domain such as example.com' }]
          : [],
      );
      if (badDomains.length > 0) throw new BatchRefused(400, 'INVALID_ITEMS', INVALID, badDomains);

      const requestHash = createHash('sha256')
        .update(`${spec.kind}\n${JSON.stringify(req.body)}`)
        .digest('hex');
      const { answer, replayed } = await runIngestBatch(
        deps.db,
        scope,
        { kind: spec.kind, idempotencyKey, requestHash },
        async (tx) => spec.store(tx, scope, await resolveAccounts(tx, scope, items, domains)),
      );
      req.log.info(
        {
          installationId: scope.installationId,
          keyId: scope.keyId,
          kind: spec.kind,
          items: items.length,
          replayed,
          ...answer,
        },
        'ingest batch',
      );
      if (replayed) res.setHeader('Idempotent-Replayed', 'true');
      res.json(answer);
    } catch (error) {
      if (!(error instanceof BatchRefused)) throw error;
      sendRefusal(req, res, error);
    }
  };
}
