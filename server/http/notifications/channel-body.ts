import type { ChannelBody } from '../../contracts/notifications.ts';
import type { Channel } from '../../platform/db/notification-store.ts';

/**
 * The address as lists show it: origin and the last four characters, since the path of a Slack
 * incoming webhook is itself a credential.
 */
export function urlHint(raw: string): string {
  try {
    const url = new URL(raw);
    const rest = `${url.pathname}${url.search}`;
    return rest.length <= 1 ? url.origin : `${url.origin}/…${rest.slice(-4)}`;
  } catch {
    return '…';
  }
}

export function channelBody(channel: Channel): ChannelBody {
  return {
    id: channel.id,
    format: channel.format,
    urlHint: urlHint(channel.url),
    minSeverity: channel.minSeverity,
    enabled: channel.enabled,
    createdAt: channel.createdAt.toISOString(),
    createdBy: channel.createdBy,
  };
}
