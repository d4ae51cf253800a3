import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express } from 'express';
import { OpenAPIBackend, type Document } from 'openapi-backend';

/**
 * Checks every answer a HubSpot stand-in gives against HubSpot's own OpenAPI files (copied unchanged
 * under test/fixtures/hubspot-openapi). The test wraps the stand-in with `recordingApp`, so every call
 * the SDK makes is captured at the server and nothing has to be picked by hand.
 */

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/hubspot-openapi');

/** Most specific first: the companies file before the generic objects file that also matches its paths. */
const FILES = [
  'companies-v3.json',
  'objects-v3.json',
  'properties-v3.json',
  'associations-v4.json',
  'oauth-v1.json',
  'app-uninstalls-v3.json',
];

export interface Exchange {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  status: number;
  contentType: string | undefined;
  body: string;
}

export interface Verdict {
  exchange: Exchange;
  /** `file#operationId`, or undefined when no file describes the route. */
  operation: string | undefined;
  errors: string[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * openapi-backend compiles response schemas only for `application/json`; HubSpot's files declare their
 * error responses as `*\/*`. The in-memory copy exposes those schemas as JSON too, so error bodies are
 * checked as well (the files on disk stay as HubSpot publishes them).
 */
function exposeWildcardContent(node: Json): Json {
  if (Array.isArray(node)) return node.map(exposeWildcardContent);
  if (node === null || typeof node !== 'object') return node;
  const copy: Record<string, Json> = {};
  for (const [key, value] of Object.entries(node)) copy[key] = exposeWildcardContent(value);
  const content = copy.content;
  if (
    content &&
    typeof content === 'object' &&
    !Array.isArray(content) &&
    content['*/*'] &&
    !content['application/json']
  ) {
    content['application/json'] = content['*/*'];
  }
  return copy;
}

/**
 * The one allowance: HubSpot answers an unset requested property as `null` (the SDK's own models type
 * the map as `string | null`), while the files type the values as plain strings. Only the values of
 * the objects' `properties` maps may be null; everything else is checked as published.
 */
const NULLABLE_PROPERTY_MAPS = ['SimplePublicObject', 'SimplePublicObjectWithAssociations'];

function allowNullPropertyValues(definition: Json): void {
  if (definition === null || typeof definition !== 'object' || Array.isArray(definition)) return;
  const components = definition.components;
  if (!components || typeof components !== 'object' || Array.isArray(components)) return;
  const schemas = components.schemas;
  if (!schemas || typeof schemas !== 'object' || Array.isArray(schemas)) return;
  for (const name of NULLABLE_PROPERTY_MAPS) {
    const schema = schemas[name] as
      { properties?: { properties?: { additionalProperties?: Record<string, Json> } } } | undefined;
    const values = schema?.properties?.properties?.additionalProperties;
    if (values) values.nullable = true;
  }
}

export class HubspotContract {
  private constructor(private readonly apis: { file: string; api: OpenAPIBackend }[]) {}

  static async load(): Promise<HubspotContract> {
    const apis = [];
    for (const file of FILES) {
      const definition = exposeWildcardContent(JSON.parse(readFileSync(path.join(FIXTURES, file), 'utf8')) as Json);
      allowNullPropertyValues(definition);
      // `quick` skips the document lint: HubSpot's files put `description` beside `$ref`, which the
      // OpenAPI 3.0 meta-schema refuses although every tool reads it.
      const api = new OpenAPIBackend({
        definition: definition as unknown as Document,
        quick: true,
        validate: true,
        strict: true,
      });
      await api.init();
      if (api.getOperations().length === 0) throw new Error(`${file}: no operations loaded`);
      apis.push({ file, api });
    }
    return new HubspotContract(apis);
  }

  check(exchange: Exchange): Verdict {
    for (const { file, api } of this.apis) {
      const operation = api.matchOperation({
        method: exchange.method,
        path: exchange.path,
        headers: {},
        query: exchange.query,
      });
      if (!operation) continue;
      const name = `${file}#${operation.operationId}`;
      const responses = operation.responses ?? {};
      const declared =
        responses[String(exchange.status)] ?? responses[`${Math.floor(exchange.status / 100)}XX`] ?? responses.default;
      if (!declared) return { exchange, operation: name, errors: [`status ${exchange.status} is not declared`] };
      const hasContent =
        'content' in declared && declared.content !== undefined && Object.keys(declared.content).length > 0;
      if (!hasContent) {
        return {
          exchange,
          operation: name,
          errors: exchange.body.length > 0 ? [`status ${exchange.status} must have no body`] : [],
        };
      }
      let body: unknown;
      try {
        body = JSON.parse(exchange.body);
      } catch {
        return { exchange, operation: name, errors: [`body is not JSON: ${exchange.body.slice(0, 80)}`] };
      }
      const result = api.validateResponse(body, operation, exchange.status);
      return {
        exchange,
        operation: name,
        errors: (result.errors ?? []).map(
          (error) => `${error.instancePath || '/'} ${error.message ?? ''} ${JSON.stringify(error.params)}`,
        ),
      };
    }
    return { exchange, operation: undefined, errors: [] };
  }
}

/** Wraps an app so that every answer it gives is recorded with its status and body. */
export function recordingApp(inner: Express): { app: Express; exchanges: Exchange[] } {
  const exchanges: Exchange[] = [];
  const app = express();
  app.disable('x-powered-by');
  app.use((req, res, next) => {
    const chunks: Buffer[] = [];
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => typeof res;
    const keep = (chunk: unknown, encoding: unknown) => {
      if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
      if (Buffer.isBuffer(chunk)) chunks.push(chunk);
      else if (chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk));
      else if (typeof chunk === 'string') {
        chunks.push(Buffer.from(chunk, (typeof encoding === 'string' ? encoding : 'utf8') as BufferEncoding));
      }
    };
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      keep(chunk, rest[0]);
      return write(chunk, ...rest);
    }) as typeof res.write;
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      keep(chunk, rest[0]);
      return end(chunk, ...rest);
    }) as typeof res.end;
    const url = new URL(req.originalUrl, 'http://stand-in');
    const query: Record<string, string | string[]> = {};
    for (const key of new Set(url.searchParams.keys())) {
      const values = url.searchParams.getAll(key);
      query[key] = values.length === 1 ? (values[0] as string) : values;
    }
    res.on('finish', () => {
      exchanges.push({
        method: req.method,
        path: url.pathname,
        query,
        status: res.statusCode,
        contentType: res.getHeader('content-type') as string | undefined,
        body: Buffer.concat(chunks).toString('utf8'),
      });
    });
    next();
  });
  app.use(inner);
  return { app, exchanges };
}
