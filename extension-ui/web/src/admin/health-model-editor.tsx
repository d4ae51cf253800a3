import { useEffect, useState } from 'react';
import { ApiError } from '../api/client.ts';
import {
  backtestQueuedSchema,
  healthModelDetailSchema,
  healthModelListSchema,
  modelValidationSchema,
  publishedHealthModelSchema,
  type HealthModelDetail,
  type ModelValidation,
} from '../api/contracts.ts';
import { useResource } from '../api/use-resource.ts';
import { useApp } from '../app-context.ts';
import { Section } from '../components/figures.tsx';
import { Failure, Loading } from '../components/states.tsx';
import { instant } from '../format.ts';
import { BacktestReport } from './backtest-report.tsx';

/**
 * The health model as JSON: edit a draft, validate it, run its backtest, and only with the backtest's
 * result on screen (for exactly the saved text) publish it. Editing after the backtest disables
 * Publish again, because the report no longer describes what would be published.
 */

const BACKTEST_POLL_MS = 1500;
const BACKTEST_WAIT_MS = 180_000;

type Notice = { tone: 'info' | 'ok' | 'error'; text: string } | null;

const pretty = (definition: unknown) => JSON.stringify(definition, null, 2);

function ValidationList({ validation }: { validation: ModelValidation }) {
  if (validation.ok) {
    return (
      <p className="bw-notice bw-notice-ok" data-testid="model-valid">
        The draft is valid.
      </p>
    );
  }
  return (
    <ul className="bw-issues" data-testid="model-problems">
      {validation.problems.map((problem) => (
        <li key={`${problem.path}:${problem.message}`}>
          <code>{problem.path}</code> {problem.message}
        </li>
      ))}
    </ul>
  );
}

function Editor({ detail, onChanged }: { detail: HealthModelDetail; onChanged: (detail: HealthModelDetail) => void }) {
  const { api, installation } = useApp();
  const base = `/api/installations/${encodeURIComponent(installation.id)}/health-models/${detail.version}`;
  const [text, setText] = useState(() => pretty(detail.definition));
  const [validation, setValidation] = useState<ModelValidation>(detail.validation);
  const [notice, setNotice] = useState<Notice>(null);
  const [busy, setBusy] = useState<null | 'save' | 'validate' | 'backtest' | 'publish'>(null);
  const editable = detail.status === 'draft' && !detail.shipped;
  const dirty = text !== pretty(detail.definition);
  const report = detail.backtestReport;
  const canPublish = editable && !dirty && validation.ok && report !== null && busy === null;

  const fail = (error: unknown) =>
    setNotice({ tone: 'error', text: error instanceof Error ? error.message : 'The request failed.' });

  const save = async (): Promise<HealthModelDetail | null> => {
    let definition: unknown;
    try {
      definition = JSON.parse(text);
    } catch (error) {
      setNotice({ tone: 'error', text: `Not valid JSON: ${error instanceof Error ? error.message : String(error)}` });
      return null;
    }
    const saved = await api.send('PUT', base, { definition }, healthModelDetailSchema);
    setValidation(saved.validation);
    setText(pretty(saved.definition));
    onChanged(saved);
    return saved;
  };

  const run = (what: NonNullable<typeof busy>, action: () => Promise<void>) => {
    setBusy(what);
    setNotice(null);
    action()
      .catch(fail)
      .finally(() => setBusy(null));
  };

  const onSave = () =>
    run('save', async () => {
      if (await save()) setNotice({ tone: 'ok', text: 'Draft saved. Run the backtest before publishing.' });
    });

  const onValidate = () =>
    run('validate', async () => {
      if (dirty && !(await save())) return;
      const checked = await api.send('POST', `${base}/validate`, {}, modelValidationSchema);
      setValidation(checked);
    });

  const onBacktest = () =>
    run('backtest', async () => {
      if (dirty && !(await save())) return;
      try {
        await api.send('POST', `${base}/backtest`, {}, backtestQueuedSchema);
      } catch (error) {
        if (error instanceof ApiError && error.status === 422 && error.issues.length > 0) {
          setValidation({ ok: false, problems: error.issues });
        }
        throw error;
      }
      setNotice({ tone: 'info', text: 'Backtest running: replaying history with this draft…' });
      const deadline = Date.now() + BACKTEST_WAIT_MS;
      while (Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, BACKTEST_POLL_MS));
        const latest = await api.get(base, healthModelDetailSchema);
        if (latest.backtestReport) {
          onChanged(latest);
          setNotice({ tone: 'ok', text: 'Backtest finished. Read the result below before publishing.' });
          return;
        }
      }
      setNotice({
        tone: 'error',
        text: 'The backtest has not reported after three minutes; check the worker, then try again.',
      });
    });

  const onPublish = () =>
    run('publish', async () => {
      const published = await api.send('POST', `${base}/publish`, {}, publishedHealthModelSchema);
      onChanged(published.model);
      setNotice({
        tone: 'ok',
        text: `Version ${published.model.version} is now in use (was ${published.previousVersion}); rescoring ${published.rescoring.length} installation(s).`,
      });
    });

  return (
    <div data-testid="model-editor" data-version={detail.version}>
      <p className="bw-muted">
        Version {detail.version} · {detail.status}
        {detail.shipped ? ' · ships with the product (read-only)' : ''}
        {detail.updatedAt ? ` · saved ${instant(detail.updatedAt)}` : ''}
        {detail.publishedAt ? ` · published ${instant(detail.publishedAt)} by ${detail.publishedBy ?? '—'}` : ''}
      </p>
      <textarea
        className="bw-editor"
        aria-label="Health model definition (JSON)"
        data-testid="model-json"
        spellCheck={false}
        readOnly={!editable}
        value={text}
        onChange={(event) => setText(event.target.value)}
      />
      <div className="bw-form-row" style={{ marginTop: 8 }}>
        <button
          type="button"
          className="bw-button bw-button-quiet"
          disabled={!editable || !dirty || busy !== null}
          onClick={onSave}
        >
          {busy === 'save' ? 'Saving…' : 'Save draft'}
        </button>
        <button
          type="button"
          className="bw-button bw-button-quiet"
          disabled={!editable || busy !== null}
          onClick={onValidate}
        >
          {busy === 'validate' ? 'Validating…' : 'Validate'}
        </button>
        <button
          type="button"
          className="bw-button bw-button-quiet"
          disabled={!editable || busy !== null}
          onClick={onBacktest}
          data-testid="model-backtest"
        >
          {busy === 'backtest' ? 'Backtest running…' : 'Run backtest'}
        </button>
        <button
          type="button"
          className="bw-button"
          disabled={!canPublish}
          onClick={onPublish}
          data-testid="model-publish"
        >
          {busy === 'publish' ? 'Publishing…' : 'Publish'}
        </button>
        {editable && !canPublish && busy === null ? (
          <span className="bw-muted" data-testid="publish-blocked">
            {dirty
              ? 'Save and backtest your changes before publishing.'
              : !validation.ok
                ? 'Fix the problems before publishing.'
                : 'Run the backtest and read its result before publishing.'}
          </span>
        ) : null}
      </div>
      {notice ? (
        <p
          className={
            notice.tone === 'error' ? 'bw-issues' : notice.tone === 'ok' ? 'bw-notice bw-notice-ok' : 'bw-notice'
          }
          role="status"
          data-testid="model-notice"
        >
          {notice.text}
        </p>
      ) : null}
      <ValidationList validation={validation} />
      {report ? (
        <Section title="Backtest result" id="backtest">
          <BacktestReport report={report} />
        </Section>
      ) : null}
    </div>
  );
}

export function HealthModelEditor() {
  const { api, installation } = useApp();
  const base = `/api/installations/${encodeURIComponent(installation.id)}/health-models`;
  const list = useResource(base, () => api.get(base, healthModelListSchema));
  const [version, setVersion] = useState<number | null>(null);
  const [detail, setDetail] = useState<HealthModelDetail | null>(null);
  const [failure, setFailure] = useState<ApiError | null>(null);

  // Open the newest draft if there is one, else the version in use.
  useEffect(() => {
    if (list.state !== 'ready' || version !== null) return;
    const drafts = list.data.versions.filter((one) => one.status === 'draft');
    setVersion(drafts.at(-1)?.version ?? list.data.inUse);
  }, [list, version]);

  useEffect(() => {
    if (version === null) return;
    let current = true;
    setDetail(null);
    api.get(`${base}/${version}`, healthModelDetailSchema).then(
      (answer) => current && setDetail(answer),
      (error: unknown) => current && error instanceof ApiError && setFailure(error),
    );
    return () => {
      current = false;
    };
  }, [api, base, version]);

  const newDraft = () => {
    api.send('POST', base, {}, healthModelDetailSchema).then(
      (draft) => {
        list.reload();
        setVersion(draft.version);
      },
      (error: unknown) => error instanceof ApiError && setFailure(error),
    );
  };

  if (list.state === 'loading') return <Loading what="health model versions" />;
  if (list.state === 'failed') return <Failure error={list.error} retry={list.reload} />;
  return (
    <Section
      title="Health model"
      id="health-model"
      actions={
        <>
          <label className="bw-muted" htmlFor="bw-model-version">
            Version
          </label>
          <select
            id="bw-model-version"
            data-testid="model-version"
            value={version ?? ''}
            onChange={(event) => setVersion(Number(event.target.value))}
          >
            {list.data.versions.map((one) => (
              <option key={one.version} value={one.version}>
                {one.version} · {one.status}
                {one.version === list.data.inUse ? ' (in use)' : ''}
                {one.name ? ` · ${one.name}` : ''}
              </option>
            ))}
          </select>
          <button type="button" className="bw-button bw-button-quiet" onClick={newDraft} data-testid="model-new-draft">
            New draft from the model in use
          </button>
        </>
      }
    >
      {failure ? <Failure error={failure} /> : null}
      {detail ? (
        <Editor
          key={detail.version}
          detail={detail}
          onChanged={(changed) => {
            setDetail(changed);
            if (changed.status !== detail.status) list.reload();
          }}
        />
      ) : (
        <Loading what="the model" />
      )}
    </Section>
  );
}
