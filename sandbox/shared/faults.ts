import express, { type Router } from 'express';
import { z } from 'zod';
import { Random } from './random.ts';

/**
 * Faults a test or a person switches on per tenant (HubSpot portal id, Salesforce org id) and route
 * name, in-process through FaultRegistry or over HTTP through faultAdminRouter. Each stand-in decides
 * how a fault looks on its wire (a HubSpot 429 body differs from a Salesforce one).
 */

const rate = z.number().min(0).max(1).default(1);

export const faultSchema = z.discriminatedUnion('kind', [
  /** Answer 429 with the CRM's rate-limit body. */
  z.strictObject({ kind: z.literal('rate_limit'), rate }),
  /** Answer a 5xx. */
  z.strictObject({ kind: z.literal('server_error'), status: z.int().min(500).max(599).default(503), rate }),
  /** Delay the answer. */
  z.strictObject({ kind: z.literal('latency'), ms: z.int().min(0).max(120_000), rate }),
  /** Return at most `size` records a page, whatever the request asked for. */
  z.strictObject({ kind: z.literal('short_page'), size: z.int().min(1).max(10_000) }),
  /** Treat every access token of the tenant as expired. */
  z.strictObject({ kind: z.literal('token_expiry') }),
  /** Fail this share of the inputs of a batch or collection request, per record. */
  z.strictObject({ kind: z.literal('partial_batch'), rate }),
  /** Accept the request and never answer. */
  z.strictObject({ kind: z.literal('hang'), rate }),
]);
export type Fault = z.infer<typeof faultSchema>;
export type FaultKind = Fault['kind'];

export const faultRuleInputSchema = z.strictObject({
  /** A portal or org id; "*" for every tenant. */
  tenant: z.string().min(1).default('*'),
  /** A route name such as "crm.objects.list" or "query"; "*" for every route. A trailing ".*" matches a prefix. */
  route: z.string().min(1).default('*'),
  fault: faultSchema,
  /** How many requests the rule applies to before it retires itself; unlimited when absent. */
  times: z.int().min(1).optional(),
});
export type FaultRuleInput = z.input<typeof faultRuleInputSchema>;

export interface FaultRule {
  id: string;
  tenant: string;
  route: string;
  fault: Fault;
  remaining: number | undefined;
  hits: number;
}

export class FaultRegistry {
  private readonly rules: FaultRule[] = [];
  private nextId = 1;
  private readonly random: Random;

  constructor(seed: number | string = 'faults') {
    this.random = new Random(seed);
  }

  add(input: FaultRuleInput): FaultRule {
    const parsed = faultRuleInputSchema.parse(input);
    const rule: FaultRule = {
      id: String(this.nextId++),
      tenant: parsed.tenant,
      route: parsed.route,
      fault: parsed.fault,
      remaining: parsed.times,
      hits: 0,
    };
    this.rules.push(rule);
    return rule;
  }

  list(): readonly FaultRule[] {
    return this.rules;
  }

  remove(id: string): boolean {
    const index = this.rules.findIndex((rule) => rule.id === id);
    if (index < 0) return false;
    this.rules.splice(index, 1);
    return true;
  }

  clear(tenant?: string): void {
    for (let i = this.rules.length - 1; i >= 0; i--) {
      if (tenant === undefined || this.rules[i]?.tenant === tenant) this.rules.splice(i, 1);
    }
  }

  /**
   * The faults that fire for one request: matching rules whose rate roll succeeds. A rule with a
   * `times` budget spends one unit each time it fires and retires at zero.
   */
  fire(tenant: string, route: string): Fault[] {
    const fired: Fault[] = [];
    for (const rule of [...this.rules]) {
      if (!matches(rule.tenant, tenant) || !routeMatches(rule.route, route)) continue;
      // A partial batch always fires; its rate is the share of records that fail, rolled per record.
      const share = 'rate' in rule.fault && rule.fault.kind !== 'partial_batch' ? rule.fault.rate : 1;
      if (share < 1 && !this.random.chance(share)) continue;
      rule.hits++;
      fired.push(rule.fault);
      if (rule.remaining !== undefined && --rule.remaining <= 0) this.remove(rule.id);
    }
    return fired;
  }

  /** Whether a record-level fault (partial batch) hits one input; rolled per record. */
  rollPerRecord(share: number): boolean {
    return this.random.chance(share);
  }
}

function matches(pattern: string, value: string): boolean {
  return pattern === '*' || pattern === value;
}

function routeMatches(pattern: string, route: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return route.startsWith(pattern.slice(0, -1));
  return pattern === route;
}

/** `GET/POST/DELETE /_sandbox/faults`: the same registry over HTTP, for people and other processes. */
export function faultAdminRouter(registry: FaultRegistry): Router {
  const router = express.Router();
  router.use(express.json());
  router.get('/', (_req, res) => {
    res.json({ faults: registry.list() });
  });
  router.post('/', (req, res) => {
    const parsed = faultRuleInputSchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({
        error: 'invalid fault',
        issues: parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
      });
      return;
    }
    res.status(201).json(registry.add(parsed.data));
  });
  router.delete('/:id', (req, res) => {
    res.status(registry.remove(req.params.id) ? 204 : 404).end();
  });
  router.delete('/', (req, res) => {
    registry.clear(typeof req.query.tenant === 'string' ? req.query.tenant : undefined);
    res.status(204).end();
  });
  return router;
}
