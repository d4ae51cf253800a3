import path from 'node:path';
import { z } from 'zod';

/**
 * The only module that reads process.env. Everything else receives a parsed, typed Env.
 * All problems are reported together so an operator fixes them in one go.
 */

const KEY_BYTES = 32;

/** Accepts 32 bytes as 64 hex characters or as base64/base64url (43–44 characters). */
export function decodeKey(value: string): Buffer | undefined {
  const trimmed = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}={0,1}$/.test(trimmed)) {
    const bytes = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (bytes.length === KEY_BYTES) return bytes;
  }
  return undefined;
}

const keySchema = z.string().transform((value, ctx) => {
  const key = decodeKey(value);
  if (!key) {
    ctx.addIssue({
      code: 'custom',
      message: `must be ${KEY_BYTES} random bytes as 64 hex characters or 44 base64 characters (got ${value.trim().length} characters); make one with: openssl rand -base64 32`,
    });
    return z.NEVER;
  }
  return key;
});

const optionalUrl = (protocols: readonly string[]) =>
  z
    .string()
    .trim()
    .min(1)
    .refine(
      (value) => {
        try {
          return protocols.includes(new URL(value).protocol);
        } catch {
          return false;
        }
      },
      `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
    )
    .optional();

const port = z.coerce
  .number({ error: 'must be a whole number between 0 and 65535' })
  .int('must be a whole number between 0 and 65535')
  .min(0, 'must be a whole number between 0 and 65535')
  .max(65535, 'must be a whole number between 0 and 65535');

const byteSize = z
  .string()
  .regex(/^\d+(b|kb|mb)$/i, 'must be a size such as 512kb or 1mb')
  .default('1mb');

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  PORT: port.default(3000),
  PUBLIC_URL: optionalUrl(['http:', 'https:']),
  DATA_DIR: z.string().trim().min(1).default('.bellwether'),
  DATABASE_URL: optionalUrl(['postgres:', 'postgresql:']),
  REDIS_URL: optionalUrl(['redis:', 'rediss:']),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9{}:_-]+$/, 'may hold letters, digits, {}, :, _ and - only')
    .default('{bellwether}'),
  WORKER_CONCURRENCY: z.coerce
    .number({ error: 'must be a whole number between 1 and 64' })
    .int()
    .min(1)
    .max(64)
    .default(4),
  ENCRYPTION_KEY: keySchema.optional(),
  ENCRYPTION_KEY_PREVIOUS: z
    .string()
    .transform((value, ctx) => {
      const keys: Buffer[] = [];
      for (const [index, part] of value.split(',').entries()) {
        const key = decodeKey(part);
        if (!key) {
          ctx.addIssue({
            code: 'custom',
            message: `entry ${index + 1} is not a 32-byte key in hex or base64`,
          });
          return z.NEVER;
        }
        keys.push(key);
      }
      return keys;
    })
    .optional(),
  HTTP_BODY_LIMIT: byteSize,
  /** Bearer/basic password for /admin (queues, installations); without it the admin pages answer only on loopback in development. */
  ADMIN_TOKEN: z.string().trim().min(16, 'must be at least 16 characters').optional(),
  HUBSPOT_CLIENT_ID: z.string().trim().min(1).optional(),
  HUBSPOT_CLIENT_SECRET: z.string().trim().min(1).optional(),
  /** HubSpot's API (and token endpoint) base; the sandbox's URL in the embedded default. */
  HUBSPOT_API_BASE: optionalUrl(['http:', 'https:']),
  /** Where admins consent (HubSpot's app.hubspot.com/oauth/authorize). */
  HUBSPOT_AUTHORIZE_URL: optionalUrl(['http:', 'https:']),
  SALESFORCE_CLIENT_ID: z.string().trim().min(1).optional(),
  SALESFORCE_CLIENT_SECRET: z.string().trim().min(1).optional(),
  /** Production login domain (https://login.salesforce.com) and the one for Salesforce sandboxes (https://test.salesforce.com). */
  SALESFORCE_LOGIN_URL: optionalUrl(['http:', 'https:']),
  SALESFORCE_SANDBOX_LOGIN_URL: optionalUrl(['http:', 'https:']),
  /** Share of a Salesforce org's daily API allowance Bellwether may use before it pauses until the allowance recovers. */
  SALESFORCE_API_SHARE: z.coerce
    .number({ error: 'must be a share between 0.05 and 1, e.g. 0.5' })
    .min(0.05, 'must be a share between 0.05 and 1, e.g. 0.5')
    .max(1, 'must be a share between 0.05 and 1, e.g. 0.5')
    .default(0.5),
  /** Days an uninstalled installation's data is kept before it is purged; 0 purges at once. */
  DATA_RETENTION_DAYS: z.coerce
    .number({ error: 'must be a whole number of days between 0 and 365' })
    .int('must be a whole number of days between 0 and 365')
    .min(0, 'must be a whole number of days between 0 and 365')
    .max(365, 'must be a whole number of days between 0 and 365')
    .default(0),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

type RawEnv = z.infer<typeof envSchema>;

export type Env = RawEnv & {
  /** Absolute data folder: the embedded database, the local encryption key, a private Redis. */
  dataDir: string;
  /** Where people reach the server; used for links and OAuth redirects. */
  publicUrl: string;
  /** True when no REDIS_URL was given: the default address is tried, then a private Redis. */
  redisUrlIsDefault: boolean;
  redisUrl: string;
  isProduction: boolean;
  /**
   * True when neither CRM has client credentials: `npm start` then runs the sandbox stand-ins and
   * installs a demo portal and org, so a newcomer sees the whole product with nothing configured.
   */
  demoMode: boolean;
};

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export class EnvError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid environment: ${problems.join('; ')}`);
    this.name = 'EnvError';
  }
}

/** Parses an environment (process.env by default); throws EnvError naming every bad variable. */
export function parseEnv(source: Record<string, string | undefined> = process.env, cwd: string = process.cwd()): Env {
  // An empty variable means "not set", as in most shells' `VAR= cmd`.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ''));
  const result = envSchema.safeParse(cleaned);
  const problems: string[] = [];
  if (!result.success) {
    for (const issue of result.error.issues) {
      const name = String(issue.path[0] ?? 'environment');
      problems.push(`${name} ${issue.message}`);
    }
  }
  if (result.success && result.data.NODE_ENV === 'production' && !result.data.ENCRYPTION_KEY) {
    problems.push('ENCRYPTION_KEY is required when NODE_ENV=production (openssl rand -base64 32)');
  }
  if (result.success) {
    for (const crm of ['HUBSPOT', 'SALESFORCE'] as const) {
      const id = result.data[`${crm}_CLIENT_ID`];
      const secret = result.data[`${crm}_CLIENT_SECRET`];
      if ((id === undefined) !== (secret === undefined)) {
        problems.push(`${crm}_CLIENT_ID and ${crm}_CLIENT_SECRET must be set together`);
      }
    }
    if (result.data.NODE_ENV === 'production' && !result.data.ADMIN_TOKEN) {
      problems.push('ADMIN_TOKEN is required when NODE_ENV=production (openssl rand -base64 24)');
    }
  }
  if (!result.success || problems.length > 0) throw new EnvError(problems);

  const raw = result.data;
  const dataDir = path.resolve(cwd, raw.DATA_DIR);
  return {
    ...raw,
    dataDir,
    publicUrl: (raw.PUBLIC_URL ?? `http://localhost:${raw.PORT}`).replace(/\/$/, ''),
    redisUrlIsDefault: raw.REDIS_URL === undefined,
    redisUrl: raw.REDIS_URL ?? DEFAULT_REDIS_URL,
    isProduction: raw.NODE_ENV === 'production',
    demoMode: raw.HUBSPOT_CLIENT_ID === undefined && raw.SALESFORCE_CLIENT_ID === undefined,
  };
}

/** Formats an EnvError for a person: one line naming every variable at fault. */
export function describeEnvError(error: EnvError): string {
  return `Bellwether cannot start, the environment is invalid: ${error.problems.join('; ')}.`;
}
