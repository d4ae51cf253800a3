import { describe, expect, it } from 'vitest';
import { hubspotValue } from '../../../server/crm/hubspot/write-values.ts';
import { loadManifest, type ManifestField } from '../../../server/platform/manifest.ts';

const fields = new Map(loadManifest('manifest.json').fields.map((field) => [field.key, field]));
const field = (key: string) => fields.get(key) as ManifestField;

describe('write-back values in HubSpot formats', () => {
  it('writes numbers in plain decimal, never with an exponent', () => {
    expect(hubspotValue(field('health_score'), 87)).toEqual({ ok: true, text: '87' });
    expect(hubspotValue(field('renewal_probability'), 0.0000001)).toEqual({ ok: true, text: '0' });
    expect(hubspotValue(field('revenue_at_risk'), 1234.5)).toEqual({ ok: true, text: '1234.5' });
    expect(hubspotValue(field('revenue_at_risk'), '99.25')).toEqual({ ok: true, text: '99.25' });
    expect(hubspotValue(field('health_score'), Number.NaN).ok).toBe(false);
    expect(hubspotValue(field('health_score'), ' ').ok).toBe(false);
  });

  it('writes enumerations as option values and refuses others', () => {
    expect(hubspotValue(field('health_band'), 'green')).toEqual({ ok: true, text: 'green' });
    expect(hubspotValue(field('health_band'), 'Green')).toMatchObject({ ok: false });
  });

  it('writes datetimes as epoch milliseconds, from a number or ISO text', () => {
    const ms = Date.parse('2026-07-01T08:30:00Z');
    expect(hubspotValue(field('last_scored_at'), ms)).toEqual({ ok: true, text: String(ms) });
    expect(hubspotValue(field('last_scored_at'), '2026-07-01T08:30:00Z')).toEqual({ ok: true, text: String(ms) });
    expect(hubspotValue(field('last_scored_at'), 'yesterday').ok).toBe(false);
  });

  it('clears with an empty string and keeps text within its length', () => {
    expect(hubspotValue(field('health_drivers'), null)).toEqual({ ok: true, text: '' });
    expect(hubspotValue(field('health_drivers'), 'Usage down')).toEqual({ ok: true, text: 'Usage down' });
    expect(hubspotValue(field('health_drivers'), 'x'.repeat(1001)).ok).toBe(false);
  });
});
