import {
  warningEventPayload,
  type NotifiedAccount,
  type NotifiedWarning,
  type WarningEvent,
  type WarningLinks,
} from './payload.ts';
import { SIGNATURE_HEADER, signPayload } from './signature.ts';
import { slackPayload } from './slack.ts';

/**
 * The signed POST a channel receives: its body in the channel's format, the signature over exactly
 * those bytes, and headers naming the event so a receiver can route or drop repeats before parsing.
 */

export const EVENT_HEADER = 'Bellwether-Event';
export const EVENT_ID_HEADER = 'Bellwether-Event-Id';

export interface NotificationRequestInput {
  format: 'json' | 'slack';
  event: WarningEvent;
  warning: NotifiedWarning;
  account: NotifiedAccount;
  links: WarningLinks;
  secret: string;
  /** Unix seconds at sending. */
  timestamp: number;
  test?: boolean;
}

export interface NotificationRequest {
  body: string;
  headers: Record<string, string>;
}

export async function notificationRequest(input: NotificationRequestInput): Promise<NotificationRequest> {
  const options = { test: input.test ?? false };
  const content =
    input.format === 'slack'
      ? slackPayload(input.event, input.warning, input.account, input.links, options)
      : warningEventPayload(input.event, input.warning, input.account, input.links, options);
  const body = JSON.stringify(content);
  return {
    body,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'Bellwether-Notifications/1',
      [SIGNATURE_HEADER]: await signPayload(input.secret, input.timestamp, body),
      [EVENT_HEADER]: `warning.${input.event}`,
      [EVENT_ID_HEADER]: `${input.warning.id}.${input.event}`,
    },
  };
}
