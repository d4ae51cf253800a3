import { Router } from 'express';
import { installContext, type InstallDeps } from '../install/deps.ts';
import { deleteNotificationChannel } from './deleteNotificationChannel.ts';
import { notificationsContext, type NotificationsDeps } from './deps.ts';
import { getInstallationDigest } from './getInstallationDigest.ts';
import { getNotificationChannels } from './getNotificationChannels.ts';
import { postNotificationChannels } from './postNotificationChannels.ts';
import { postNotificationChannelTest } from './postNotificationChannelTest.ts';

/**
 * Notification channels and the CSM digest, under the installation the caller may see. Access is the
 * install flow's (workspace session or admin token), so mount this after the JSON body parser and the
 * admin recogniser, and only where the install routes exist.
 */
export function notificationsRouter(deps: NotificationsDeps, install: InstallDeps): Router {
  const ctx = notificationsContext(deps, installContext(install));
  const router = Router();
  const channels = '/api/installations/:id/notifications/channels';
  router.get(channels, getNotificationChannels(ctx));
  router.post(channels, postNotificationChannels(ctx));
  router.delete(`${channels}/:channelId`, deleteNotificationChannel(ctx));
  router.post(`${channels}/:channelId/test`, postNotificationChannelTest(ctx));
  router.get('/api/installations/:id/digest', getInstallationDigest(ctx));
  return router;
}
