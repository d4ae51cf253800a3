import { describe, expect, it } from 'vitest';
import { CardApiError, cardClient, describeFailure } from '../../../extension-ui/salesforce/src/api.ts';
import { CanvasContextError, parseCanvasContext } from '../../../extension-ui/salesforce/src/context.ts';
import { sparkline } from '../../../extension-ui/salesforce/src/sparkline.ts';
import { scoredCard } from './card-fixture.ts';

const CONTEXT = { session: 'token-123', recordId: '001000000000001AAA', apiBase: '/api/canvas' };

describe('canvas context', () => {
  it('reads the session, record and API base', () => {
    expect(parseCanvasContext(JSON.stringify(CONTEXT))).toEqual(CONTEXT);
  });

  it.each([
    [null, 'The card was opened without a Salesforce session; reload the page.'],
    ['', 'The card was opened without a Salesforce session; reload the page.'],
    ['{not json', 'The card context is not valid JSON.'],
    [
      JSON.stringify({ ...CONTEXT, session: '' }),
      'The card context is invalid (session: Too small: expected string to have >=1 characters).',
    ],
    [
      JSON.stringify({ ...CONTEXT, apiBase: 'https://elsewhere.example/api' }),
      'The card context is invalid (apiBase: must be a path on this origin).',
    ],
    [JSON.stringify([]), 'The card context is invalid (context: Invalid input: expected object, received array).'],
  ])('%j → %s', (text, message) => {
    expect(() => parseCanvasContext(text)).toThrow(new CanvasContextError(message));
  });
});

describe('sparkline', () => {
  it.each([
    [[], { path: '', last: null }],
    // One point: a flat line across, at its height.
    [[{ day: '2026-12-01', score: 50 }], { path: 'M2 25 L98 25', last: { x: 98, y: 25 } }],
    [
      [
        { day: '2026-12-01', score: 100 },
        { day: '2026-12-03', score: 0 },
      ],
      { path: 'M2 2 L98 48', last: { x: 98, y: 48 } },
    ],
    // Spaced by day, not by index: the missing day stays a gap in time.
    [
      [
        { day: '2026-12-01', score: 0 },
        { day: '2026-12-02', score: 50 },
        { day: '2026-12-05', score: 100 },
      ],
      { path: 'M2 48 L26 25 L98 2', last: { x: 98, y: 2 } },
    ],
    // Out-of-range scores are held to the chart.
    [
      [
        { day: '2026-12-01', score: -5 },
        { day: '2026-12-02', score: 130 },
      ],
      { path: 'M2 48 L98 2', last: { x: 98, y: 2 } },
    ],
  ])('%j', (points, expected) => {
    expect(sparkline(points, 100, 50)).toEqual(expected);
  });
});

type Call = { url: string; init: RequestInit };
function fakeFetch(answers: Response[]) {
  const calls: Call[] = [];
  const impl = ((url: string, init?: RequestInit) => {
    calls.push({ url, init: init ?? {} });
    const next = answers.shift();
    return next ? Promise.resolve(next) : Promise.reject(new Error('no answer left'));
  }) as typeof fetch;
  return { calls, impl };
}
const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

describe('card client', () => {
  it('reads the card with the bearer session', async () => {
    const card = scoredCard();
    const { calls, impl } = fakeFetch([json(200, card)]);
    expect(await cardClient(CONTEXT, impl).load()).toEqual(card);
    expect(calls).toEqual([
      {
        url: '/api/canvas/card',
        init: { method: 'GET', headers: { authorization: 'Bearer token-123', accept: 'application/json' } },
      },
    ]);
  });

  it.each([
    ['setOverride', 'PUT', '/api/canvas/card/override'],
    ['clearOverride', 'DELETE', '/api/canvas/card/override'],
  ] as const)('%s → %s %s', async (action, method, url) => {
    const { calls, impl } = fakeFetch([json(200, scoredCard())]);
    const client = cardClient(CONTEXT, impl);
    const request = { band: 'red' as const, reason: 'Champion left', expiresAt: '2027-01-01T00:00:00.000Z' };
    await (action === 'setOverride' ? client.setOverride(request) : client.clearOverride());
    expect(calls[0]?.url).toBe(url);
    expect(calls[0]?.init.method).toBe(method);
    if (action === 'setOverride') expect(JSON.parse(calls[0]?.init.body as string)).toEqual(request);
  });

  it('asks for a rescore and reads a refusal with its wait', async () => {
    const { calls, impl } = fakeFetch([
      json(202, { status: 'queued' }),
      json(429, { error: { code: 'RATE_LIMITED', message: 'Too many rescores' } }, { 'retry-after': '42' }),
    ]);
    const client = cardClient(CONTEXT, impl);
    await client.rescore();
    const refused = await client.rescore().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CardApiError);
    expect(refused).toMatchObject({ status: 429, code: 'RATE_LIMITED', retryAfterSeconds: 42 });
    expect(describeFailure(refused)).toBe('A rescore was requested a moment ago. Try again in 42 s.');
    expect(calls.map((call) => `${call.init.method} ${call.url}`)).toEqual([
      'POST /api/canvas/card/rescore',
      'POST /api/canvas/card/rescore',
    ]);
  });

  it('refuses an answer that is not a card, saying what is missing', async () => {
    const { impl } = fakeFetch([json(200, { account: { id: '1' } })]);
    await expect(cardClient(CONTEXT, impl).load()).rejects.toMatchObject({
      status: 502,
      code: 'INVALID_CARD',
      message: expect.stringContaining('status: Invalid option'),
    });
  });

  it.each([
    [new CardApiError(429, 'RATE_LIMITED', 'x'), 'A rescore was requested a moment ago. Try again shortly.'],
    [new CardApiError(429, 'RATE_LIMITED', 'x', 5), 'A rescore was requested a moment ago. Try again in 5 s.'],
    [
      new CardApiError(401, 'SESSION_EXPIRED', 'x'),
      'Your Salesforce session for this card has ended. Reload the page.',
    ],
    [new CardApiError(404, 'NOT_FOUND', 'Account not found'), 'Account not found'],
    [new TypeError('Failed to fetch'), 'The card service could not be reached. Try again in a moment.'],
  ])('%s reads as %j', (error, text) => {
    expect(describeFailure(error)).toBe(text);
  });

  it('keeps the error body of a failed answer, or says the status when there is none', async () => {
    const { impl } = fakeFetch([
      json(404, { error: { code: 'NOT_FOUND', message: 'Account not found' } }),
      new Response('<html>bad gateway</html>', { status: 502 }),
    ]);
    const client = cardClient(CONTEXT, impl);
    await expect(client.load()).rejects.toMatchObject({ status: 404, code: 'NOT_FOUND', message: 'Account not found' });
    await expect(client.load()).rejects.toMatchObject({
      status: 502,
      code: 'HTTP_ERROR',
      message: 'The card service answered 502.',
    });
  });
});
