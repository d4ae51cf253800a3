import type { RequestHandler } from 'express';
import { z } from 'zod';
import { recordAudit } from '../../platform/db/audit.ts';
import { AppError } from '../../platform/errors.ts';
import { callerOf, type NotificationsContext } from './deps.ts';

const channelId = z.uuid();

/** `DELETE /api/installations/:id/notifications/channels/:channelId`: the channel and its undelivered notifications go. */
export function deleteNotificationChannel(ctx: NotificationsContext): RequestHandler {
  return async (req, res) => {
    const { key, actor } = await callerOf(req, ctx);
    const id = channelId.safeParse(req.params.channelId);
    const channel = id.success ? await ctx.store.deleteChannel(key, id.data) : undefined;
    if (!channel) throw new AppError(404, 'CHANNEL_NOT_FOUND', 'No such notification channel on this installation');
    await recordAudit(ctx.db, {
      ...key,
      actor,
      action: 'notification_channel.deleted',
      details: { channelId: channel.id, format: channel.format },
    });
    res.status(204).end();
  };
}
