/**
 * The dashboard API's contract, as the server states it: every answer is parsed with these schemas.
 */
export * from '../../../../server/contracts/dashboard.ts';
export {
  backtestReportSchema,
  backtestQueuedSchema,
  healthModelDetailSchema,
  healthModelListSchema,
  modelValidationSchema,
  publishedHealthModelSchema,
  type BacktestReportBody,
  type HealthModelDetail,
  type HealthModelList,
  type ModelValidation,
} from '../../../../server/contracts/health.ts';
export { installationStatusSchema, type InstallationStatusBody } from '../../../../server/contracts/installations.ts';
export { accountMatchesSchema, type AccountMatches } from '../../../../server/contracts/account-matching.ts';
