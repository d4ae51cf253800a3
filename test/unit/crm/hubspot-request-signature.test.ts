import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeUriForSignature,
  signV3,
  verifyHubspotRequest,
  type SignedRequest,
} from '../../../server/crm/hubspot/request-signature.ts';

const SECRET = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy';
const URL_ = 'https://www.example.com/webhook_uri';
const BODY = '{"example_field":"example_value"}';
const NOW = 1_700_000_000_000;

const v3Request = (overrides: Partial<SignedRequest> = {}, timestamp = NOW): SignedRequest => ({
  method: 'POST',
  url: URL_,
  rawBody: BODY,
  headers: {
    'x-hubspot-signature-v3': signV3(SECRET, 'POST', URL_, BODY, String(timestamp)),
    'x-hubspot-request-timestamp': String(timestamp),
  },
  ...overrides,
});

describe('HubSpot request signatures', () => {
  it('matches the published test vectors', () => {
    expect(signV3(SECRET, 'POST', URL_, BODY, '1700000000000')).toBe('rQEKkaNUiu+1qGF//O/pw4BCzstSqO1PyUnGICmf+7o=');
    const v1Body =
      '[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}]';
    expect(
      verifyHubspotRequest(
        {
          method: 'POST',
          url: URL_,
          rawBody: v1Body,
          headers: { 'x-hubspot-signature': '232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de' },
        },
        SECRET,
        NOW,
      ),
    ).toMatchObject({ ok: true, version: 'v1' });
    expect(
      verifyHubspotRequest(
        {
          method: 'GET',
          url: URL_,
          rawBody: '',
          headers: {
            'x-hubspot-signature': 'eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e',
            'x-hubspot-signature-version': 'v2',
          },
        },
        SECRET,
        NOW,
      ),
    ).toMatchObject({ ok: true, version: 'v2' });
  });

  it.each<[string, SignedRequest, number, string]>([
    ['a valid v3 request', v3Request(), NOW + 1_000, 'ok'],
    ['a request 5 minutes old', v3Request(), NOW + 300_000, 'ok'],
    ['a request over 5 minutes old', v3Request(), NOW + 300_001, 'stale'],
    ['a timestamp from the future', v3Request(), NOW - 300_001, 'stale'],
    ['a changed body', v3Request({ rawBody: `${BODY} ` }), NOW, 'mismatch'],
    ['a changed query string', v3Request({ url: `${URL_}?portalId=2` }), NOW, 'mismatch'],
    ['another method', v3Request({ method: 'PUT' }), NOW, 'mismatch'],
    ['no timestamp', { ...v3Request(), headers: { 'x-hubspot-signature-v3': 'abc' } }, NOW, 'missing'],
    ['no signature at all', { method: 'POST', url: URL_, rawBody: BODY, headers: {} }, NOW, 'missing'],
    [
      'an unknown version',
      {
        method: 'POST',
        url: URL_,
        rawBody: BODY,
        headers: { 'x-hubspot-signature': 'x', 'x-hubspot-signature-version': 'v9' },
      },
      NOW,
      'unsupported',
    ],
  ])('judges %s', (_name, request, now, expected) => {
    const verdict = verifyHubspotRequest(request, SECRET, now);
    expect(verdict.ok ? 'ok' : verdict.reason).toBe(expected);
  });

  it('rejects a signature made with another client secret', () => {
    expect(verifyHubspotRequest(v3Request(), 'another-secret', NOW)).toMatchObject({ ok: false, reason: 'mismatch' });
  });

  it('decodes the characters HubSpot decodes in the URI before hashing, and no others', () => {
    expect(decodeUriForSignature('https://a.example/x%3Fy%2Cz?q=%40me%20you')).toBe(
      'https://a.example/x?y,z?q=@me%20you',
    );
    const encoded = 'https://a.example/cards?portalId=1%2C2';
    const signed = signV3(SECRET, 'GET', 'https://a.example/cards?portalId=1,2', '', String(NOW));
    expect(
      verifyHubspotRequest(
        {
          method: 'GET',
          url: encoded,
          rawBody: '',
          headers: { 'x-hubspot-signature-v3': signed, 'x-hubspot-request-timestamp': String(NOW) },
        },
        SECRET,
        NOW,
      ),
    ).toMatchObject({ ok: true });
  });

  it('never throws and never accepts unsigned garbage, whatever the headers and body', () => {
    const headerValue = fc.option(fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 2 })), { nil: undefined });
    fc.assert(
      fc.property(
        fc.record({
          method: fc.constantFrom('GET', 'POST', 'PATCH', 'x'),
          url: fc.webUrl({ withQueryParameters: true }),
          rawBody: fc.string(),
          v3: headerValue,
          stamp: fc.option(fc.oneof(fc.string(), fc.integer().map(String)), { nil: undefined }),
          legacy: headerValue,
          version: headerValue,
        }),
        (input) => {
          const verdict = verifyHubspotRequest(
            {
              method: input.method,
              url: input.url,
              rawBody: input.rawBody,
              headers: {
                'x-hubspot-signature-v3': input.v3,
                'x-hubspot-request-timestamp': input.stamp,
                'x-hubspot-signature': input.legacy,
                'x-hubspot-signature-version': input.version,
              },
            },
            SECRET,
            NOW,
          );
          expect(verdict.ok).toBe(false);
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
