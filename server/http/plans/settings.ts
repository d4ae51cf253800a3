import { DEFAULT_PLAN_TEMPLATES } from '../../core/plans/default-templates.ts';
import { validateTemplates, type PlanTemplate } from '../../core/plans/plan-model.ts';
import { DEFAULT_STAGE_RULES, validateStageRules, type StageRules } from '../../core/plans/stages.ts';
import type { PlanStore } from '../../platform/db/plan-store.ts';
import type { InstallationKey } from '../../platform/db/sync-store.ts';
import type { PlanSettingsBody } from '../../contracts/plans.ts';

/**
 * An installation's stage rules and plan templates in force: what its admin saved, or the shipped
 * defaults for a part never saved (or reset with null). A saved part that no longer validates (a
 * signal renamed in a later release, say) is not used; the answer lists its problems.
 */

export interface Problem {
  path: string;
  message: string;
}

/** A problem's JSONPath inside one part, as a path from the top of the settings body. */
export const underPart = (part: 'stageRules' | 'templates', problems: readonly Problem[]): Problem[] =>
  problems.map((problem) => ({ path: problem.path.replace(/^\$/, `$.${part}`), message: problem.message }));

export interface PlanSettings {
  version: number;
  stageRules: StageRules;
  templates: PlanTemplate[];
  source: PlanSettingsBody['source'];
  updatedAt: Date | null;
  updatedBy: string | null;
  problems: Problem[];
}

export async function planSettingsOf(store: PlanStore, key: InstallationKey): Promise<PlanSettings> {
  const saved = await store.settings(key);
  const problems: Problem[] = [];
  let stageRules = DEFAULT_STAGE_RULES;
  let templates = DEFAULT_PLAN_TEMPLATES;
  const source: PlanSettings['source'] = { stageRules: 'defaults', templates: 'defaults' };
  if (saved?.stageRules != null) {
    const checked = validateStageRules(saved.stageRules);
    if (checked.ok) {
      stageRules = checked.rules;
      source.stageRules = 'saved';
    } else problems.push(...underPart('stageRules', checked.problems));
  }
  if (saved?.templates != null) {
    const checked = validateTemplates(saved.templates);
    if (checked.ok) {
      templates = checked.templates;
      source.templates = 'saved';
    } else problems.push(...underPart('templates', checked.problems));
  }
  return {
    version: saved?.version ?? 0,
    stageRules,
    templates,
    source,
    updatedAt: saved?.updatedAt ?? null,
    updatedBy: saved?.updatedBy ?? null,
    problems,
  };
}

export function planSettingsBody(settings: PlanSettings): PlanSettingsBody {
  return {
    version: settings.version,
    source: settings.source,
    stageRules: settings.stageRules,
    templates: settings.templates,
    defaults: { stageRules: DEFAULT_STAGE_RULES, templates: DEFAULT_PLAN_TEMPLATES },
    updatedAt: settings.updatedAt?.toISOString() ?? null,
    updatedBy: settings.updatedBy,
    problems: settings.problems,
  };
}
