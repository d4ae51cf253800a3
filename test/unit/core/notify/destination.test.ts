import { describe, expect, it } from 'vitest';
import { checkDestination } from '../../../../server/core/notify/destination.ts';

const production = { allowLoopbackHttp: false };
const development = { allowLoopbackHttp: true };

describe('checkDestination', () => {
  it.each([
    ['https://hooks.slack.com/services/T0/B0/abc', production],
    ['https://example.com:8443/hooks?x=1', production],
    ['https://[2001:db8::1]/hook', production],
    ['http://127.0.0.1:4000/hook', development],
    ['http://localhost:4000/hook', development],
    ['https://localhost/hook', development],
  ])('allows %s', (url, options) => {
    expect(checkDestination(url, options)).toMatchObject({ ok: true });
  });

  it.each([
    ['http://example.com/hook', production, /must use https \(got http\)/],
    ['ftp://example.com/hook', production, /must use https/],
    ['http://127.0.0.1:4000/hook', production, /must use https/],
    ['http://localhost/hook', production, /must use https/],
    ['https://127.0.0.1/hook', production, /private or local address \(127\.0\.0\.1\)/],
    ['https://localhost/hook', production, /private or local/],
    ['https://api.localhost/hook', production, /private or local/],
    ['https://10.1.2.3/hook', production, /private or local/],
    ['https://172.16.0.1/hook', production, /private or local/],
    ['https://192.168.1.1/hook', production, /private or local/],
    ['https://169.254.169.254/latest/meta-data', production, /private or local/],
    ['https://100.64.0.1/hook', production, /private or local/],
    ['https://0.0.0.0/hook', production, /private or local/],
    ['https://[::1]/hook', production, /private or local/],
    ['https://[fd00::1]/hook', production, /private or local/],
    ['https://[fe80::1]/hook', production, /private or local/],
    ['https://[::ffff:127.0.0.1]/hook', production, /private or local/],
    // Odd spellings of loopback that the URL parser turns into 127.0.0.1.
    ['https://2130706433/hook', production, /private or local/],
    ['https://0x7f.1/hook', production, /private or local/],
    // Development opens loopback only, not the private network.
    ['http://10.0.0.5/hook', development, /must use https/],
    ['https://192.168.1.1/hook', development, /private or local/],
    ['https://user:pw@example.com/hook', production, /user name or password/],
    ['not a url', production, /not a valid absolute URL/],
  ])('refuses %s', (url, options, message) => {
    const result = checkDestination(url, options);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });
});
