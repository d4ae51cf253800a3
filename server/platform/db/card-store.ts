import { sql } from 'drizzle-orm';
import type { CardExplanation, CardRows } from '../../core/health/card-view.ts';
import type { Database } from './database.ts';
import type { Provider } from './installations.ts';
import { accountHealth, accounts, healthOverrides, healthScores, installations, syncState } from './schema.ts';
import type { InstallationKey } from './sync-store.ts';

/**
 * The rows one account card is built from, for one account of one installation, in one statement
 * (the card is read on every record page view): the account with its latest health, its score history
 * since a day, its override on record and the installation's latest finished sync. Every part is
 * scoped by workspace and installation and answered from a primary key or an index prefix. The whole
 * row comes back as one JSON value, so both drivers hand over the same types.
 */

export type CardSource = Omit<CardRows, 'crm'>;

/**
 * Whose account: an installation's key (a Canvas session holds it), or the CRM's own id of an active
 * installation (the portal id a HubSpot card request is signed with), resolved in the same statement
 * so the card costs one round trip.
 */
export type CardScope = { key: InstallationKey } | { provider: Provider; externalId: string };

interface CardJson {
  externalId: string;
  name: string | null;
  segment: string | null;
  arr: number | null;
  renewalDate: string | null;
  scoredAt: string | null;
  modelVersion: number | null;
  status: 'scored' | 'insufficient_data' | null;
  score: number | null;
  band: 'red' | 'yellow' | 'green' | null;
  /** The score run's own StoredExplanation (jobs/score/score-run.ts), of which the card reads a part. */
  explanation: CardExplanation | null;
  history: { day: string; score: number | null }[];
  override: {
    score: number | null;
    band: 'red' | 'yellow' | 'green' | null;
    reason: string;
    author: string;
    setAt: string;
    expiresAt: string;
  } | null;
  lastSyncedAt: string | null;
}

/** The accounts of the scope: the installation join (when named by CRM id) and the where clause. */
function accountsOf(scope: CardScope) {
  if ('key' in scope) {
    return {
      join: sql``,
      where: sql`${accounts.workspaceId} = ${scope.key.workspaceId} and ${accounts.installationId} = ${scope.key.installationId}`,
    };
  }
  return {
    join: sql`join ${installations}
      on ${installations.workspaceId} = ${accounts.workspaceId} and ${installations.id} = ${accounts.installationId}`,
    where: sql`${installations.provider} = ${scope.provider}
      and ${installations.externalId} = ${scope.externalId}
      and ${installations.status} = 'active'`,
  };
}

function statement(cardScope: CardScope, accountExternalId: string, historySince: string) {
  const owner = accountsOf(cardScope);
  const scope = (table: typeof healthScores | typeof healthOverrides | typeof syncState) =>
    sql`${table.workspaceId} = ${accounts.workspaceId} and ${table.installationId} = ${accounts.installationId}`;
  return sql`
    select json_build_object(
      'externalId', ${accounts.externalId},
      'name', ${accounts.name},
      'segment', ${accounts.segment},
      'arr', ${accounts.arr},
      'renewalDate', ${accounts.renewalDate},
      'scoredAt', ${accountHealth.scoredAt},
      'modelVersion', ${accountHealth.modelVersion},
      'status', ${accountHealth.status},
      'score', ${accountHealth.score},
      'band', ${accountHealth.band},
      'explanation', ${accountHealth.explanation},
      'history', coalesce((
        select json_agg(json_build_object('day', ${healthScores.day}, 'score', ${healthScores.score})
                        order by ${healthScores.day})
        from ${healthScores}
        where ${scope(healthScores)} and ${healthScores.accountExternalId} = ${accountExternalId}
          and ${healthScores.day} >= ${historySince}
      ), '[]'::json),
      'override', (
        select json_build_object(
          'score', ${healthOverrides.score}, 'band', ${healthOverrides.band},
          'reason', ${healthOverrides.reason}, 'author', ${healthOverrides.author},
          'setAt', ${healthOverrides.setAt}, 'expiresAt', ${healthOverrides.expiresAt})
        from ${healthOverrides}
        where ${scope(healthOverrides)} and ${healthOverrides.accountExternalId} = ${accountExternalId}
          and ${healthOverrides.clearedAt} is null
        order by ${healthOverrides.setAt} desc, ${healthOverrides.id} desc
        limit 1
      ),
      'lastSyncedAt', (select max(${syncState.lastFinishedAt}) from ${syncState} where ${scope(syncState)})
    ) as card
    from ${accounts}
    ${owner.join}
    left join ${accountHealth}
      on ${accountHealth.workspaceId} = ${accounts.workspaceId}
      and ${accountHealth.installationId} = ${accounts.installationId}
      and ${accountHealth.accountExternalId} = ${accounts.externalId}
    where ${owner.where}
      and ${accounts.externalId} = ${accountExternalId}
      and ${accounts.archived} = false`;
}

const instant = (value: string | null) => (value === null ? null : new Date(value));

export function cardStore(db: Database) {
  return {
    /** Null when the account is unknown to the installation or archived: the card answers 404 alike. */
    async load(scope: CardScope, accountExternalId: string, historySince: string): Promise<CardSource | null> {
      const result: unknown = await db.execute(statement(scope, accountExternalId, historySince));
      const row = (result as { rows: { card: CardJson | string }[] }).rows[0];
      if (!row) return null;
      const card = typeof row.card === 'string' ? (JSON.parse(row.card) as CardJson) : row.card;
      const scoredAt = instant(card.scoredAt);
      return {
        account: {
          externalId: card.externalId,
          name: card.name,
          segment: card.segment,
          arr: card.arr === null ? null : Number(card.arr),
          renewalDate: card.renewalDate,
        },
        health:
          scoredAt === null || card.modelVersion === null || card.status === null || card.explanation === null
            ? null
            : {
                scoredAt,
                modelVersion: card.modelVersion,
                status: card.status,
                score: card.score,
                band: card.band,
                explanation: card.explanation,
              },
        history: card.history,
        override: card.override && {
          ...card.override,
          setAt: new Date(card.override.setAt),
          expiresAt: new Date(card.override.expiresAt),
        },
        lastSyncedAt: instant(card.lastSyncedAt),
      };
    },
  };
}

export type CardStore = ReturnType<typeof cardStore>;
