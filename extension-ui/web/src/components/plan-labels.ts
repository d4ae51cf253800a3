import type { PlanObjectiveStatus } from '../api/plans-api.ts';

/** How success plans' states look on the dashboard: a tone per objective status, milestone and link state. */

export const OBJECTIVE_TONE: Record<PlanObjectiveStatus, 'red' | 'yellow' | 'green' | 'neutral'> = {
  on_track: 'green',
  behind: 'yellow',
  achieved: 'green',
  missed: 'red',
  no_data: 'neutral',
};

export const MILESTONE_STATUS = {
  reached: { word: 'Reached', tone: 'green' },
  overdue: { word: 'Overdue', tone: 'red' },
  upcoming: { word: 'Upcoming', tone: 'neutral' },
} as const;

/** A link anyone holding it can open now is "live". */
export const SHARE_LINK_STATE = {
  active: { word: 'Live', tone: 'green' },
  expired: { word: 'Expired', tone: 'neutral' },
  revoked: { word: 'Revoked', tone: 'red' },
} as const;

export const STAGE_WORD = {
  onboarding: 'Onboarding',
  adoption: 'Adoption',
  value: 'Value',
  renewal: 'Renewal',
  at_risk: 'At risk',
  churned: 'Churned',
} as const;

/** `bw-badge` with its tone; neutral is the plain badge. */
export const badgeClass = (tone: 'red' | 'yellow' | 'green' | 'neutral') =>
  tone === 'neutral' ? 'bw-badge' : `bw-badge bw-badge-${tone}`;
