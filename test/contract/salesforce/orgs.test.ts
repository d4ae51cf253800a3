import jsforce from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_VERSION, startSandbox, type RunningSandbox } from './start-sandbox.ts';
import { syntheticBook } from './synthetic-book.ts';

let run: RunningSandbox;

beforeAll(async () => {
  run = await startSandbox({
    limits: { dailyApiRequests: 6 },
    orgs: [
      {
        name: 'North',
        users: [{ username: 'int@north.test', email: 'int@north.test', firstName: 'North', lastName: 'Integration' }],
      },
      {
        id: '00D5g000004XyZaEAK',
        name: 'South',
        instanceUrl: 'https://south.my.salesforce.test',
        users: [
          { username: 'int@south.test', email: 'int@south.test', firstName: 'South', lastName: 'Integration' },
          { username: 'csm@south.test', email: 'csm@south.test', firstName: 'Sam', lastName: 'Success' },
        ],
      },
    ],
  });
});
afterAll(() => run.close());

describe('several orgs in one stand-in', () => {
  it('keeps records, ids, allowances and sessions per org', async () => {
    const [north, south] = [...run.sandbox.orgs.values()];
    expect(north?.id).toMatch(/^00D\w{15}$/);
    expect(south?.id).toBe('00D5g000004XyZaEAK');
    const northIds = run.sandbox.loadBook(north?.id as string, syntheticBook(3));
    const southIds = run.sandbox.loadBook(south?.id as string, syntheticBook(2));
    expect(northIds.accounts.get('acc-00000')).not.toBe(southIds.accounts.get('acc-00000'));

    const connect = (orgId: string) => {
      const session = run.sandbox.issueSession({ orgId, instanceUrl: run.url, withRefreshToken: false });
      return new jsforce.Connection({ instanceUrl: run.url, accessToken: session.access_token, version: API_VERSION });
    };
    const northConn = connect(north?.id as string);
    const southConn = connect(south?.id as string);
    expect((await northConn.query('SELECT Id FROM Account')).totalSize).toBe(3);
    expect((await southConn.query('SELECT Id FROM Account')).totalSize).toBe(2);
    await expect(
      northConn.sobject('Account').retrieve(southIds.accounts.get('acc-00000') as string),
    ).rejects.toMatchObject({ errorCode: 'NOT_FOUND' });

    for (let i = 0; i < 4; i++) await northConn.limits();
    await expect(northConn.limits()).rejects.toMatchObject({ errorCode: 'REQUEST_LIMIT_EXCEEDED' });
    expect((await southConn.limits()).DailyApiRequests).toMatchObject({ Max: 6, Remaining: 4 });
  });

  it('lists every org user on the consent page and answers an org’s fixed instance URL', async () => {
    const { oauth } = run.sandbox;
    const params = new URLSearchParams({
      response_type: 'code',
      client_id: oauth.clientId,
      redirect_uri: oauth.redirectUris[0] as string,
      login_hint: 'csm@south.test',
    });
    const html = await (await fetch(`${run.url}/services/oauth2/authorize?${params.toString()}`)).text();
    const options = [...html.matchAll(/<option value="([^"]+)"( selected)?>([^<]+)</g)];
    const labels = options.map((option) => option[3]);
    expect(labels).toEqual(
      expect.arrayContaining([
        'North: North Integration (int@north.test)',
        'South: South Integration (int@south.test)',
        'South: Sam Success (csm@south.test)',
      ]),
    );
    const chosen = options.filter((option) => option[2] === ' selected');
    expect(chosen.map((option) => option[3])).toEqual(['South: Sam Success (csm@south.test)']);

    const form = new URLSearchParams([...params.entries(), ['user', chosen[0]?.[1] as string], ['decision', 'allow']]);
    const redirect = await fetch(`${run.url}/services/oauth2/authorize`, {
      method: 'POST',
      body: form,
      redirect: 'manual',
    });
    const code = new URL(redirect.headers.get('location') as string).searchParams.get('code') as string;
    const token = await fetch(`${run.url}/services/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        client_id: oauth.clientId,
        client_secret: oauth.clientSecret,
        redirect_uri: oauth.redirectUris[0] as string,
      }),
    });
    const body = (await token.json()) as Record<string, string>;
    expect(body.instance_url).toBe('https://south.my.salesforce.test');
    expect(body.id).toMatch(/^https:\/\/south\.my\.salesforce\.test\/id\/00D5g000004XyZaEAK\/005\w{15}$/);
  });
});
