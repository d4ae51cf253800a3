import type { TouchModel, TouchRule, TouchTier } from './analytics-settings.ts';

/** What a touch rule reads about an account. */
export interface TouchFacts {
  arr: number | null;
  segment: string | null;
  licences: number | null;
}

/**
 * A rule matches when every condition it names holds; an unknown ARR or licence count meets no
 * threshold, so an account is never promoted to a costlier tier on a number nobody knows.
 */
export function ruleMatches(rule: TouchRule, facts: TouchFacts): boolean {
  if (rule.arrAtLeast !== undefined && (facts.arr === null || facts.arr < rule.arrAtLeast)) return false;
  if (rule.licencesAtLeast !== undefined && (facts.licences === null || facts.licences < rule.licencesAtLeast))
    return false;
  if (rule.segmentIn !== undefined) {
    const segment = facts.segment?.trim().toLowerCase();
    if (segment === undefined || !rule.segmentIn.some((wanted) => wanted.trim().toLowerCase() === segment))
      return false;
  }
  return true;
}

/** The tier of the first rule that matches, else the default tier. */
export function touchTierOf(facts: TouchFacts, model: TouchModel): TouchTier {
  for (const rule of model.rules) if (ruleMatches(rule, facts)) return rule.tier;
  return model.defaultTier;
}

/** Which rule decided (its index), or null when the default did; for explaining a tier on screen. */
export function touchRuleIndexOf(facts: TouchFacts, model: TouchModel): number | null {
  const index = model.rules.findIndex((rule) => ruleMatches(rule, facts));
  return index === -1 ? null : index;
}
