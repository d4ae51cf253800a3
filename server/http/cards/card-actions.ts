import { enqueueQbrBrief, enqueueScore, type EnqueuedRun, type Queues } from '../../../jobs/queues.ts';
import { briefQbrDate } from '../../core/qbr/cadence.ts';
import { setCardOverrideSchema, type AccountCard } from '../../contracts/cards.ts';
import { OVERRIDE_MAX_DAYS } from '../../contracts/health.ts';
import { buildCardView, HISTORY_DAYS, type CardRows } from '../../core/health/card-view.ts';
import { overrideSchema } from '../../core/health/override.ts';
import { DAY_MS } from '../../core/health/signals.ts';
import { recordAudit } from '../../platform/db/audit.ts';
import { cardStore, type CardScope, type CardSource } from '../../platform/db/card-store.ts';
import type { Sealer } from '../../platform/crypto.ts';
import { briefLinks } from '../qbr/brief-links.ts';
import type { Database } from '../../platform/db/database.ts';
import { accountNotFound, overrideStore } from '../../platform/db/override-store.ts';
import type { InstallationKey } from '../../platform/db/sync-store.ts';
import { AppError } from '../../platform/errors.ts';
import { createRateLimiter, type RateLimitRule } from '../../platform/rate-limit.ts';

/**
 * What both cards do, whichever CRM frames them: read the view model of one account of one
 * installation, set or clear its override, and ask for a rescore. The caller has already proved who
 * it is (HubSpot signature or Canvas session); everything here is scoped by that installation.
 */

export interface CardTarget {
  crm: 'hubspot' | 'salesforce';
  key: InstallationKey;
  accountId: string;
  /** Who acts, for the override's author and the audit trail, e.g. "hubspot:user:123". */
  actor: string;
}

/** One QBR brief per account a minute from cards (a brief reads a quarter of data). */
export const BRIEF_RULE = (accountId: string): RateLimitRule => ({
  name: `card-qbr:${accountId}`,
  limit: 1,
  windowMs: 60_000,
});

/** One rescore per account a minute, and 30 a minute per installation, from cards. */
export const RESCORE_RULES = {
  account: (accountId: string): RateLimitRule => ({ name: `card-rescore:${accountId}`, limit: 1, windowMs: 60_000 }),
  installation: { name: 'card-rescore', limit: 30, windowMs: 60_000 } satisfies RateLimitRule,
};

/** The card's rows with signed links to the latest brief. */
export function withBriefLinks(
  rows: CardSource,
  links: { sealer: Sealer; publicUrl: string; key: InstallationKey },
  now: number,
): Omit<CardRows, 'crm'> {
  const { key: _key, ...card } = rows;
  return {
    ...card,
    brief: rows.brief && {
      ...rows.brief,
      links: briefLinks(links.sealer, links.publicUrl, links.key, rows.brief.id, now),
    },
  };
}

export function cardActions(
  db: Database,
  queues: Queues,
  now: () => number,
  links: { sealer: Sealer; publicUrl: string },
) {
  const cards = cardStore(db);
  const overrides = overrideStore(db);
  const limiter = createRateLimiter(queues.redis);

  /** The card of one account; the scope is the installation's key or the CRM's id of it. */
  async function viewIn(crm: CardTarget['crm'], scope: CardScope, accountId: string): Promise<AccountCard> {
    const at = now();
    const since = new Date(at - (HISTORY_DAYS - 1) * DAY_MS).toISOString().slice(0, 10);
    const rows = await cards.load(scope, accountId, since);
    if (!rows) throw accountNotFound();
    return buildCardView({ ...withBriefLinks(rows, { ...links, key: rows.key }, at), crm }, at);
  }
  const view = (target: CardTarget) => viewIn(target.crm, { key: target.key }, target.accountId);

  async function rescore(target: CardTarget): Promise<EnqueuedRun> {
    const { key, accountId } = target;
    return enqueueScore(queues, { ...key, full: false, reason: 'card', accounts: [accountId] });
  }

  return {
    view,
    viewIn,

    async setOverride(target: CardTarget, body: unknown): Promise<AccountCard> {
      const at = now();
      const request = setCardOverrideSchema
        .superRefine((value, ctx) => {
          const expires = Date.parse(value.expiresAt);
          if (expires <= at) ctx.addIssue({ code: 'custom', path: ['expiresAt'], message: 'must be in the future' });
          else if (expires > at + OVERRIDE_MAX_DAYS * DAY_MS) {
            ctx.addIssue({
              code: 'custom',
              path: ['expiresAt'],
              message: `must be at most ${OVERRIDE_MAX_DAYS} days ahead`,
            });
          }
        })
        .parse(body ?? {});
      // The domain's rules decide what an override is (a score or a band, not both).
      const override = overrideSchema.parse({ ...request, author: target.actor, setAt: new Date(at).toISOString() });
      const stored = await overrides.set(target.key, {
        accountExternalId: target.accountId,
        score: override.score ?? null,
        band: override.band ?? null,
        reason: override.reason,
        author: override.author,
        setAt: new Date(override.setAt),
        expiresAt: new Date(override.expiresAt),
      });
      await recordAudit(db, {
        ...target.key,
        actor: target.actor,
        action: 'health_override.set',
        details: {
          accountId: target.accountId,
          overrideId: stored.id,
          score: stored.score,
          band: stored.band,
          reason: stored.reason,
          expiresAt: stored.expiresAt.toISOString(),
          source: `${target.crm} card`,
        },
      });
      // Rescored so the values written to the CRM follow the override.
      await rescore(target);
      return view(target);
    },

    async clearOverride(target: CardTarget): Promise<AccountCard> {
      if (!(await overrides.hasAccount(target.key, target.accountId))) throw accountNotFound();
      const cleared = await overrides.clear(target.key, target.accountId, target.actor, new Date(now()));
      if (!cleared) throw new AppError(404, 'OVERRIDE_NOT_FOUND', 'This account has no override to clear');
      await recordAudit(db, {
        ...target.key,
        actor: target.actor,
        action: 'health_override.cleared',
        details: { accountId: target.accountId, overrideId: cleared.id, source: `${target.crm} card` },
      });
      await rescore(target);
      return view(target);
    },

    /** Queues a QBR brief of the account for its next QBR (today's without a renewal date); 429 when asked twice a minute. */
    async requestBrief(target: CardTarget): Promise<{ jobId: string; qbrDate: string }> {
      const account = await cards.renewalOf(target.key, target.accountId);
      if (!account) throw accountNotFound();
      const admission = await limiter.acquire(target.key.installationId, BRIEF_RULE(target.accountId));
      if (!admission.allowed) {
        throw new AppError(429, 'BRIEF_RATE_LIMITED', 'A brief of this account was asked for a moment ago', {
          retryAfterMs: admission.retryAfterMs,
        });
      }
      const qbrDate = briefQbrDate(account.renewalDate, now());
      const { jobId } = await enqueueQbrBrief(queues, {
        ...target.key,
        accountExternalId: target.accountId,
        qbrDate,
        trigger: 'card',
        requestedBy: target.actor,
      });
      return { jobId, qbrDate };
    },

    /** Queues a rescore of the account; 429 with the wait in `retryAfterMs` when over either limit. */
    async requestRescore(target: CardTarget): Promise<EnqueuedRun> {
      if (!(await overrides.hasAccount(target.key, target.accountId))) throw accountNotFound();
      const scope = target.key.installationId;
      for (const rule of [RESCORE_RULES.account(target.accountId), RESCORE_RULES.installation]) {
        const admission = await limiter.acquire(scope, rule);
        if (!admission.allowed) {
          throw new AppError(
            429,
            'RESCORE_RATE_LIMITED',
            rule.limit === 1
              ? 'This account was rescored less than a minute ago; try again shortly'
              : `At most ${rule.limit} rescores a minute per installation; try again shortly`,
            { retryAfterMs: admission.retryAfterMs },
          );
        }
      }
      return rescore(target);
    },
  };
}

export type CardActions = ReturnType<typeof cardActions>;
