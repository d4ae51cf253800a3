import type { Express } from 'express';
import type { InstallContext } from '../install/deps.ts';
import { getMe } from './getMe.ts';
import { getSignin } from './getSignin.ts';
import { getSigninHubspot } from './getSigninHubspot.ts';
import { getSigninSalesforce } from './getSigninSalesforce.ts';
import { postSignout } from './postSignout.ts';

/**
 * Sign-in through the CRM the user already works in: the install's OAuth flow with a sign-in purpose,
 * finished by the install's own callbacks, and who is signed in for the web app.
 */
export function mountSignin(app: Express, ctx: InstallContext): void {
  app.get('/signin', getSignin(ctx));
  app.get('/signin/hubspot', getSigninHubspot(ctx));
  app.get('/signin/salesforce', getSigninSalesforce(ctx));
  app.post('/signout', postSignout(ctx));
  app.get('/api/me', getMe(ctx));
}
