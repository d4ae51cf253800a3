import type { RequestHandler } from 'express';
import { createChannelRequestSchema, type CreatedChannel } from '../../contracts/notifications.ts';
import { checkDestination } from '../../core/notify/destination.ts';
import { recordAudit } from '../../platform/db/audit.ts';
import { AppError } from '../../platform/errors.ts';
import { requireJson } from '../health/deps.ts';
import { channelBody } from './channel-body.ts';
import { callerOf, type NotificationsContext } from './deps.ts';

/**
 * `POST /api/installations/:id/notifications/channels`: a new channel; the answer is the only time its
 * signing secret is shown. The address must be HTTPS to a public host (422 otherwise).
 */
export function postNotificationChannels(ctx: NotificationsContext): RequestHandler {
  return async (req, res) => {
    requireJson(req);
    const { key, actor } = await callerOf(req, ctx);
    const request = createChannelRequestSchema.parse(req.body ?? {});
    const destination = checkDestination(request.url, { allowLoopbackHttp: ctx.allowLoopbackHttp });
    if (!destination.ok) throw new AppError(422, 'DESTINATION_REFUSED', destination.message);
    const { channel, secret } = await ctx.store.createChannel(key, request, actor, new Date(ctx.now()));
    await recordAudit(ctx.db, {
      ...key,
      actor,
      action: 'notification_channel.created',
      details: {
        channelId: channel.id,
        format: channel.format,
        host: destination.url.host,
        minSeverity: channel.minSeverity,
      },
    });
    const body: CreatedChannel = { ...channelBody(channel), secret };
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json(body);
  };
}
