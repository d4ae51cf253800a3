import { describe, expect, it } from 'vitest';
import { warningEventPayloadSchema } from '../../../../server/core/notify/payload.ts';
import { notificationRequest } from '../../../../server/core/notify/request.ts';
import { verifySignature } from '../../../../server/core/notify/signature.ts';
import { account, links, warning } from './fixtures.ts';

describe('notificationRequest', () => {
  it.each(['json', 'slack'] as const)('signs exactly the %s body it sends and names the event', async (format) => {
    const request = await notificationRequest({
      format,
      event: 'opened',
      warning,
      account,
      links,
      secret: 's',
      timestamp: 1000,
    });
    expect(request.headers).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      'Bellwether-Event': 'warning.opened',
      'Bellwether-Event-Id': `${warning.id}.opened`,
    });
    const check = await verifySignature({
      secret: 's',
      header: request.headers['Bellwether-Signature'],
      body: request.body,
      now: 1000,
    });
    expect(check.ok).toBe(true);
    const body = JSON.parse(request.body) as Record<string, unknown>;
    if (format === 'json') expect(warningEventPayloadSchema.safeParse(body).success).toBe(true);
    else expect(Object.keys(body).sort()).toEqual(['blocks', 'text']);
  });
});
