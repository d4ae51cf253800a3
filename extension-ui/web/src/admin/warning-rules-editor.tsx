import { useEffect, useState } from 'react';
import { z } from 'zod';
import { ApiError, type FieldIssue } from '../api/client.ts';
import { useResource } from '../api/use-resource.ts';
import { useApp } from '../app-context.ts';
import { Section } from '../components/figures.tsx';
import { Failure, Loading } from '../components/states.tsx';

/**
 * The installation's early-warning rules as JSON. The server validates them; a refused save lists each
 * problem at its JSON path and nothing is stored.
 */

const rulesAnswerSchema = z.object({
  version: z.number(),
  source: z.enum(['saved', 'defaults']),
  rules: z.unknown(),
  problems: z.array(z.object({ path: z.string(), message: z.string() })),
});

export function WarningRulesEditor() {
  const { api, installation } = useApp();
  const path = `/api/installations/${encodeURIComponent(installation.id)}/warning-rules`;
  const answer = useResource(path, () => api.get(path, rulesAnswerSchema));
  const [text, setText] = useState('');
  const [saved, setSaved] = useState('');
  const [issues, setIssues] = useState<FieldIssue[]>([]);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (answer.state !== 'ready') return;
    const shown = JSON.stringify(answer.data.rules, null, 2);
    setText(shown);
    setSaved(shown);
    setIssues(answer.data.problems);
  }, [answer]);

  const save = () => {
    let rules: unknown;
    try {
      rules = JSON.parse(text);
    } catch (error) {
      setNotice({ ok: false, text: `Not valid JSON: ${error instanceof Error ? error.message : String(error)}` });
      return;
    }
    setBusy(true);
    setNotice(null);
    api
      .send('PUT', path, rules, rulesAnswerSchema)
      .then(
        (stored) => {
          const shown = JSON.stringify(stored.rules, null, 2);
          setText(shown);
          setSaved(shown);
          setIssues([]);
          setNotice({ ok: true, text: `Saved as version ${stored.version}.` });
        },
        (error: unknown) => {
          setIssues(error instanceof ApiError ? error.issues : []);
          setNotice({ ok: false, text: error instanceof Error ? error.message : 'The rules could not be saved.' });
        },
      )
      .finally(() => setBusy(false));
  };

  if (answer.state === 'loading') return <Loading what="warning rules" />;
  if (answer.state === 'failed') return <Failure error={answer.error} retry={answer.reload} />;
  return (
    <Section
      title="Warning rules"
      id="warning-rules"
      note={
        answer.data.source === 'defaults'
          ? 'The shipped defaults are in use; saving stores this installation’s own rule set.'
          : `Version ${answer.data.version} of this installation’s rules.`
      }
    >
      <textarea
        className="bw-editor"
        aria-label="Warning rules (JSON)"
        data-testid="rules-json"
        spellCheck={false}
        value={text}
        onChange={(event) => setText(event.target.value)}
      />
      <div className="bw-form-row" style={{ marginTop: 8 }}>
        <button
          type="button"
          className="bw-button"
          disabled={busy || text === saved}
          onClick={save}
          data-testid="rules-save"
        >
          {busy ? 'Saving…' : 'Save rules'}
        </button>
        <button
          type="button"
          className="bw-button bw-button-quiet"
          disabled={busy || text === saved}
          onClick={() => setText(saved)}
        >
          Discard changes
        </button>
      </div>
      {notice ? (
        <p className={notice.ok ? 'bw-notice bw-notice-ok' : 'bw-issues'} role="status" data-testid="rules-notice">
          {notice.text}
        </p>
      ) : null}
      {issues.length > 0 ? (
        <ul className="bw-issues" data-testid="rules-problems">
          {issues.map((issue) => (
            <li key={`${issue.path}:${issue.message}`}>
              <code>{issue.path}</code> {issue.message}
            </li>
          ))}
        </ul>
      ) : null}
    </Section>
  );
}
