import { and, eq, sql } from 'drizzle-orm';
import type { CardExplanation, CardPlan, CardRows } from '../../core/health/card-view.ts';
import type { Database } from './database.ts';
import type { Provider } from './installations.ts';
import { planStore, type PlanWithParts, type StageStayRow } from './plan-store.ts';
import {
  accountHealth,
  accounts,
  healthOverrides,
  healthScores,
  installations,
  qbrBriefs,
  syncState,
  warnings,
  warningTasks,
} from './schema.ts';
import type { InstallationKey } from './sync-store.ts';

/**
 * The rows one account card is built from, for one account of one installation, in one statement
 * (the card is read on every record page view): the account with its latest health, its score history
 * since a day, its override on record and the installation's latest finished sync. Every part is
 * scoped by workspace and installation and answered from a primary key or an index prefix. The whole
 * row comes back as one JSON value, so both drivers hand over the same types. The lifecycle stage and
 * the success plan follow from the plan store, once the installation is known.
 */

/** The rows of a card; the brief's links are signed by the caller. */
export type CardSource = Omit<CardRows, 'crm' | 'brief'> & {
  /** The installation the account was found in (a HubSpot request names only its portal). */
  key: InstallationKey;
  brief: Omit<NonNullable<CardRows['brief']>, 'links'> | null;
};

/**
 * Whose account: an installation's key (a Canvas session holds it), or the CRM's own id of an active
 * installation (the portal id a HubSpot card request is signed with), resolved in the same statement
 * so the card costs one round trip.
 */
export type CardScope = { key: InstallationKey } | { provider: Provider; externalId: string };

interface CardJson {
  workspaceId: string;
  installationId: string;
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
  warnings: {
    id: string;
    severity: 'low' | 'medium' | 'high';
    title: string;
    detail: string | null;
    openedAt: string;
    steps: { subject: string; dueAt: string; done: boolean }[];
  }[];
  brief: { id: string; version: number; qbrDate: string; generatedAt: string } | null;
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
  const scope = (
    table: typeof healthScores | typeof healthOverrides | typeof syncState | typeof warnings | typeof qbrBriefs,
  ) => sql`${table.workspaceId} = ${accounts.workspaceId} and ${table.installationId} = ${accounts.installationId}`;
  return sql`
    select json_build_object(
      'workspaceId', ${accounts.workspaceId},
      'installationId', ${accounts.installationId},
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
      'lastSyncedAt', (select max(${syncState.lastFinishedAt}) from ${syncState} where ${scope(syncState)}),
      'warnings', coalesce((
        select json_agg(json_build_object(
          'id', ${warnings.id}, 'severity', ${warnings.severity}, 'title', ${warnings.title},
          'detail', ${warnings.evidence}->>'text', 'openedAt', ${warnings.openedAt},
          'steps', coalesce((
            select json_agg(json_build_object(
              'subject', ${warningTasks.subject}, 'dueAt', ${warningTasks.dueAt},
              'done', ${warningTasks.state} = 'closed') order by ${warningTasks.step})
            from ${warningTasks}
            where ${warningTasks.workspaceId} = ${warnings.workspaceId}
              and ${warningTasks.installationId} = ${warnings.installationId}
              and ${warningTasks.warningId} = ${warnings.id}
          ), '[]'::json)) order by ${warnings.openedAt})
        from ${warnings}
        where ${scope(warnings)} and ${warnings.accountExternalId} = ${accountExternalId}
          and ${warnings.status} = 'open'
      ), '[]'::json),
      'brief', (
        select json_build_object(
          'id', ${qbrBriefs.id}, 'version', ${qbrBriefs.version}, 'qbrDate', ${qbrBriefs.qbrDate},
          'generatedAt', ${qbrBriefs.generatedAt})
        from ${qbrBriefs}
        where ${scope(qbrBriefs)} and ${qbrBriefs.accountExternalId} = ${accountExternalId}
        order by ${qbrBriefs.generatedAt} desc, ${qbrBriefs.version} desc
        limit 1
      )
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

function stageOf(stay: StageStayRow | undefined): CardRows['stage'] {
  return stay ? { stage: stay.stage, reason: stay.reason, enteredAt: stay.enteredAt } : null;
}

/** A stored plan as the card reads it; the card view parses each objective's stored metric. */
function planOf(plan: PlanWithParts | undefined): CardPlan | null {
  if (!plan) return null;
  return {
    id: plan.id,
    name: plan.name,
    stage: plan.stage,
    objectives: plan.objectives.map((objective) => ({
      key: objective.key,
      title: objective.title,
      metric: objective.metric,
      comparator: objective.comparator,
      target: objective.target,
      dueAt: objective.dueAt,
      status: objective.status,
      value: objective.value,
      progress: objective.progress,
    })),
    milestones: plan.milestones.map((milestone) => ({
      key: milestone.key,
      title: milestone.title,
      dueAt: milestone.dueAt,
      reachedAt: milestone.reachedAt,
    })),
  };
}

export function cardStore(db: Database) {
  const plans = planStore(db);
  return {
    /** The account's renewal date (null when it has none), or null when the account is unknown or archived. */
    async renewalOf(key: InstallationKey, accountExternalId: string): Promise<{ renewalDate: string | null } | null> {
      const [row] = await db
        .select({ renewalDate: accounts.renewalDate })
        .from(accounts)
        .where(
          and(
            eq(accounts.workspaceId, key.workspaceId),
            eq(accounts.installationId, key.installationId),
            eq(accounts.externalId, accountExternalId),
            eq(accounts.archived, false),
          ),
        );
      return row ?? null;
    },

    /** Null when the account is unknown to the installation or archived: the card answers 404 alike. */
    async load(scope: CardScope, accountExternalId: string, historySince: string): Promise<CardSource | null> {
      const result: unknown = await db.execute(statement(scope, accountExternalId, historySince));
      const row = (result as { rows: { card: CardJson | string }[] }).rows[0];
      if (!row) return null;
      const card = typeof row.card === 'string' ? (JSON.parse(row.card) as CardJson) : row.card;
      const scoredAt = instant(card.scoredAt);
      const key = { workspaceId: card.workspaceId, installationId: card.installationId };
      // Active plans come newest first, so the first is the one the card shows.
      const [stays, active] = await Promise.all([
        plans.currentStages(key, [accountExternalId]),
        plans.activePlans(key, [accountExternalId]),
      ]);
      return {
        key,
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
        warnings: card.warnings.map((warning) => ({
          ...warning,
          openedAt: new Date(warning.openedAt),
          steps: warning.steps.map((step) => ({ ...step, dueAt: new Date(step.dueAt) })),
        })),
        brief: card.brief && { ...card.brief, generatedAt: new Date(card.brief.generatedAt) },
        stage: stageOf(stays.get(accountExternalId)),
        plan: planOf(active[0]),
      };
    },
  };
}

export type CardStore = ReturnType<typeof cardStore>;
