import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiError, type FieldIssue } from '../api/client.ts';
import { plansApi, type PlansApi, type PlanSettingsBody, type PlanSettingsChange } from '../api/plans-api.ts';
import { useResource } from '../api/use-resource.ts';
import { useApp } from '../app-context.ts';
import { Num, Section } from '../components/figures.tsx';
import { fieldOf } from '../components/issues.ts';
import { BAND_WORD } from '../components/labels.ts';
import { Failure, Loading } from '../components/states.tsx';
import { instant } from '../format.ts';

/**
 * Success plans for the admin: the stage rules as a form (days and shares of licences, the health
 * bands that mean at risk) and the plan templates as JSON. The server judges both; a refused save
 * lists each problem at its JSON path and stores nothing. Saving rescores the installation, so every
 * account's stage and plan follows the change.
 */

type Notice = { ok: boolean; text: string } | null;

const RULE_FIELDS = [
  { key: 'onboardingDays', label: 'Onboarding lasts at most', unit: 'days after the contract starts', percent: false },
  {
    key: 'onboardingExitActiveRatio',
    label: 'Onboarding ends early at',
    unit: '% of licences active',
    percent: true,
  },
  { key: 'valueActiveRatio', label: 'Adoption becomes value at', unit: '% of licences active', percent: true },
  { key: 'usageWindowDays', label: 'Active licences averaged over', unit: 'days of usage', percent: false },
  { key: 'renewalWindowDays', label: 'Renewal stage starts', unit: 'days before the next renewal', percent: false },
] as const;
type RuleField = (typeof RULE_FIELDS)[number]['key'];
const AT_RISK = 'atRiskBands';
const BANDS = ['red', 'yellow', 'green'] as const;
type BandName = (typeof BANDS)[number];

interface RulesForm {
  numbers: Record<RuleField, string>;
  atRiskBands: BandName[];
}

/** Shares are stored 0–1 and typed as percentages; rounding keeps 0.55 from showing as 55.00000000000001. */
const toPercent = (ratio: number) => String(Math.round(ratio * 1e6) / 1e4);

function formOf(rules: Record<string, unknown>): RulesForm {
  const numbers = {} as Record<RuleField, string>;
  for (const field of RULE_FIELDS) {
    const value = rules[field.key];
    numbers[field.key] = typeof value !== 'number' ? '' : field.percent ? toPercent(value) : String(value);
  }
  const bands = Array.isArray(rules[AT_RISK]) ? (rules[AT_RISK] as unknown[]) : [];
  return { numbers, atRiskBands: BANDS.filter((band) => bands.includes(band)) };
}

/** An empty field goes as null, so the server names it rather than the form guessing a value. */
function rulesOf(form: RulesForm): Record<string, unknown> {
  const rules: Record<string, unknown> = { [AT_RISK]: form.atRiskBands };
  for (const field of RULE_FIELDS) {
    const raw = form.numbers[field.key].trim();
    rules[field.key] = raw === '' ? null : field.percent ? Number(raw) / 100 : Number(raw);
  }
  return rules;
}

const FORM_FIELDS: readonly string[] = [...RULE_FIELDS.map((field) => field.key), AT_RISK];

/** The form field a problem of the stage rules is about; '' when it names none. */
function fieldFor(issue: FieldIssue): string {
  const path = fieldOf(issue.path).replace(/^stageRules\.?/, '');
  return FORM_FIELDS.find((field) => path === field || path.startsWith(`${field}.`)) ?? '';
}

function problemsByField(issues: readonly FieldIssue[]): Map<string, string[]> {
  const grouped = new Map<string, string[]>();
  for (const issue of issues) {
    const field = fieldFor(issue);
    grouped.set(field, [...(grouped.get(field) ?? []), issue.message]);
  }
  return grouped;
}

function IssueList({ issues, id }: { issues: readonly FieldIssue[]; id: string }) {
  if (issues.length === 0) return null;
  return (
    <ul className="bw-issues" data-testid={id}>
      {issues.map((issue) => (
        <li key={`${issue.path}:${issue.message}`}>
          <code>{issue.path}</code> {issue.message}
        </li>
      ))}
    </ul>
  );
}

function NoticeLine({ notice, id }: { notice: Notice; id: string }) {
  if (!notice) return null;
  return (
    <p className={notice.ok ? 'bw-notice bw-notice-ok' : 'bw-issues'} role="status" data-testid={id}>
      {notice.text}
    </p>
  );
}

const savedText = (stored: PlanSettingsBody) =>
  `Saved as version ${stored.version}.${
    stored.scoreJobId ? ' Rescoring the installation so every account’s stage and plan follow the change.' : ''
  }`;

/** A save, and the confirmed restore of the shipped defaults, for one part of the settings. */
function usePartSave(api: PlansApi, onSaved: (stored: PlanSettingsBody) => void) {
  const [busy, setBusy] = useState(false);
  const [issues, setIssues] = useState<FieldIssue[]>([]);
  const [notice, setNotice] = useState<Notice>(null);
  const save = (change: PlanSettingsChange, after?: (stored: PlanSettingsBody) => void) => {
    setBusy(true);
    setNotice(null);
    api
      .saveSettings(change)
      .then(
        (stored) => {
          setIssues([]);
          onSaved(stored);
          after?.(stored);
          setNotice({ ok: true, text: savedText(stored) });
        },
        (error: unknown) => {
          setIssues(error instanceof ApiError ? error.issues : []);
          setNotice({ ok: false, text: error instanceof Error ? error.message : 'The settings could not be saved.' });
        },
      )
      .finally(() => setBusy(false));
  };
  return { busy, issues, notice, save, setNotice };
}

function RestoreDefaults({
  what,
  id,
  disabled,
  restore,
}: {
  what: string;
  id: string;
  disabled: boolean;
  restore: () => void;
}) {
  const [confirming, setConfirming] = useState(false);
  if (!confirming) {
    return (
      <button
        type="button"
        className="bw-button bw-button-quiet"
        disabled={disabled}
        onClick={() => setConfirming(true)}
        data-testid={`${id}-restore`}
      >
        Restore shipped defaults
      </button>
    );
  }
  return (
    <>
      <span className="bw-muted">Replace this installation’s {what} with the shipped ones?</span>
      <button
        type="button"
        className="bw-button bw-button-danger"
        disabled={disabled}
        onClick={() => {
          setConfirming(false);
          restore();
        }}
        data-testid={`${id}-restore-confirm`}
      >
        Restore the shipped {what}
      </button>
      <button type="button" className="bw-button bw-button-quiet" onClick={() => setConfirming(false)}>
        Cancel
      </button>
    </>
  );
}

function Field({
  id,
  label,
  unit,
  problems,
  children,
}: {
  id: string;
  label: string;
  unit?: string;
  problems: readonly string[];
  children: ReactNode;
}) {
  return (
    <div className={`bw-field${problems.length > 0 ? ' bw-field-invalid' : ''}`} data-field={id}>
      <label htmlFor={`plan-rule-${id}`}>{label}</label>
      <span style={{ display: 'inline-flex', gap: 6, alignItems: 'center' }}>
        {children}
        {unit ? (
          <span className="bw-muted" id={`plan-rule-${id}-unit`}>
            {unit}
          </span>
        ) : null}
      </span>
      {problems.length > 0 ? (
        <span className="bw-field-issue" data-testid={`issue-${id}`}>
          {problems.join('; ')}
        </span>
      ) : null}
    </div>
  );
}

function StageRulesForm({
  api,
  settings,
  onSaved,
}: {
  api: PlansApi;
  settings: PlanSettingsBody;
  onSaved: (stored: PlanSettingsBody) => void;
}) {
  const [form, setForm] = useState(() => formOf(settings.stageRules));
  const part = usePartSave(api, onSaved);
  const problems = problemsByField(part.issues);
  const unplaced = part.issues.filter((issue) => fieldFor(issue) === '');
  const dirty = JSON.stringify(rulesOf(form)) !== JSON.stringify(rulesOf(formOf(settings.stageRules)));
  const reset = (stored: PlanSettingsBody) => setForm(formOf(stored.stageRules));

  return (
    <Section
      title="Stage rules"
      id="plan-stage-rules"
      note={
        <>
          {settings.source.stageRules === 'saved'
            ? 'This installation’s own rules. '
            : 'The shipped rules are in use; saving stores this installation’s own. '}
          Stages are judged in order: churned, at risk, renewal, onboarding, adoption, value.
        </>
      }
    >
      {/* The server judges the rules and names each problem beside its field. */}
      <form
        className="bw-form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          part.save({ stageRules: rulesOf(form) }, reset);
        }}
      >
        <div className="bw-form-row">
          {RULE_FIELDS.map((field) => (
            <Field
              key={field.key}
              id={field.key}
              label={field.label}
              unit={field.unit}
              problems={(problems.get(field.key) ?? []).map((message) =>
                field.percent ? `${message} (enter a percentage from 0 to 100)` : message,
              )}
            >
              <input
                id={`plan-rule-${field.key}`}
                type="number"
                step={field.percent ? 'any' : 1}
                min={field.percent ? 0 : 1}
                max={field.percent ? 100 : undefined}
                value={form.numbers[field.key]}
                aria-describedby={`plan-rule-${field.key}-unit`}
                onChange={(event) =>
                  setForm((current) => ({
                    ...current,
                    numbers: { ...current.numbers, [field.key]: event.target.value },
                  }))
                }
                style={{ width: 90 }}
              />
            </Field>
          ))}
        </div>
        <fieldset
          className={problems.has(AT_RISK) ? 'bw-field-invalid' : undefined}
          data-field={AT_RISK}
          style={{ border: 0, padding: 0, margin: 0, display: 'grid', gap: 3 }}
        >
          <legend className="bw-field-label">At risk while the health band shown is</legend>
          <span style={{ display: 'inline-flex', gap: 14 }}>
            {BANDS.map((band) => (
              <label key={band} style={{ display: 'inline-flex', gap: 4, alignItems: 'center' }}>
                <input
                  type="checkbox"
                  checked={form.atRiskBands.includes(band)}
                  onChange={(event) =>
                    setForm((current) => ({
                      ...current,
                      atRiskBands: BANDS.filter((one) =>
                        one === band ? event.target.checked : current.atRiskBands.includes(one),
                      ),
                    }))
                  }
                  data-testid={`at-risk-${band}`}
                />
                {BAND_WORD[band]}
              </label>
            ))}
          </span>
          {problems.has(AT_RISK) ? (
            <span className="bw-field-issue" data-testid={`issue-${AT_RISK}`}>
              {(problems.get(AT_RISK) ?? []).join('; ')}
            </span>
          ) : null}
        </fieldset>
        <div className="bw-form-row">
          <button type="submit" className="bw-button" disabled={part.busy || !dirty} data-testid="stage-rules-save">
            {part.busy ? 'Saving…' : 'Save stage rules'}
          </button>
          <button
            type="button"
            className="bw-button bw-button-quiet"
            disabled={part.busy || !dirty}
            onClick={() => reset(settings)}
          >
            Discard changes
          </button>
          <RestoreDefaults
            what="stage rules"
            id="stage-rules"
            disabled={part.busy || settings.source.stageRules === 'defaults'}
            restore={() => part.save({ stageRules: null }, reset)}
          />
        </div>
      </form>
      <NoticeLine notice={part.notice} id="stage-rules-notice" />
      <IssueList issues={unplaced} id="stage-rules-problems" />
    </Section>
  );
}

const pretty = (value: unknown) => JSON.stringify(value, null, 2);

function TemplatesEditor({
  api,
  settings,
  onSaved,
}: {
  api: PlansApi;
  settings: PlanSettingsBody;
  onSaved: (stored: PlanSettingsBody) => void;
}) {
  const [text, setText] = useState(() => pretty(settings.templates));
  const [saved, setSaved] = useState(text);
  const part = usePartSave(api, onSaved);
  const reset = (stored: PlanSettingsBody) => {
    const shown = pretty(stored.templates);
    setText(shown);
    setSaved(shown);
  };

  const save = () => {
    let templates: unknown;
    try {
      templates = JSON.parse(text);
    } catch (error) {
      part.setNotice({ ok: false, text: `Not valid JSON: ${error instanceof Error ? error.message : String(error)}` });
      return;
    }
    if (!Array.isArray(templates)) {
      part.setNotice({ ok: false, text: 'The templates are a JSON list: [ { "key": …, "stage": … }, … ].' });
      return;
    }
    part.save({ templates }, reset);
  };

  return (
    <Section
      title="Plan templates"
      id="plan-templates"
      note={
        settings.source.templates === 'saved'
          ? 'This installation’s own templates: one per stage and segment (a template without a segment serves every segment without its own).'
          : 'The shipped templates are in use; saving stores this installation’s own set.'
      }
    >
      <textarea
        className="bw-editor"
        aria-label="Plan templates (JSON)"
        data-testid="templates-json"
        spellCheck={false}
        value={text}
        onChange={(event) => setText(event.target.value)}
      />
      <div className="bw-form-row" style={{ marginTop: 8 }}>
        <button
          type="button"
          className="bw-button"
          disabled={part.busy || text === saved}
          onClick={save}
          data-testid="templates-save"
        >
          {part.busy ? 'Saving…' : 'Save templates'}
        </button>
        <button
          type="button"
          className="bw-button bw-button-quiet"
          disabled={part.busy || text === saved}
          onClick={() => setText(saved)}
        >
          Discard changes
        </button>
        <RestoreDefaults
          what="templates"
          id="templates"
          disabled={part.busy || settings.source.templates === 'defaults'}
          restore={() => part.save({ templates: null }, reset)}
        />
      </div>
      <NoticeLine notice={part.notice} id="templates-notice" />
      <IssueList issues={part.issues} id="templates-problems" />
    </Section>
  );
}

export function PlanSettingsEditor() {
  const { api, installation } = useApp();
  const plans = useMemo(() => plansApi(api, installation.id), [api, installation.id]);
  const answer = useResource(plans.settingsPath, () => plans.settings());
  const [settings, setSettings] = useState<PlanSettingsBody | null>(null);

  useEffect(() => {
    if (answer.state === 'ready') setSettings(answer.data);
  }, [answer]);

  if (answer.state === 'failed') return <Failure error={answer.error} retry={answer.reload} />;
  if (!settings) return <Loading what="success plan settings" />;
  return (
    <div data-testid="plan-settings">
      <p className="bw-muted" data-testid="plan-settings-meta">
        {settings.version === 0 ? (
          'Never saved: the shipped stage rules and templates are in use.'
        ) : (
          <>
            Version{' '}
            <Num id="plan-settings-version" value={settings.version}>
              {settings.version}
            </Num>
            , saved {instant(settings.updatedAt)} by{' '}
            <span data-testid="plan-settings-by">{settings.updatedBy ?? '—'}</span>.
          </>
        )}
      </p>
      {settings.problems.length > 0 ? (
        <div className="bw-issues" role="alert" data-testid="plan-settings-stored-problems">
          A saved part no longer validates, so the shipped defaults are used in its place until it is fixed:
          <ul>
            {settings.problems.map((problem) => (
              <li key={`${problem.path}:${problem.message}`}>
                <code>{problem.path}</code> {problem.message}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <StageRulesForm api={plans} settings={settings} onSaved={setSettings} />
      <TemplatesEditor api={plans} settings={settings} onSaved={setSettings} />
    </div>
  );
}
