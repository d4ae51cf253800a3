import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import {
  plansApi,
  templateSummaries,
  type AccountPlansBody,
  type MilestoneBody,
  type NewShareLinkBody,
  type NoteBody,
  type ObjectiveBody,
  type PlanBody,
  type PlansApi,
  type StageBody,
  type TemplateSummary,
} from '../api/plans-api.ts';
import { useResource } from '../api/use-resource.ts';
import { useApp } from '../app-context.ts';
import { ActionError } from '../components/action-error.tsx';
import { crmRecordUrl } from '../components/account-link.tsx';
import { Num, Section } from '../components/figures.tsx';
import { PageHeader } from '../components/page-frame.tsx';
import {
  badgeClass,
  MILESTONE_STATUS,
  OBJECTIVE_TONE,
  SHARE_LINK_STATE,
  STAGE_WORD,
} from '../components/plan-labels.ts';
import { Empty, Failure, Loading } from '../components/states.tsx';
import { count, day, instant, share } from '../format.ts';
import { onLinkClick, pagePath } from '../router.ts';

/**
 * One account's success plans: the stage it is in and why, then each plan (active first) with its
 * objectives as the signals read them, its milestones (marked reached by hand when a person knows
 * better than the signals), notes, closing, and links that show the plan to the customer. Every
 * action's error is shown beside the control that caused it.
 */

const PROVIDER_NAME = { hubspot: 'HubSpot', salesforce: 'Salesforce' } as const;
const SHARE_DAYS = { min: 1, max: 90, default: 30 } as const;

/** One action's life: running, and what went wrong the last time. */
function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const run = (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    action()
      .catch((failure: unknown) => setError(failure instanceof Error ? failure : new Error(String(failure))))
      .finally(() => setBusy(false));
  };
  return { busy, error, run };
}

/** Active plans first, then the newest. */
const inShowingOrder = (plans: readonly PlanBody[]) =>
  [...plans].sort(
    (a, b) => Number(a.status === 'closed') - Number(b.status === 'closed') || b.startedAt.localeCompare(a.startedAt),
  );

const BAR_COLOUR = {
  on_track: 'var(--bw-accent)',
  behind: '#f59e0b',
  achieved: 'var(--bw-green)',
  missed: 'var(--bw-red)',
  no_data: 'var(--bw-border-strong)',
} as const;

function ProgressBar({ objective }: { objective: ObjectiveBody }) {
  if (objective.progress === null) return <span className="bw-muted">—</span>;
  const percent = Math.round(objective.progress * 100);
  return (
    <div style={{ display: 'grid', gap: 2, minWidth: 120 }}>
      <div
        className="bw-mix"
        role="progressbar"
        aria-label={`${objective.title}: progress to target`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
      >
        <span style={{ width: `${percent}%`, background: BAR_COLOUR[objective.status] }} />
      </div>
      <span className="bw-muted">{share(objective.progress)} of the way</span>
    </div>
  );
}

function StageSection({ stage }: { stage: StageBody | null }) {
  return (
    <Section title="Lifecycle stage" id="account-stage">
      {stage ? (
        <dl className="bw-kv" data-stage={stage.stage}>
          <dt>Stage</dt>
          <dd>
            <strong data-testid="stage-label">{stage.label}</strong>
          </dd>
          <dt>Why</dt>
          <dd data-testid="stage-reason">{stage.reason}</dd>
          <dt>In this stage</dt>
          <dd>
            <Num id="stage-days" value={stage.daysInStage}>
              {count(stage.daysInStage)} {stage.daysInStage === 1 ? 'day' : 'days'}
            </Num>{' '}
            <span className="bw-muted">(since {day(stage.enteredAt)})</span>
          </dd>
        </dl>
      ) : (
        <p className="bw-muted" data-testid="stage-none">
          Not staged yet: the account gets its stage with its next score run.
        </p>
      )}
    </Section>
  );
}

function StartPlan({
  api,
  accountId,
  onStarted,
}: {
  api: PlansApi;
  accountId: string;
  onStarted: (plan: PlanBody) => void;
}) {
  const settings = useResource(api.settingsPath, () => api.settings());
  const templates: TemplateSummary[] = settings.state === 'ready' ? templateSummaries(settings.data) : [];
  const [picked, setPicked] = useState('');
  const action = useAction();
  const chosen = picked || templates[0]?.key || '';

  const start = (event: FormEvent) => {
    event.preventDefault();
    if (!chosen) return;
    action.run(async () => onStarted(await api.startPlan(accountId, chosen)));
  };

  return (
    <Section title="Start a plan from a template" id="start-plan">
      {settings.state === 'failed' ? <Failure error={settings.error} retry={settings.reload} /> : null}
      <form className="bw-form-row" onSubmit={start}>
        <div className="bw-field">
          <label htmlFor="bw-plan-template">Template</label>
          <select
            id="bw-plan-template"
            data-testid="plan-template"
            value={chosen}
            disabled={settings.state !== 'ready' || templates.length === 0}
            onChange={(event) => setPicked(event.target.value)}
          >
            {settings.state === 'loading' ? <option value="">Loading templates…</option> : null}
            {settings.state === 'ready' && templates.length === 0 ? <option value="">No templates</option> : null}
            {templates.map((template) => (
              <option key={template.key} value={template.key}>
                {template.name} · {STAGE_WORD[template.stage]}
                {template.segment ? ` · ${template.segment}` : ''}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="bw-button" disabled={!chosen || action.busy} data-testid="plan-start">
          {action.busy ? 'Starting…' : 'Start plan'}
        </button>
      </form>
      <ActionError error={action.error} id="plan-start" />
    </Section>
  );
}

function ObjectivesTable({ objectives }: { objectives: readonly ObjectiveBody[] }) {
  if (objectives.length === 0) return <p className="bw-muted">This plan has no objectives.</p>;
  return (
    <div className="bw-table-scroll">
      <table className="bw-table" data-testid="objectives-table">
        <caption className="bw-table-caption" style={{ textAlign: 'left' }}>
          Objectives
        </caption>
        <thead>
          <tr>
            <th scope="col">Objective</th>
            <th scope="col">Status</th>
            <th scope="col">Now</th>
            <th scope="col">Expected by now</th>
            <th scope="col">Target</th>
            <th scope="col">Progress</th>
            <th scope="col">Due</th>
          </tr>
        </thead>
        <tbody>
          {objectives.map((objective) => (
            <tr key={objective.key} data-key={objective.key} data-status={objective.status}>
              <td data-col="title">{objective.title}</td>
              <td data-col="status">
                <span className={badgeClass(OBJECTIVE_TONE[objective.status])}>{objective.statusLabel}</span>
              </td>
              <td data-col="value">{objective.valueText ?? <span className="bw-muted">No reading yet</span>}</td>
              <td data-col="expected">{objective.expectedText ?? '—'}</td>
              <td data-col="target">{objective.targetText}</td>
              <td data-col="progress">
                <ProgressBar objective={objective} />
              </td>
              <td data-col="due">{day(objective.dueAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function MilestoneRow({
  api,
  plan,
  milestone,
  onChange,
}: {
  api: PlansApi;
  plan: PlanBody;
  milestone: MilestoneBody;
  onChange: (plan: PlanBody) => void;
}) {
  const action = useAction();
  const reached = milestone.reachedAt !== null;
  // The box shows what was asked for while the server answers, and what it stored after.
  const [asked, setAsked] = useState<boolean | null>(null);
  const status = MILESTONE_STATUS[milestone.status];
  const toggle = () => {
    const wanted = !reached;
    setAsked(wanted);
    action.run(async () => {
      try {
        onChange(await api.markMilestone(plan.id, milestone.key, wanted));
      } finally {
        setAsked(null);
      }
    });
  };
  return (
    <tr data-key={milestone.key} data-status={milestone.status}>
      <td data-col="title">
        {milestone.title}
        {milestone.condition ? <div className="bw-muted">Reached on its own at {milestone.condition.text}</div> : null}
      </td>
      <td data-col="owner">{milestone.owner ? (milestone.owner.name ?? milestone.owner.id) : '—'}</td>
      <td data-col="due">{day(milestone.dueAt)}</td>
      <td data-col="status">
        <span className={badgeClass(status.tone)}>{status.word}</span>
        {milestone.reachedAt ? (
          <div className="bw-muted">
            {day(milestone.reachedAt)}
            {milestone.reachedBy === 'signal'
              ? ', by the signals'
              : milestone.reachedBy
                ? `, by ${milestone.reachedBy}`
                : ''}
          </div>
        ) : null}
      </td>
      <td data-col="reached">
        <label style={{ display: 'inline-flex', gap: 6, alignItems: 'center' }}>
          <input
            type="checkbox"
            checked={asked ?? reached}
            disabled={plan.status === 'closed' || action.busy}
            onChange={toggle}
            aria-label={`${milestone.title}: reached`}
            data-testid="milestone-reached"
          />
          {action.busy ? 'Saving…' : 'Reached'}
        </label>
        <ActionError error={action.error} id="milestone" />
      </td>
    </tr>
  );
}

function MilestonesTable({
  api,
  plan,
  onChange,
}: {
  api: PlansApi;
  plan: PlanBody;
  onChange: (plan: PlanBody) => void;
}) {
  if (plan.milestones.length === 0) return <p className="bw-muted">This plan has no milestones.</p>;
  return (
    <div className="bw-table-scroll">
      <table className="bw-table" data-testid="milestones-table">
        <caption className="bw-table-caption" style={{ textAlign: 'left' }}>
          Milestones
        </caption>
        <thead>
          <tr>
            <th scope="col">Milestone</th>
            <th scope="col">Owner</th>
            <th scope="col">Due</th>
            <th scope="col">Status</th>
            <th scope="col">Mark by hand</th>
          </tr>
        </thead>
        <tbody>
          {plan.milestones.map((milestone) => (
            <MilestoneRow key={milestone.key} api={api} plan={plan} milestone={milestone} onChange={onChange} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Notes({ api, plan, onAdded }: { api: PlansApi; plan: PlanBody; onAdded: (note: NoteBody) => void }) {
  const [text, setText] = useState('');
  const action = useAction();
  const inputId = `bw-note-${plan.id}`;
  const add = (event: FormEvent) => {
    event.preventDefault();
    action.run(async () => {
      onAdded(await api.addNote(plan.id, text));
      setText('');
    });
  };
  return (
    <div data-testid="plan-notes">
      <h3>Notes</h3>
      {plan.notes.length === 0 ? (
        <p className="bw-muted">No notes yet.</p>
      ) : (
        <ul style={{ listStyle: 'none', padding: 0, margin: 0, display: 'grid', gap: 8 }}>
          {plan.notes.map((note) => (
            <li key={note.id} data-testid="plan-note">
              <div className="bw-muted">
                {note.author} · {instant(note.createdAt)}
              </div>
              <div style={{ whiteSpace: 'pre-wrap' }}>{note.body}</div>
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={add} className="bw-form" style={{ marginTop: 8 }}>
        <div className="bw-field">
          <label htmlFor={inputId}>Add a note</label>
          <textarea
            id={inputId}
            className="bw-editor"
            style={{ minHeight: 70, fontFamily: 'inherit', fontSize: 'inherit' }}
            value={text}
            onChange={(event) => setText(event.target.value)}
            data-testid="note-input"
          />
        </div>
        <div className="bw-form-row">
          <button
            type="submit"
            className="bw-button"
            disabled={action.busy || text.trim() === ''}
            data-testid="note-add"
          >
            {action.busy ? 'Adding…' : 'Add note'}
          </button>
        </div>
      </form>
      <ActionError error={action.error} id="note" />
    </div>
  );
}

function NewLink({ link }: { link: NewShareLinkBody }) {
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<'yes' | 'select' | null>(null);
  const copy = () => {
    navigator.clipboard.writeText(link.url).then(
      () => setCopied('yes'),
      () => {
        // Without clipboard access the address is selected for the person to copy.
        input.current?.select();
        setCopied('select');
      },
    );
  };
  return (
    <div className="bw-notice bw-notice-ok" data-testid="share-new">
      <div className="bw-form-row" style={{ alignItems: 'center' }}>
        <label htmlFor={`bw-share-${link.id}`}>Link</label>
        <input
          ref={input}
          id={`bw-share-${link.id}`}
          readOnly
          value={link.url}
          onFocus={(event) => event.target.select()}
          style={{ flex: 1, minWidth: 320, font: 'inherit', padding: '4px 8px' }}
          data-testid="share-url"
        />
        <button type="button" className="bw-button" onClick={copy} data-testid="share-copy">
          {copied === 'yes' ? 'Copied' : 'Copy'}
        </button>
      </div>
      <p style={{ margin: '6px 0 0' }} role="status">
        {copied === 'select' ? 'Press Ctrl+C (⌘C) to copy the selected address. ' : ''}
        This address is shown only now and will not be shown again: copy it before leaving the page. Anyone holding it
        can read this plan until {instant(link.expiresAt)}, unless the link is revoked.
      </p>
    </div>
  );
}

function ShareLinks({ api, plan }: { api: PlansApi; plan: PlanBody }) {
  const links = useResource(`${plan.id}/share`, () => api.shareLinks(plan.id));
  const [days, setDays] = useState(String(SHARE_DAYS.default));
  const [created, setCreated] = useState<NewShareLinkBody | null>(null);
  const create = useAction();
  const revoke = useAction();
  const daysId = `bw-share-days-${plan.id}`;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.run(async () => {
      setCreated(null);
      setCreated(await api.createShareLink(plan.id, Number(days)));
      links.reload();
    });
  };
  const revokeLink = (linkId: string) =>
    revoke.run(async () => {
      await api.revokeShareLink(plan.id, linkId);
      links.reload();
    });

  return (
    <div data-testid="plan-share">
      <h3>Share with the customer</h3>
      <p className="bw-muted">
        A share link opens a read-only page of this plan (its objectives and milestones, no notes) without signing in.
      </p>
      <form className="bw-form-row" onSubmit={submit}>
        <div className="bw-field">
          <label htmlFor={daysId}>Expires after (days)</label>
          <input
            id={daysId}
            type="number"
            min={SHARE_DAYS.min}
            max={SHARE_DAYS.max}
            step={1}
            value={days}
            onChange={(event) => setDays(event.target.value)}
            style={{ width: 90 }}
            data-testid="share-days"
          />
        </div>
        <button type="submit" className="bw-button" disabled={create.busy} data-testid="share-create">
          {create.busy ? 'Creating…' : 'Create share link'}
        </button>
      </form>
      <ActionError error={create.error} id="share-create" />
      {created ? <NewLink link={created} /> : null}
      {links.state === 'loading' ? (
        <Loading what="share links" />
      ) : links.state === 'failed' ? (
        <Failure error={links.error} retry={links.reload} />
      ) : links.data.links.length === 0 ? (
        <p className="bw-muted">No share links yet.</p>
      ) : (
        <div className="bw-table-scroll">
          <table className="bw-table" data-testid="share-links-table">
            <caption className="bw-table-caption" style={{ textAlign: 'left' }}>
              Share links
            </caption>
            <thead>
              <tr>
                <th scope="col">Created</th>
                <th scope="col">By</th>
                <th scope="col">State</th>
                <th scope="col">Expires</th>
                <th scope="col">Last opened</th>
                <th scope="col">
                  <span className="bw-muted">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {links.data.links.map((link) => {
                const state = SHARE_LINK_STATE[link.state];
                return (
                  <tr key={link.id} data-key={link.id} data-state={link.state}>
                    <td data-col="created">{instant(link.createdAt)}</td>
                    <td data-col="by">{link.createdBy}</td>
                    <td data-col="state">
                      <span className={badgeClass(state.tone)}>{state.word}</span>
                      {link.revokedAt ? <div className="bw-muted">{instant(link.revokedAt)}</div> : null}
                    </td>
                    <td data-col="expires">{instant(link.expiresAt)}</td>
                    <td data-col="opened">{link.lastOpenedAt ? instant(link.lastOpenedAt) : 'Never'}</td>
                    <td>
                      {link.state === 'active' ? (
                        <button
                          type="button"
                          className="bw-button bw-button-quiet"
                          disabled={revoke.busy}
                          onClick={() => revokeLink(link.id)}
                          aria-label={`Revoke the link created ${instant(link.createdAt)}`}
                          data-testid="share-revoke"
                        >
                          Revoke
                        </button>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <ActionError error={revoke.error} id="share-revoke" />
    </div>
  );
}

function PlanSection({
  api,
  plan,
  onChange,
  onNote,
}: {
  api: PlansApi;
  plan: PlanBody;
  onChange: (plan: PlanBody) => void;
  onNote: (note: NoteBody) => void;
}) {
  const close = useAction();
  const [confirming, setConfirming] = useState(false);
  const closePlan = () =>
    close.run(async () => {
      onChange(await api.closePlan(plan.id));
      setConfirming(false);
    });
  const active = plan.status === 'active';
  return (
    <div data-testid="plan" data-plan={plan.id} data-status={plan.status}>
      <Section
        title={plan.name}
        id={`plan-${plan.id}`}
        note={
          <>
            <span className={badgeClass(active ? 'green' : 'neutral')}>{active ? 'Active' : 'Closed'}</span>{' '}
            {plan.stageLabel} stage · started {day(plan.startedAt)}{' '}
            {plan.origin === 'stage' ? 'when the account entered the stage' : `by ${plan.createdBy}`}
            {plan.closedAt ? `; closed ${day(plan.closedAt)}` : ''}
            {plan.readAt ? `. Read from the signals ${instant(plan.readAt)}.` : '. Not read from the signals yet.'}
          </>
        }
        actions={
          active ? (
            confirming ? (
              <>
                <span className="bw-muted">Close this plan? Its milestones stop changing.</span>
                <button
                  type="button"
                  className="bw-button bw-button-danger"
                  disabled={close.busy}
                  onClick={closePlan}
                  data-testid="plan-close-confirm"
                >
                  {close.busy ? 'Closing…' : 'Close plan'}
                </button>
                <button type="button" className="bw-button bw-button-quiet" onClick={() => setConfirming(false)}>
                  Keep it open
                </button>
              </>
            ) : (
              <button
                type="button"
                className="bw-button bw-button-quiet"
                onClick={() => setConfirming(true)}
                data-testid="plan-close"
              >
                Close plan
              </button>
            )
          ) : null
        }
      >
        <ActionError error={close.error} id="plan-close" />
        <ObjectivesTable objectives={plan.objectives} />
        <MilestonesTable api={api} plan={plan} onChange={onChange} />
        <div className="bw-grid-2" style={{ marginTop: 12 }}>
          <Notes api={api} plan={plan} onAdded={onNote} />
          <ShareLinks api={api} plan={plan} />
        </div>
      </Section>
    </div>
  );
}

export function AccountPlanPage({ accountId }: { accountId: string }) {
  const { api, installation } = useApp();
  const plans = useMemo(() => plansApi(api, installation.id), [api, installation.id]);
  const resource = useResource(plans.accountPath(accountId), () => plans.accountPlans(accountId));
  const [data, setData] = useState<AccountPlansBody | null>(null);

  useEffect(() => {
    if (resource.state === 'ready') setData(resource.data);
  }, [resource]);

  const replace = (changed: PlanBody) =>
    setData((current) =>
      current
        ? {
            ...current,
            plans: current.plans.some((plan) => plan.id === changed.id)
              ? current.plans.map((plan) => (plan.id === changed.id ? changed : plan))
              : [changed, ...current.plans],
          }
        : current,
    );

  const addNote = (planId: string, note: NoteBody) =>
    setData((current) =>
      current
        ? {
            ...current,
            plans: current.plans.map((plan) => (plan.id === planId ? { ...plan, notes: [...plan.notes, note] } : plan)),
          }
        : current,
    );

  const title = data?.accountName ?? (data ? accountId : 'Account plans');
  return (
    <div data-testid="page-account-plans" data-account={accountId}>
      <PageHeader title={title}>
        <a href={pagePath(installation.id, 'plans')} onClick={onLinkClick} data-testid="back-to-plans">
          ← All plans
        </a>
        <a href={crmRecordUrl(installation, accountId)} target="_blank" rel="noreferrer">
          Open in {PROVIDER_NAME[installation.provider]}
        </a>
      </PageHeader>
      {resource.state === 'failed' && resource.error.code === 'ACCOUNT_NOT_FOUND' ? (
        <div className="bw-state bw-state-error" role="alert" data-testid="not-found">
          <strong>No such account in this installation.</strong>
          <span>It may have been removed from the CRM before it had a plan.</span>
        </div>
      ) : resource.state === 'failed' ? (
        <Failure error={resource.error} retry={resource.reload} />
      ) : !data ? (
        <Loading what="the account's plans" />
      ) : (
        <>
          <StageSection stage={data.stage} />
          {data.plans.length === 0 ? (
            <Empty>
              <strong>No plans yet.</strong>
              <span>
                A plan is made from the templates when the account enters a stage; start one from a template below.
              </span>
            </Empty>
          ) : (
            inShowingOrder(data.plans).map((plan) => (
              <PlanSection
                key={plan.id}
                api={plans}
                plan={plan}
                onChange={replace}
                onNote={(note) => addNote(plan.id, note)}
              />
            ))
          )}
          <StartPlan api={plans} accountId={accountId} onStarted={replace} />
        </>
      )}
    </div>
  );
}
