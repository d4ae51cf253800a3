import { parseQuery } from '@jetstreamapp/soql-parser-js';
import express, { type Router } from 'express';
import { z } from 'zod';
import { apiGuard, contextOf, handle, type ApiContext } from './api-guard.ts';
import { SalesforceApiError, notFound } from './errors.ts';
import type { SandboxState } from './sandbox-state.ts';
import { formatDateTime } from './sf-dates.ts';
import { runSoql } from './soql-query.ts';

/**
 * Bulk API 2.0 query jobs (reference §2.2–§2.3): create, poll, page the CSV results with
 * `Sforce-Locator` (the string `null` on the last page) and `Sforce-NumberOfRecords`, abort and
 * delete. The query runs when the job is created; the job reads `UploadComplete` in the create
 * answer and `JobComplete` from the first poll on. Aggregates, OFFSET and child subqueries are
 * refused, as Bulk 2.0 refuses them.
 */

const DELIMITERS = { COMMA: ',', BACKQUOTE: '`', CARET: '^', PIPE: '|', SEMICOLON: ';', TAB: '\t' } as const;
const DEFAULT_PAGE = 50_000;

const createBody = z.strictObject({
  operation: z.enum(['query', 'queryAll']),
  query: z.string().min(1),
  contentType: z.literal('CSV').optional(),
  columnDelimiter: z.enum(['COMMA', 'BACKQUOTE', 'CARET', 'PIPE', 'SEMICOLON', 'TAB']).optional(),
  lineEnding: z.enum(['LF', 'CRLF']).optional(),
});
const resultsQuery = z.object({
  locator: z.string().optional(),
  maxRecords: z.coerce.number().int().min(1).optional(),
});
const patchBody = z.strictObject({ state: z.literal('Aborted') });

interface QueryJob {
  id: string;
  operation: 'query' | 'queryAll';
  object: string;
  createdById: string;
  createdDate: number;
  state: 'UploadComplete' | 'JobComplete' | 'Aborted';
  columnDelimiter: keyof typeof DELIMITERS;
  lineEnding: 'LF' | 'CRLF';
  apiVersion: string;
  columns: string[];
  rows: Record<string, unknown>[];
}

const jobsByOrg = new WeakMap<object, Map<string, QueryJob>>();

function jobsOf(context: ApiContext): Map<string, QueryJob> {
  let jobs = jobsByOrg.get(context.org);
  if (!jobs) jobsByOrg.set(context.org, (jobs = new Map<string, QueryJob>()));
  return jobs;
}

function info(job: QueryJob) {
  return {
    id: job.id,
    operation: job.operation,
    object: job.object,
    createdById: job.createdById,
    createdDate: formatDateTime(job.createdDate),
    systemModstamp: formatDateTime(job.createdDate),
    state: job.state,
    concurrencyMode: 'Parallel',
    contentType: 'CSV',
    apiVersion: Number(job.apiVersion),
    lineEnding: job.lineEnding,
    columnDelimiter: job.columnDelimiter,
  };
}

function apiError(message: string): SalesforceApiError {
  return new SalesforceApiError(400, 'API_ERROR', message);
}

/** A column's value: `Account.Name` reads the nested parent object of a REST-shaped row. */
function cell(row: Record<string, unknown>, column: string): unknown {
  let value: unknown = row;
  for (const part of column.split('.')) {
    if (value === null || typeof value !== 'object') return null;
    const entry = Object.entries(value).find(([key]) => key.toLowerCase() === part.toLowerCase());
    value = entry?.[1] ?? null;
  }
  return value;
}

function csv(job: QueryJob, rows: Record<string, unknown>[]): string {
  const delimiter = DELIMITERS[job.columnDelimiter];
  const eol = job.lineEnding === 'CRLF' ? '\r\n' : '\n';
  const quote = (value: unknown) =>
    value === null || value === undefined
      ? ''
      : `"${(typeof value === 'string' ? value : JSON.stringify(value)).replace(/"/g, '""')}"`;
  const lines = [
    job.columns.map(quote).join(delimiter),
    ...rows.map((row) => job.columns.map((column) => quote(cell(row, column))).join(delimiter)),
  ];
  return lines.join(eol) + eol;
}

export function bulkQueryRouter(state: SandboxState): Router {
  const router = express.Router({ mergeParams: true });

  router.post(
    '/jobs/query',
    express.json(),
    apiGuard(state, 'jobs.query'),
    handle((req, res) => {
      const context = contextOf(req);
      const parsed = createBody.safeParse(req.body);
      if (!parsed.success)
        throw apiError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
      const { operation, query } = parsed.data;
      let fields;
      try {
        const ast = parseQuery(query);
        if (ast.offset !== undefined) throw apiError('OFFSET is not supported by Bulk API 2.0 query');
        fields = ast.fields ?? [];
      } catch (error) {
        if (error instanceof SalesforceApiError) throw error;
        fields = undefined;
      }
      if (fields?.some((field) => field.type !== 'Field' && field.type !== 'FieldRelationship')) {
        throw apiError('Aggregate queries, functions and child subqueries are not supported by Bulk API 2.0 query');
      }
      const result = runSoql(context.org, query, {
        includeDeleted: operation === 'queryAll',
        now: state.clock.now(),
        apiVersion: context.apiVersion,
      });
      const columns = (fields ?? []).map((field) =>
        field.type === 'FieldRelationship'
          ? [...field.relationships, field.field].join('.')
          : field.type === 'Field'
            ? field.field
            : '',
      );
      const job: QueryJob = {
        id: context.org.ids.next('750'),
        operation,
        object: result.type,
        createdById: context.userId,
        createdDate: state.clock.now(),
        state: 'UploadComplete',
        columnDelimiter: parsed.data.columnDelimiter ?? 'COMMA',
        lineEnding: parsed.data.lineEnding ?? 'LF',
        apiVersion: context.apiVersion,
        columns,
        rows: result.records,
      };
      jobsOf(context).set(job.id, job);
      res.json(info(job));
    }),
  );

  const jobOf = (context: ApiContext, id: string) => {
    const job = jobsOf(context).get(id);
    if (!job) throw notFound();
    return job;
  };

  router.get(
    '/jobs/query/:id',
    apiGuard(state, 'jobs.query'),
    handle((req, res) => {
      const job = jobOf(contextOf(req), req.params.id as string);
      if (job.state === 'UploadComplete') job.state = 'JobComplete';
      res.json({
        ...info(job),
        jobType: 'V2Query',
        numberRecordsProcessed: job.rows.length,
        retries: 0,
        totalProcessingTime: 0,
        isPkChunkingSupported: true,
      });
    }),
  );

  router.get(
    '/jobs/query/:id/results',
    apiGuard(state, 'jobs.query'),
    handle((req, res) => {
      const context = contextOf(req);
      const job = jobOf(context, req.params.id as string);
      if (job.state !== 'JobComplete') {
        throw new SalesforceApiError(412, 'JOB_NOT_COMPLETE', `job ${job.id} is not complete`);
      }
      if (job.apiVersion !== context.apiVersion) {
        throw new SalesforceApiError(
          409,
          'INVALIDJOBSTATE',
          'results must be read with the API version that created the job',
        );
      }
      const parsed = resultsQuery.safeParse(req.query);
      if (!parsed.success) throw apiError('maxRecords must be a positive whole number');
      const offset =
        parsed.data.locator === undefined ? 0 : Number(Buffer.from(parsed.data.locator, 'base64url').toString('utf8'));
      if (!Number.isInteger(offset) || offset < 0 || offset > job.rows.length) throw apiError('invalid locator');
      const size = Math.min(parsed.data.maxRecords ?? DEFAULT_PAGE, context.shortPage ?? Infinity);
      const rows = job.rows.slice(offset, offset + size);
      const next = offset + rows.length;
      res.set(
        'Sforce-Locator',
        next >= job.rows.length ? 'null' : Buffer.from(String(next), 'utf8').toString('base64url'),
      );
      res.set('Sforce-NumberOfRecords', String(rows.length));
      res.type('text/csv').send(csv(job, rows));
    }),
  );

  router.patch(
    '/jobs/query/:id',
    express.json(),
    apiGuard(state, 'jobs.query'),
    handle((req, res) => {
      const job = jobOf(contextOf(req), req.params.id as string);
      if (!patchBody.safeParse(req.body).success) throw apiError('state must be Aborted');
      if (job.state === 'JobComplete')
        throw new SalesforceApiError(400, 'INVALIDJOBSTATE', 'a completed job cannot be aborted');
      job.state = 'Aborted';
      res.json(info(job));
    }),
  );

  router.delete(
    '/jobs/query/:id',
    apiGuard(state, 'jobs.query'),
    handle((req, res) => {
      const context = contextOf(req);
      jobOf(context, req.params.id as string);
      jobsOf(context).delete(req.params.id as string);
      res.status(204).end();
    }),
  );

  return router;
}
