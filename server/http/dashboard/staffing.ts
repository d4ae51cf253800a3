import type { StaffingForecast } from '../../contracts/dashboard.ts';
import { definitionsOf } from './definitions.ts';
import type { StaffingForecastPayload } from './payloads.ts';

/** A staffing forecast (the core's, stored or computed for a what-if) as the API answers it. */
export function staffingBody(forecast: StaffingForecastPayload): StaffingForecast {
  const { asOf: _asOf, ...assumptions } = forecast.assumptions;
  void _asOf;
  return {
    current: forecast.current,
    months: forecast.months,
    firstShortMonth: forecast.firstShortMonth,
    assumptions,
    definitions: definitionsOf(forecast.definitions),
  };
}

export interface StaffingCsvRow {
  month: string;
  current: boolean;
  forecast: StaffingForecast['months'][number];
}

export const staffingRows = (forecast: StaffingForecast): StaffingCsvRow[] => [
  { month: forecast.current.month, current: true, forecast: forecast.current },
  ...forecast.months.map((month) => ({ month: month.month, current: false, forecast: month })),
];
