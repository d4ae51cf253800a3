import { z } from 'zod';
import {
  accountPlansBodySchema,
  newShareLinkBodySchema,
  noteBodySchema,
  PLAN_LIFECYCLE_STAGES,
  planBodySchema,
  planSettingsBodySchema,
  shareLinkBodySchema,
  shareLinksBodySchema,
  type PlanSettingsBody,
} from '../../../../server/contracts/plans.ts';
import type { Api } from './client.ts';

/**
 * The success-plan API as the dashboard calls it: one account's plans and what a CSM does to them
 * (milestones, notes, closing, share links), and the installation's stage rules and templates.
 * Every answer is parsed with the server's own contract.
 */

export {
  PLAN_LIFECYCLE_STAGES,
  type AccountPlansBody,
  type MilestoneBody,
  type NewShareLinkBody,
  type NoteBody,
  type ObjectiveBody,
  type PlanBody,
  type PlanObjectiveStatus,
  type PlanSettingsBody,
  type ShareLinkBody,
  type StageBody,
} from '../../../../server/contracts/plans.ts';

/** What a person sends to change the settings; `null` puts a part back to the shipped defaults. */
export interface PlanSettingsChange {
  stageRules?: Record<string, unknown> | null;
  templates?: unknown[] | null;
}

export type PlansApi = ReturnType<typeof plansApi>;

export function plansApi(api: Api, installationId: string) {
  const base = `/api/installations/${encodeURIComponent(installationId)}`;
  const account = (accountId: string) => `${base}/accounts/${encodeURIComponent(accountId)}/plans`;
  const plan = (planId: string) => `${base}/plans/${encodeURIComponent(planId)}`;
  const settings = `${base}/plan-settings`;
  return {
    /** The key a page loads the account's plans under. */
    accountPath: account,
    settingsPath: settings,
    accountPlans: (accountId: string) => api.get(account(accountId), accountPlansBodySchema),
    startPlan: (accountId: string, templateKey: string) =>
      api.send('POST', account(accountId), { templateKey }, planBodySchema),
    markMilestone: (planId: string, milestoneKey: string, reached: boolean) =>
      api.send('PATCH', `${plan(planId)}/milestones/${encodeURIComponent(milestoneKey)}`, { reached }, planBodySchema),
    addNote: (planId: string, body: string) => api.send('POST', `${plan(planId)}/notes`, { body }, noteBodySchema),
    closePlan: (planId: string) => api.send('POST', `${plan(planId)}/close`, undefined, planBodySchema),
    shareLinks: (planId: string) => api.get(`${plan(planId)}/share`, shareLinksBodySchema),
    createShareLink: (planId: string, expiresInDays: number) =>
      api.send('POST', `${plan(planId)}/share`, { expiresInDays }, newShareLinkBodySchema),
    revokeShareLink: (planId: string, linkId: string) =>
      api.send('DELETE', `${plan(planId)}/share/${encodeURIComponent(linkId)}`, undefined, shareLinkBodySchema),
    settings: () => api.get(settings, planSettingsBodySchema),
    saveSettings: (change: PlanSettingsChange) => api.send('PUT', settings, change, planSettingsBodySchema),
  };
}

/** What a person picks a template by; the rest of a template is the admin's JSON. */
const templateSummarySchema = z.object({
  key: z.string(),
  name: z.string(),
  stage: z.enum(PLAN_LIFECYCLE_STAGES),
  segment: z.string().nullable(),
});
export type TemplateSummary = z.infer<typeof templateSummarySchema>;

/** The templates in force, each named; one the server sent in another shape is left out rather than guessed. */
export function templateSummaries(settings: Pick<PlanSettingsBody, 'templates'>): TemplateSummary[] {
  return settings.templates.flatMap((template) => {
    const parsed = templateSummarySchema.safeParse(template);
    return parsed.success ? [parsed.data] : [];
  });
}
