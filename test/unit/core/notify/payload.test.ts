import { describe, expect, it } from 'vitest';
import { warningEventPayload, warningEventPayloadSchema } from '../../../../server/core/notify/payload.ts';
import { account, links, OPENED_AT, RESOLVED_AT, resolved, warning } from './fixtures.ts';

describe('warningEventPayload', () => {
  it('describes an opened warning in the versioned schema receivers parse', () => {
    const payload = warningEventPayload('opened', warning, account, links);
    expect(warningEventPayloadSchema.parse(JSON.parse(JSON.stringify(payload)))).toEqual(payload);
    expect(payload).toEqual({
      version: 1,
      id: `${warning.id}.opened`,
      type: 'warning.opened',
      occurredAt: OPENED_AT.toISOString(),
      test: false,
      installation: { id: account.installationId, provider: 'hubspot' },
      account: { id: '987', name: 'Acme <Widgets> & Co' },
      warning: {
        id: warning.id,
        rule: 'usage_drop',
        severity: 'high',
        status: 'open',
        title: warning.title,
        evidence: warning.evidence,
        openedAt: OPENED_AT.toISOString(),
        resolvedAt: null,
        resolution: null,
      },
      nextSteps: [
        { subject: 'Call the champion about usage', dueAt: '2026-12-02T00:00:00.000Z' },
        { subject: 'Offer a training session', dueAt: '2026-12-07T00:00:00.000Z' },
      ],
      links: { account: links.account },
    });
  });

  it('dates a resolution by when it resolved, with an id of its own', () => {
    const payload = warningEventPayload('resolved', resolved, account, { account: null });
    expect(payload).toMatchObject({
      id: `${warning.id}.resolved`,
      type: 'warning.resolved',
      occurredAt: RESOLVED_AT.toISOString(),
      warning: { status: 'resolved', resolvedAt: RESOLVED_AT.toISOString(), resolution: resolved.resolution },
      links: { account: null },
    });
  });

  it('gives every retry of one event the same body, and marks test sends', () => {
    expect(JSON.stringify(warningEventPayload('opened', warning, account, links))).toBe(
      JSON.stringify(warningEventPayload('opened', warning, account, links)),
    );
    expect(warningEventPayload('opened', warning, account, links, { test: true }).test).toBe(true);
  });
});
