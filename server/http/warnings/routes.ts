import { Router, type Request } from 'express';
import { z } from 'zod';
import { evidenceSchema } from '../../core/warnings/finding.ts';
import { validateWarningRules } from '../../core/warnings/rules-config.ts';
import { recordAudit } from '../../platform/db/audit.ts';
import type { Database } from '../../platform/db/database.ts';
import { warningStore } from '../../platform/db/warning-store.ts';
import { viewerActor } from '../ingest/keys.ts';
import { installationFor } from '../install/access.ts';
import { installContext, type InstallDeps } from '../install/deps.ts';

/**
 * Early warnings for people signed in to the workspace: an account's warnings with their tasks, and the
 * installation's rule set (shipped defaults until an admin saves one; a save that does not validate
 * answers 422 naming each problem by its JSON path, and nothing is stored).
 */

export interface WarningsDeps {
  db: Database;
}

export function warningsRouter(deps: WarningsDeps, install: InstallDeps): Router {
  const router = Router();
  const ctx = installContext(install);
  const store = warningStore(deps.db);
  const caller = async (req: Request) => {
    const { installation, viewer } = await installationFor(req, ctx, req.params.id);
    return {
      key: { workspaceId: installation.workspaceId, installationId: installation.id },
      actor: viewerActor(viewer),
    };
  };

  router.get('/api/installations/:id/accounts/:accountId/warnings', async (req, res) => {
    const { key } = await caller(req);
    const accountId = z.string().min(1).max(255).parse(req.params.accountId);
    const rows = await store.ofAccount(key, accountId);
    const tasks = await store.tasksOf(
      key,
      rows.map((row) => row.id),
    );
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      warnings: rows.map((row) => {
        const evidence = evidenceSchema.safeParse(row.evidence);
        return {
          id: row.id,
          rule: row.rule,
          severity: row.severity,
          status: row.status,
          title: row.title,
          detail: evidence.success ? evidence.data.text : null,
          evidence: evidence.success ? evidence.data : null,
          openedAt: row.openedAt.toISOString(),
          lastSeenAt: row.lastSeenAt.toISOString(),
          resolvedAt: row.resolvedAt?.toISOString() ?? null,
          resolution: row.resolution,
          tasks: tasks
            .filter((task) => task.warningId === row.id)
            .map((task) => ({
              step: task.step,
              subject: task.subject,
              dueAt: task.dueAt.toISOString(),
              assignee: task.assigneeExternalId,
              state: task.state,
              crmTaskId: task.crmTaskId,
              error: task.lastError,
            })),
        };
      }),
    });
  });

  router.get('/api/installations/:id/warning-rules', async (req, res) => {
    const { key } = await caller(req);
    const saved = await store.rules(key);
    const checked = validateWarningRules(saved?.rules ?? {});
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      version: saved?.version ?? 0,
      source: saved ? 'saved' : 'defaults',
      rules: checked.ok ? checked.rules : null,
      problems: checked.ok ? [] : checked.problems,
    });
  });

  router.put('/api/installations/:id/warning-rules', async (req, res) => {
    const { key, actor } = await caller(req);
    const checked = validateWarningRules(req.body ?? {});
    if (!checked.ok) {
      // Every problem with its JSON path, in the error body's `issues`; nothing is stored.
      res.status(422).json({
        error: {
          code: 'INVALID_WARNING_RULES',
          message: 'The warning rules are not valid',
          issues: checked.problems.map((problem) => ({ path: problem.path, message: problem.message })),
        },
      });
      return;
    }
    const at = new Date(ctx.now());
    const version = await store.saveRules(key, checked.rules, actor, at);
    await recordAudit(deps.db, { ...key, actor, action: 'warning_rules.saved', details: { version } });
    res.json({ version, source: 'saved', rules: checked.rules, problems: [] });
  });
  return router;
}
