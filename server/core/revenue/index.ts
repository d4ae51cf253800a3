/**
 * Revenue and team analytics: retention, cohorts, NPS, touch tiers, CSM portfolios and the staffing
 * forecast. The renewal forecast lives in `forecast/` and is imported from there.
 */
export * from './analytics-settings.ts';
export * from './calendar.ts';
export * from './cohorts.ts';
export * from './definitions.ts';
export * from './nps.ts';
export * from './nps-themes.ts';
export * from './portfolios.ts';
export * from './retention.ts';
export * from './staffing.ts';
export * from './touch-model.ts';
