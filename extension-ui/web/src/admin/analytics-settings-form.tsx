import { useEffect, useState, type ReactNode } from 'react';
import { ApiError, type FieldIssue } from '../api/client.ts';
import {
  analyticsSettingsAnswerSchema,
  dashboardPath,
  TOUCH_TIERS,
  type AnalyticsSettingsBody,
} from '../api/contracts.ts';
import { useResource } from '../api/use-resource.ts';
import { useApp } from '../app-context.ts';
import { Section } from '../components/figures.tsx';
import { fieldOf } from '../components/issues.ts';
import { TIER_LABEL } from '../components/labels.ts';
import { Failure, Loading } from '../components/states.tsx';
import { instant } from '../format.ts';

/**
 * How this installation defines its analytics: touch tiers, staffing targets, retention and NPS.
 * The server judges every value; a refused save shows each problem beside the field its path names.
 */

type Settings = AnalyticsSettingsBody;
type Rule = Settings['touch']['rules'][number];

/** Sets a value at a dotted path in a copy; `undefined` removes an optional key. */
function setAt<T>(value: T, path: string, next: unknown): T {
  const [head, ...rest] = path.split('.');
  const copy: Record<string, unknown> = Array.isArray(value)
    ? ([...value] as unknown as Record<string, unknown>)
    : { ...(value as Record<string, unknown>) };
  if (head === undefined) return value;
  if (rest.length === 0) {
    if (next === undefined) delete copy[head];
    else copy[head] = next;
  } else {
    copy[head] = setAt(copy[head], rest.join('.'), next);
  }
  return copy as T;
}

/** Empty is "not a number" for a required field (the server says so), or absent for an optional one. */
const numberOf = (raw: string, optional: boolean): number | undefined =>
  raw.trim() === '' ? (optional ? undefined : Number.NaN) : Number(raw);

function Field({
  path,
  label,
  issues,
  children,
}: {
  path: string;
  label: string;
  issues: Map<string, string[]>;
  children: ReactNode;
}) {
  const problems = issues.get(path) ?? [];
  return (
    <div className={`bw-field${problems.length > 0 ? ' bw-field-invalid' : ''}`} data-field={path}>
      <label htmlFor={`settings-${path}`}>{label}</label>
      {children}
      {problems.length > 0 ? (
        <span className="bw-field-issue" data-testid={`issue-${path}`}>
          {problems.join('; ')}
        </span>
      ) : null}
    </div>
  );
}

export function AnalyticsSettingsForm() {
  const { api, installation } = useApp();
  const path = dashboardPath(installation.id, 'settings');
  const answer = useResource(path, () => api.get(path, analyticsSettingsAnswerSchema));
  const [settings, setSettings] = useState<Settings | null>(null);
  const [issues, setIssues] = useState<Map<string, string[]>>(new Map());
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (answer.state === 'ready') setSettings(answer.data.settings);
  }, [answer]);

  if (answer.state === 'loading' || (answer.state === 'ready' && !settings))
    return <Loading what="analytics settings" />;
  if (answer.state === 'failed') return <Failure error={answer.error} retry={answer.reload} />;
  if (!settings) return null;

  const update = (at: string, value: unknown) =>
    setSettings((current) => (current ? setAt(current, at, value) : current));
  const numberInput = (at: string, value: number | undefined, optional = false) => (
    <input
      id={`settings-${at}`}
      type="number"
      step="any"
      value={value === undefined || Number.isNaN(value) ? '' : value}
      onChange={(event) => update(at, numberOf(event.target.value, optional))}
      style={{ width: 110 }}
    />
  );
  const tierSelect = (at: string, value: string) => (
    <select id={`settings-${at}`} value={value} onChange={(event) => update(at, event.target.value)}>
      {TOUCH_TIERS.map((tier) => (
        <option key={tier} value={tier}>
          {TIER_LABEL[tier]}
        </option>
      ))}
    </select>
  );

  const save = () => {
    setBusy(true);
    setNotice(null);
    api
      .send('PUT', path, settings, analyticsSettingsAnswerSchema)
      .then(
        (stored) => {
          setSettings(stored.settings);
          setIssues(new Map());
          setNotice({ ok: true, text: `Saved as version ${stored.version}. The next analytics run uses them.` });
        },
        (error: unknown) => {
          const found = new Map<string, string[]>();
          for (const issue of error instanceof ApiError ? error.issues : ([] as FieldIssue[])) {
            const field = fieldOf(issue.path);
            found.set(field, [...(found.get(field) ?? []), issue.message]);
          }
          setIssues(found);
          setNotice({ ok: false, text: error instanceof Error ? error.message : 'The settings could not be saved.' });
        },
      )
      .finally(() => setBusy(false));
  };

  const rules = settings.touch.rules;
  const meta = answer.data;
  return (
    <div data-testid="analytics-settings">
      <p className="bw-muted">
        {meta.source === 'defaults'
          ? 'The defaults are in use.'
          : `Version ${meta.version}, saved ${instant(meta.updatedAt)} by ${meta.updatedBy ?? '—'}.`}
      </p>
      <Section
        title="Touch tiers"
        id="settings-touch"
        note="The first rule an account meets sets its tier; the rest take the default."
      >
        <table className="bw-table">
          <thead>
            <tr>
              <th>#</th>
              <th>Tier</th>
              <th>ARR at least</th>
              <th>Segment is one of (comma separated)</th>
              <th>Licences at least</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rules.map((rule: Rule, index) => (
              <tr key={index}>
                <td>{index + 1}</td>
                <td>
                  <Field path={`touch.rules.${index}.tier`} label="Tier" issues={issues}>
                    {tierSelect(`touch.rules.${index}.tier`, rule.tier)}
                  </Field>
                </td>
                <td>
                  <Field path={`touch.rules.${index}.arrAtLeast`} label="ARR" issues={issues}>
                    {numberInput(`touch.rules.${index}.arrAtLeast`, rule.arrAtLeast, true)}
                  </Field>
                </td>
                <td>
                  <Field path={`touch.rules.${index}.segmentIn`} label="Segments" issues={issues}>
                    <input
                      id={`settings-touch.rules.${index}.segmentIn`}
                      value={(rule.segmentIn ?? []).join(', ')}
                      onChange={(event) => {
                        const list = event.target.value
                          .split(',')
                          .map((one) => one.trim())
                          .filter(Boolean);
                        update(`touch.rules.${index}.segmentIn`, list.length === 0 ? undefined : list);
                      }}
                    />
                  </Field>
                </td>
                <td>
                  <Field path={`touch.rules.${index}.licencesAtLeast`} label="Licences" issues={issues}>
                    {numberInput(`touch.rules.${index}.licencesAtLeast`, rule.licencesAtLeast, true)}
                  </Field>
                </td>
                <td>
                  <button
                    type="button"
                    className="bw-button bw-button-quiet"
                    onClick={() =>
                      update(
                        'touch.rules',
                        rules.filter((_, at) => at !== index),
                      )
                    }
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <div className="bw-form-row" style={{ marginTop: 8 }}>
          <button
            type="button"
            className="bw-button bw-button-quiet"
            onClick={() => update('touch.rules', [...rules, { tier: 'low_touch' }])}
          >
            Add a rule
          </button>
          <Field path="touch.defaultTier" label="Otherwise" issues={issues}>
            {tierSelect('touch.defaultTier', settings.touch.defaultTier)}
          </Field>
        </div>
      </Section>
      <Section title="Staffing targets" id="settings-staffing">
        <div className="bw-form-row">
          {TOUCH_TIERS.map((tier) => (
            <Field
              key={tier}
              path={`staffing.targetLoad.${tier}`}
              label={`${TIER_LABEL[tier]} accounts per CSM`}
              issues={issues}
            >
              {numberInput(`staffing.targetLoad.${tier}`, settings.staffing.targetLoad[tier])}
            </Field>
          ))}
          <Field path="staffing.horizonMonths" label="Months ahead" issues={issues}>
            {numberInput('staffing.horizonMonths', settings.staffing.horizonMonths)}
          </Field>
          <Field path="staffing.newCustomerLookbackMonths" label="Intake from the last … months" issues={issues}>
            {numberInput('staffing.newCustomerLookbackMonths', settings.staffing.newCustomerLookbackMonths)}
          </Field>
        </div>
      </Section>
      <Section title="Retention definitions" id="settings-retention">
        <div className="bw-form-row">
          <Field path="retention.churnCountsIn" label="Churn counts in the month of" issues={issues}>
            <select
              id="settings-retention.churnCountsIn"
              value={settings.retention.churnCountsIn}
              onChange={(event) => update('retention.churnCountsIn', event.target.value)}
            >
              <option value="renewal_close">the lost renewal&apos;s close</option>
              <option value="contract_end">the contract&apos;s end</option>
            </select>
          </Field>
          <Field path="retention.termMonths" label="Contract term (months)" issues={issues}>
            {numberInput('retention.termMonths', settings.retention.termMonths)}
          </Field>
          <Field path="retention.minTenureDays" label="Minimum tenure (days)" issues={issues}>
            {numberInput('retention.minTenureDays', settings.retention.minTenureDays)}
          </Field>
          <Field path="retention.currencyDecimals" label="Currency decimals" issues={issues}>
            {numberInput('retention.currencyDecimals', settings.retention.currencyDecimals)}
          </Field>
          <Field path="retention.contractionInGrr" label="Contraction lowers GRR" issues={issues}>
            <input
              id="settings-retention.contractionInGrr"
              type="checkbox"
              checked={settings.retention.contractionInGrr}
              onChange={(event) => update('retention.contractionInGrr', event.target.checked)}
            />
          </Field>
        </div>
      </Section>
      <Section title="NPS" id="settings-nps">
        <Field path="nps.wave" label="Survey wave" issues={issues}>
          <select
            id="settings-nps.wave"
            value={settings.nps.wave}
            onChange={(event) => update('nps.wave', event.target.value)}
          >
            <option value="month">Month</option>
            <option value="quarter">Quarter</option>
          </select>
        </Field>
      </Section>
      <div className="bw-form-row">
        <button type="button" className="bw-button" disabled={busy} onClick={save} data-testid="settings-save">
          {busy ? 'Saving…' : 'Save settings'}
        </button>
        <button
          type="button"
          className="bw-button bw-button-quiet"
          disabled={busy}
          onClick={() => setSettings(meta.settings)}
        >
          Discard changes
        </button>
      </div>
      {notice ? (
        <p className={notice.ok ? 'bw-notice bw-notice-ok' : 'bw-issues'} role="status" data-testid="settings-notice">
          {notice.text}
          {!notice.ok && (issues.get('') ?? []).length > 0 ? ` (${(issues.get('') ?? []).join('; ')})` : ''}
        </p>
      ) : null}
    </div>
  );
}
