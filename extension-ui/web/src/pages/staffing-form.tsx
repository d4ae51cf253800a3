import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.ts';
import {
  dashboardPath,
  staffingWhatIfAnswerSchema,
  TOUCH_TIERS,
  type StaffingForecast,
  type StaffingWhatIf,
  type TouchTier,
} from '../api/contracts.ts';
import { useApp } from '../app-context.ts';
import { issuesByField } from '../components/issues.ts';
import { TIER_LABEL } from '../components/labels.ts';

/**
 * The staffing what-if: change target loads, the expected intake or the team size and see the CSMs
 * needed month by month. A field left empty keeps the installation's setting; the server's 422 issues
 * are shown beside the fields they name.
 */

const FIELDS = [
  ...TOUCH_TIERS.map((tier) => `targetLoad.${tier}`),
  ...TOUCH_TIERS.map((tier) => `newPerMonth.${tier}`),
  'months',
  'monthlyChurnPct',
  'plannedHires',
];

type Values = Record<string, string>;
type Hire = { month: string; tier: TouchTier; count: string };

const rounded = (value: number) => String(Math.round(value * 100) / 100);

function initialValues(staffing: StaffingForecast): Values {
  const { assumptions } = staffing;
  // Left empty, the churn keeps the forecast's own rates (per tier, which one number cannot say).
  const values: Values = { months: String(assumptions.months), monthlyChurnPct: '' };
  for (const tier of TOUCH_TIERS) {
    values[`targetLoad.${tier}`] = rounded(assumptions.targetLoad[tier]);
    values[`newPerMonth.${tier}`] = rounded(assumptions.newPerMonth[tier]);
  }
  return values;
}

const initialHires = (staffing: StaffingForecast): Hire[] =>
  staffing.assumptions.plannedHires.map((hire) => ({ ...hire, count: String(hire.count) }));

/** Blank stays out; anything else is sent as typed, so the server judges it and names what is wrong. */
function requestOf(values: Values, hires: readonly Hire[]): StaffingWhatIf {
  const number = (name: string) => {
    const raw = values[name]?.trim() ?? '';
    return raw === '' ? undefined : Number(raw);
  };
  const perTier = (prefix: string) => {
    const entries = TOUCH_TIERS.flatMap((tier) => {
      const value = number(`${prefix}.${tier}`);
      return value === undefined ? [] : [[tier, value] as const];
    });
    return entries.length === 0 ? undefined : Object.fromEntries(entries);
  };
  const request: Record<string, unknown> = {
    months: number('months'),
    targetLoad: perTier('targetLoad'),
    newPerMonth: perTier('newPerMonth'),
    monthlyChurnPct: number('monthlyChurnPct'),
    plannedHires: hires.map((hire) => ({ month: hire.month, tier: hire.tier, count: Number(hire.count) })),
  };
  return Object.fromEntries(Object.entries(request).filter(([, value]) => value !== undefined));
}

function Field({
  name,
  label,
  values,
  issues,
  onChange,
  step = 'any',
}: {
  name: string;
  label: string;
  values: Values;
  issues: Map<string, string[]>;
  onChange: (name: string, value: string) => void;
  step?: string;
}) {
  const problems = issues.get(name) ?? [];
  const id = `whatif-${name.replace('.', '-')}`;
  return (
    <div className={`bw-field${problems.length > 0 ? ' bw-field-invalid' : ''}`} data-field={name}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        type="number"
        step={step}
        value={values[name] ?? ''}
        aria-invalid={problems.length > 0}
        aria-describedby={problems.length > 0 ? `${id}-issue` : undefined}
        onChange={(event) => onChange(name, event.target.value)}
        style={{ width: 120 }}
      />
      {problems.length > 0 ? (
        <span className="bw-field-issue" id={`${id}-issue`} data-testid={`issue-${name}`}>
          {problems.join('; ')}
        </span>
      ) : null}
    </div>
  );
}

export function StaffingWhatIfForm({
  staffing,
  onResult,
}: {
  staffing: StaffingForecast;
  onResult: (result: StaffingForecast | null) => void;
}) {
  const { api, installation } = useApp();
  const [values, setValues] = useState<Values>(() => initialValues(staffing));
  const [hires, setHires] = useState<Hire[]>(() => initialHires(staffing));
  const [issues, setIssues] = useState<Map<string, string[]>>(new Map());
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const change = (name: string, value: string) => setValues((current) => ({ ...current, [name]: value }));
  const changeHire = (index: number, patch: Partial<Hire>) =>
    setHires((current) => current.map((hire, at) => (at === index ? { ...hire, ...patch } : hire)));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    api
      .send(
        'POST',
        dashboardPath(installation.id, 'team/staffing'),
        requestOf(values, hires),
        staffingWhatIfAnswerSchema,
      )
      .then(
        (answer) => {
          setIssues(new Map());
          onResult(answer.staffing);
        },
        (error: unknown) => {
          if (error instanceof ApiError && error.status === 422) {
            setIssues(issuesByField(error.issues, FIELDS));
            setFailure(error.message);
          } else {
            setIssues(new Map());
            setFailure(error instanceof Error ? error.message : 'The what-if could not be computed.');
          }
        },
      )
      .finally(() => setBusy(false));
  };
  const reset = () => {
    setValues(initialValues(staffing));
    setHires(initialHires(staffing));
    setIssues(new Map());
    setFailure(null);
    onResult(null);
  };
  const unplaced = issues.get('') ?? [];
  const hireIssues = issues.get('plannedHires') ?? [];
  const nextMonth = staffing.months[0]?.month ?? staffing.current.month;

  return (
    <form className="bw-form" onSubmit={submit} data-testid="whatif-form" noValidate>
      <div className="bw-form-row">
        <span className="bw-field-label" style={{ width: 150 }}>
          Accounts per CSM
        </span>
        {TOUCH_TIERS.map((tier) => (
          <Field
            key={tier}
            name={`targetLoad.${tier}`}
            label={TIER_LABEL[tier]}
            values={values}
            issues={issues}
            onChange={change}
          />
        ))}
      </div>
      <div className="bw-form-row">
        <span className="bw-field-label" style={{ width: 150 }}>
          New customers a month
        </span>
        {TOUCH_TIERS.map((tier) => (
          <Field
            key={tier}
            name={`newPerMonth.${tier}`}
            label={TIER_LABEL[tier]}
            values={values}
            issues={issues}
            onChange={change}
          />
        ))}
      </div>
      <div className="bw-form-row">
        <span className="bw-field-label" style={{ width: 150 }}>
          Churn and horizon
        </span>
        <Field name="monthlyChurnPct" label="Monthly logo churn %" values={values} issues={issues} onChange={change} />
        <Field name="months" label="Months ahead" values={values} issues={issues} onChange={change} step="1" />
      </div>
      <div className="bw-form-row" data-field="plannedHires">
        <span className="bw-field-label" style={{ width: 150 }}>
          Planned hires
        </span>
        {hires.map((hire, index) => (
          <span key={index} className="bw-form-row" style={{ gap: 6 }} data-testid="whatif-hire">
            <input
              aria-label="Month of the hire"
              type="month"
              value={hire.month}
              onChange={(event) => changeHire(index, { month: event.target.value })}
            />
            <select
              aria-label="Tier of the hire"
              value={hire.tier}
              onChange={(event) => changeHire(index, { tier: event.target.value as TouchTier })}
            >
              {TOUCH_TIERS.map((tier) => (
                <option key={tier} value={tier}>
                  {TIER_LABEL[tier]}
                </option>
              ))}
            </select>
            <input
              aria-label="How many"
              type="number"
              step="1"
              value={hire.count}
              onChange={(event) => changeHire(index, { count: event.target.value })}
              style={{ width: 64 }}
            />
            <button
              type="button"
              className="bw-button bw-button-quiet"
              onClick={() => setHires((current) => current.filter((_, at) => at !== index))}
            >
              Remove
            </button>
          </span>
        ))}
        <button
          type="button"
          className="bw-button bw-button-quiet"
          onClick={() => setHires((current) => [...current, { month: nextMonth, tier: 'low_touch', count: '1' }])}
        >
          Add a hire
        </button>
        {hireIssues.length > 0 ? (
          <span className="bw-field-issue" data-testid="issue-plannedHires">
            {hireIssues.join('; ')}
          </span>
        ) : null}
      </div>
      <div className="bw-form-row">
        <button type="submit" className="bw-button" disabled={busy} data-testid="whatif-submit">
          {busy ? 'Computing…' : 'Compute what-if'}
        </button>
        <button type="button" className="bw-button bw-button-quiet" onClick={reset}>
          Back to the forecast
        </button>
      </div>
      {failure ? (
        <div className="bw-issues" role="alert" data-testid="whatif-error">
          {failure}
          {unplaced.length > 0 ? ` (${unplaced.join('; ')})` : ''}
        </div>
      ) : null}
    </form>
  );
}
