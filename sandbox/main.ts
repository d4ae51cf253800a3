import { parseArgs } from 'node:util';
import { z } from 'zod';
import { crmBook, generateBook } from './generator/generate-book.ts';
import { startSandboxes } from './start-sandboxes.ts';

/**
 * `npm run sandbox`: both stand-ins, standalone, with a generated book loaded into the demo portal
 * and org, and demo credentials printed so the official SDKs (or curl) can be pointed at them.
 */

const USAGE =
  'usage: npm run sandbox -- [--accounts N (default 200)] [--seed S (default 1)] [--as-of YYYY-MM-DD (default today)] ' +
  '[--hubspot-port P (default 4010)] [--salesforce-port P (default 4020)] [--host H (default 127.0.0.1)]';

const argsSchema = z.strictObject({
  accounts: z.coerce.number().int().min(0).max(100_000).default(200),
  seed: z.coerce
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .default(1),
  'as-of': z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD')
    .default(() => new Date().toISOString().slice(0, 10)),
  'hubspot-port': z.coerce.number().int().min(0).max(65535).default(4010),
  'salesforce-port': z.coerce.number().int().min(0).max(65535).default(4020),
  host: z.string().min(1).default('127.0.0.1'),
});

function parse(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      accounts: { type: 'string' },
      seed: { type: 'string' },
      'as-of': { type: 'string' },
      'hubspot-port': { type: 'string' },
      'salesforce-port': { type: 'string' },
      host: { type: 'string' },
    },
  });
  const result = argsSchema.safeParse(values);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `--${issue.path.join('.')} ${issue.message}`);
    throw new Error(problems.join('; '));
  }
  return result.data;
}

async function main(): Promise<void> {
  let args;
  try {
    args = parse(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    process.exit(2);
  }

  const started = performance.now();
  const book =
    args.accounts > 0
      ? crmBook(generateBook({ seed: args.seed, accounts: args.accounts, asOf: args['as-of'] }).book)
      : undefined;
  const running = await startSandboxes({
    host: args.host,
    hubspotPort: args['hubspot-port'],
    salesforcePort: args['salesforce-port'],
    ...(book ? { book } : {}),
  });
  const { hubspot, salesforce } = running;
  const hubspotTokens = hubspot.sandbox.issueTokens(hubspot.portalId);
  const salesforceSession = salesforce.sandbox.issueSession({ instanceUrl: salesforce.url });
  const user = salesforce.sandbox.defaultOrg.users()[0];
  const seconds = ((performance.now() - started) / 1000).toFixed(1);

  const lines = [
    '',
    `Bellwether sandbox CRMs are running (${book ? `${book.accounts.length} accounts, seed ${args.seed}, as of ${args['as-of']}` : 'empty'}; ready in ${seconds} s).`,
    '',
    `HubSpot     ${hubspot.url}   (@hubspot/api-client: new Client({ basePath, accessToken }))`,
    `  portal id       ${hubspot.portalId}`,
    `  access token    ${hubspotTokens.accessToken}   (expires in ${hubspotTokens.expiresIn} s)`,
    `  refresh token   ${hubspotTokens.refreshToken}`,
    `  OAuth client    ${hubspot.sandbox.oauth.clientId} / ${hubspot.sandbox.oauth.clientSecret}`,
    `  consent page    ${hubspot.url}/oauth/authorize?client_id=${hubspot.sandbox.oauth.clientId}&redirect_uri=${encodeURIComponent(hubspot.sandbox.oauth.redirectUris[0] ?? '')}&scope=oauth`,
    '',
    `Salesforce  ${salesforce.url}   (jsforce: new Connection({ instanceUrl, accessToken, version: '${salesforce.sandbox.apiVersion}' }))`,
    `  org id          ${salesforce.orgId}${user ? `   user ${user.username}` : ''}`,
    `  access token    ${salesforceSession.access_token}`,
    `  refresh token   ${salesforceSession.refresh_token ?? '(none)'}`,
    `  OAuth client    ${salesforce.sandbox.oauth.clientId} / ${salesforce.sandbox.oauth.clientSecret}`,
    `  login URL       ${salesforce.url}/services/oauth2/authorize`,
    '',
    `Faults: POST ${hubspot.url}/_sandbox/faults or ${salesforce.url}/_sandbox/faults, e.g. {"route":"*","fault":{"kind":"rate_limit","rate":0.5}}`,
    'Ctrl-C to stop.',
    '',
  ];
  process.stdout.write(lines.join('\n'));

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void running.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

await main();
