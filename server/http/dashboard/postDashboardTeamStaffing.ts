import type { RequestHandler } from 'express';
import type { StaffingWhatIfAnswer } from '../../contracts/dashboard.ts';
import { jsonPath } from '../../core/json-path.ts';
import { applyStaffingWhatIf, staffingForecast, staffingWhatIfSchema } from '../../core/revenue/staffing.ts';
import { AppError } from '../../platform/errors.ts';
import { requireJson } from '../health/deps.ts';
import { callerOf, type DashboardContext } from './deps.ts';
import { parseStored, staffingForecastPayload } from './payloads.ts';
import { sendJson } from './respond.ts';
import { staffingBody } from './staffing.ts';

/**
 * `POST /api/installations/:id/dashboard/team/staffing`: the what-if form. The stored forecast's
 * assumptions with the form's values in their place, forecast again; nothing is saved. Invalid input
 * answers 422 naming each problem by its JSON path.
 */
export function postDashboardTeamStaffing(ctx: DashboardContext): RequestHandler {
  return async (req, res) => {
    const { key } = await callerOf(req, ctx);
    requireJson(req);
    const whatIf = staffingWhatIfSchema.safeParse(req.body ?? {});
    if (!whatIf.success) {
      res.status(422).json({
        error: {
          code: 'INVALID_WHAT_IF',
          message: 'The what-if is not valid',
          issues: whatIf.error.issues.map((issue) => ({ path: jsonPath(issue.path), message: issue.message })),
        },
      });
      return;
    }
    const snapshot = await ctx.store.snapshot(key, 'staffing', [['assumptions']]);
    if (!snapshot) throw new AppError(409, 'FIGURES_PENDING', 'The staffing forecast has not been computed yet');
    const { assumptions } = parseStored(req, 'staffing forecast', staffingForecastPayload.pick({ assumptions: true }), {
      assumptions: snapshot.parts[0],
    });
    const forecast = staffingForecast(applyStaffingWhatIf(assumptions, whatIf.data));
    const body: StaffingWhatIfAnswer = {
      computedAt: new Date(ctx.now()).toISOString(),
      staffing: staffingBody(staffingForecastPayload.parse(forecast)),
    };
    sendJson(res, body);
  };
}
