import type { Request, Response } from 'express';
import { z } from 'zod';
import { CrmError } from '../../crm/errors.ts';
import { takeFlow, type InstallProvider, type OAuthFlow } from './cookies.ts';
import type { InstallContext } from './deps.ts';
import { problemPage } from './pages.ts';

/** The checks every OAuth callback makes before it spends the code. */

const callbackQuery = z.object({
  code: z.string().min(1).max(2048).optional(),
  state: z.string().max(512).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(1000).optional(),
});

const CRM = { hubspot: 'HubSpot', salesforce: 'Salesforce' } as const;

const STATE_PROBLEMS = {
  missing:
    'This browser did not start this connection, or its cookies were blocked, so the answer from the CRM cannot be trusted. Start the connection again from this browser.',
  expired: 'The connection was started more than ten minutes ago and has expired. Start it again.',
  mismatch:
    'The answer from the CRM does not belong to the connection this browser started (the state does not match). Start the connection again.',
} as const;

/** Where to start again: the same flow (install or sign-in) with the same CRM. */
export function startHref(provider: InstallProvider, flow?: OAuthFlow): string {
  const base = flow?.purpose === 'signin' ? '/signin' : '/install';
  if (provider === 'hubspot') return `${base}/hubspot`;
  return `${base}/salesforce?domain=${flow?.loginDomain ?? 'production'}`;
}

function problem(res: Response, status: number, title: string, message: string, retry: string): undefined {
  res
    .status(status)
    .type('html')
    .send(problemPage(title, message, retry));
  return undefined;
}

/** The verified flow and the code, or undefined once a page has said what went wrong. */
export function verifyCallback(
  ctx: InstallContext,
  req: Request,
  res: Response,
  provider: InstallProvider,
): { flow: OAuthFlow; code: string } | undefined {
  res.setHeader('Cache-Control', 'no-store');
  const query = callbackQuery.safeParse(req.query);
  if (!query.success) {
    const where = query.error.issues.map((issue) => issue.path.join('.')).join(', ');
    return problem(
      res,
      400,
      'Invalid answer from the CRM',
      `The callback's ${where} is malformed.`,
      startHref(provider),
    );
  }
  const check = takeFlow(req, res, ctx.cookies, provider, query.data.state);
  if (!check.ok) {
    req.log.warn({ provider, reason: check.reason }, 'OAuth callback refused: state check failed');
    return problem(res, 400, 'This connection cannot be completed', STATE_PROBLEMS[check.reason], startHref(provider));
  }
  if (query.data.error) {
    const declined = query.data.error === 'access_denied';
    return problem(
      res,
      400,
      declined ? 'Access was not granted' : `${CRM[provider]} reported an error`,
      declined
        ? `${CRM[provider]} says access was declined, so nothing was connected.`
        : `${CRM[provider]} answered ${query.data.error}${query.data.error_description ? `: ${query.data.error_description}` : ''}.`,
      startHref(provider, check.flow),
    );
  }
  if (!query.data.code) {
    return problem(
      res,
      400,
      'Invalid answer from the CRM',
      'The callback carries no authorization code.',
      startHref(provider, check.flow),
    );
  }
  return { flow: check.flow, code: query.data.code };
}

/** A failed exchange as a page: a refused code is the person's to retry; an outage is ours to report. */
export function exchangeFailed(
  req: Request,
  res: Response,
  provider: InstallProvider,
  flow: OAuthFlow,
  error: unknown,
): void {
  req.log.warn({ err: error, provider }, 'OAuth code exchange failed');
  const refused = error instanceof CrmError && error.code === 'VALIDATION';
  problem(
    res,
    refused ? 400 : 502,
    refused ? `${CRM[provider]} refused the connection` : `${CRM[provider]} could not be reached`,
    refused
      ? `${error.message}. Codes are single-use and short-lived; start the connection again.`
      : `Exchanging the authorization code failed (${error instanceof CrmError ? error.code : 'unexpected error'}). Try again in a moment.`,
    startHref(provider, flow),
  );
}
