import type { RequestHandler } from 'express';
import { z } from 'zod';
import type { TestSendResult } from '../../contracts/notifications.ts';
import { checkDestination } from '../../core/notify/destination.ts';
import { outcomeOfStatus } from '../../core/notify/outcome.ts';
import { notificationRequest } from '../../core/notify/request.ts';
import { sampleWarning } from '../../core/notify/sample.ts';
import { AppError } from '../../platform/errors.ts';
import { callerOf, type NotificationsContext } from './deps.ts';

const channelId = z.uuid();

/**
 * `POST /api/installations/:id/notifications/channels/:channelId/test`: posts a signed sample (marked
 * as a test) to the channel now and answers what the receiver said, so an admin can check the address
 * and their signature check before a real warning depends on them. Nothing is recorded as delivered.
 */
export function postNotificationChannelTest(ctx: NotificationsContext): RequestHandler {
  return async (req, res) => {
    const { installation, key } = await callerOf(req, ctx);
    const id = channelId.safeParse(req.params.channelId);
    const channel = id.success ? await ctx.store.getChannel(key, id.data) : undefined;
    if (!channel) throw new AppError(404, 'CHANNEL_NOT_FOUND', 'No such notification channel on this installation');
    res.setHeader('Cache-Control', 'no-store');
    const answer = (body: TestSendResult) => res.json(body);

    const destination = checkDestination(channel.url, { allowLoopbackHttp: ctx.allowLoopbackHttp });
    if (!destination.ok) return answer({ delivered: false, status: null, message: destination.message });
    const secret = await ctx.store.channelSecret(key, channel.id);
    if (secret === null) {
      throw new AppError(
        409,
        'SECRET_UNREADABLE',
        'The channel’s signing secret cannot be opened; create the channel again',
      );
    }
    const now = ctx.now();
    const { warning, account } = sampleWarning(new Date(now), {
      installationId: installation.id,
      provider: installation.provider,
    });
    const request = await notificationRequest({
      format: channel.format,
      event: 'opened',
      warning,
      account,
      links: { account: null },
      secret,
      timestamp: Math.floor(now / 1000),
      test: true,
    });
    try {
      const response = await ctx.fetch(destination.url, {
        method: 'POST',
        headers: request.headers,
        body: request.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(ctx.timeoutMs),
      });
      await response.body?.cancel().catch(() => undefined);
      const delivered = outcomeOfStatus(response.status) === 'delivered';
      return answer({
        delivered,
        status: response.status,
        message: delivered ? 'The receiver accepted the test notification' : `The receiver answered ${response.status}`,
      });
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      return answer({
        delivered: false,
        status: null,
        message: timedOut ? `No answer within ${ctx.timeoutMs / 1000} s` : 'Could not reach the receiver',
      });
    }
  };
}
