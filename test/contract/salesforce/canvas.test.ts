import { createHmac, timingSafeEqual } from 'node:crypto';
import jsforce from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_VERSION, startSandbox, type RunningSandbox } from './start-sandbox.ts';
import { syntheticBook } from './synthetic-book.ts';

let run: RunningSandbox;
let accountId: string;

beforeAll(async () => {
  run = await startSandbox({ oauth: { clientSecret: 'canvas-consumer-secret' } });
  accountId = run.sandbox.loadBook(run.sandbox.defaultOrg.id, syntheticBook(1)).accounts.get('acc-00000') as string;
});
afterAll(() => run.close());

/** The verification the reference gives (§7.1), as the product will do it. */
interface Envelope {
  client: { instanceUrl: string; oauthToken: string };
  context: { environment: { parameters: { recordId: string } } };
}

function verify(signedRequest: string, secret: string): Envelope {
  const [signature, context] = signedRequest.split('.', 2) as [string, string];
  const expected = createHmac('sha256', secret).update(context).digest('base64');
  const a = Buffer.from(signature);
  const b = Buffer.from(expected);
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw new Error('bad signature');
  return JSON.parse(Buffer.from(context, 'base64').toString('utf8')) as Envelope;
}

describe('Canvas signed_request', () => {
  it('is signed with the consumer secret and carries the user, org and record', async () => {
    const answer = await fetch(`${run.url}/_sandbox/canvas/signed-request`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ recordId: accountId }),
    });
    expect(answer.status).toBe(200);
    const { signed_request: signed } = (await answer.json()) as { signed_request: string };

    const envelope = verify(signed, 'canvas-consumer-secret');
    expect(() => verify(signed, 'another-secret')).toThrow('bad signature');
    const org = run.sandbox.defaultOrg;
    const user = org.users()[0];
    expect(envelope).toMatchObject({
      algorithm: 'HMACSHA256',
      userId: user?.id,
      issuedAt: null,
      client: { instanceUrl: run.url, targetOrigin: run.url },
      context: {
        user: { userId: user?.id, userName: user?.username, email: user?.email },
        organization: { organizationId: org.id, name: org.name },
        environment: {
          parameters: { recordId: accountId },
          record: { attributes: { type: 'Account' }, Id: accountId },
        },
        links: { restUrl: `/services/data/v${API_VERSION}/` },
      },
    });

    // The token inside is a working session for that user.
    const conn = new jsforce.Connection({
      instanceUrl: envelope.client.instanceUrl,
      accessToken: envelope.client.oauthToken,
      version: API_VERSION,
    });
    const account = await conn.query<any>(
      `SELECT Name FROM Account WHERE Id = '${envelope.context.environment.parameters.recordId}'`,
    );
    expect(account.records[0]?.Name).toBe('Account 00000');
  });

  it('refuses an unknown body field and an unknown user', async () => {
    const post = (body: unknown) =>
      fetch(`${run.url}/_sandbox/canvas/signed-request`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post({ recordId: accountId, extra: 1 })).status).toBe(400);
    expect((await post({ userId: '005000000000000AAA' })).status).toBe(404);
  });
});
