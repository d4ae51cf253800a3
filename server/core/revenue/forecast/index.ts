/**
 * The renewal forecast: features of an account, a model learned on top of the documented prior,
 * one renewal's outlook with its drivers, and the forecast by month with the least likely fifth.
 */
export * from './calibration.ts';
export * from './features.ts';
export * from './forecast.ts';
export * from './model.ts';
export * from './predict.ts';
export * from './train.ts';
export * from './training-examples.ts';
