import type { TouchTier } from '../api/contracts.ts';

/** The words the dashboard uses for the API's enumerations. */

export const TIER_LABEL: Record<TouchTier, string> = {
  high_touch: 'High touch',
  low_touch: 'Low touch',
  tech_touch: 'Tech touch',
};

export const BAND_WORD = { red: 'Red', yellow: 'Yellow', green: 'Green', unscored: 'Unscored' } as const;

export const BAND_COLOUR = { red: '#dc2626', yellow: '#f59e0b', green: '#16a34a', unscored: '#94a3b8' } as const;

export const SEVERITY_WORD = { high: 'High', medium: 'Medium', low: 'Low' } as const;
