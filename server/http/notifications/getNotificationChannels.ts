import type { RequestHandler } from 'express';
import type { ChannelList } from '../../contracts/notifications.ts';
import { channelBody } from './channel-body.ts';
import { callerOf, type NotificationsContext } from './deps.ts';

/** `GET /api/installations/:id/notifications/channels`: the installation's channels, oldest first, secrets never shown. */
export function getNotificationChannels(ctx: NotificationsContext): RequestHandler {
  return async (req, res) => {
    const { key } = await callerOf(req, ctx);
    const body: ChannelList = { channels: (await ctx.store.listChannels(key)).map(channelBody) };
    res.setHeader('Cache-Control', 'no-store');
    res.json(body);
  };
}
