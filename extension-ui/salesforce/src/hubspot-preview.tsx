import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { z } from 'zod';
import { buildCardView, PALETTE, type CardView, type Tone } from '@bellwether/card-view';
import type { AccountCard } from './api.ts';
import { sparkline } from './sparkline.ts';
import './hubspot-preview.css';

/**
 * The local preview's HubSpot panel: the same shared view model the HubSpot card draws, laid out as
 * the company record's sidebar shows it (statistic, tags, history line, drivers table), without a
 * HubSpot account. The preview page puts the card in as inert JSON.
 */

const previewSchema = z.object({ card: z.looseObject({ account: z.looseObject({}) }), now: z.iso.datetime() });

const Tag = ({ tone, children }: { tone: Tone; children: React.ReactNode }) => (
  <span className={`hs-tag hs-tag--${PALETTE[tone].hubspotTag}`}>{children}</span>
);

function HubspotLayout({ view }: { view: CardView }) {
  const line = sparkline(view.history, 260, 60);
  return (
    <div className="hs-card">
      <h2 className="hs-title">Customer health</h2>
      {view.freshness.banner ? <div className="hs-alert hs-alert--warning">{view.freshness.banner}</div> : null}
      {view.override ? (
        <div className={`hs-alert hs-alert--${PALETTE[view.override.tone].hubspotAlert}`}>{view.override.banner}</div>
      ) : null}
      {view.empty ? (
        <div className="hs-empty">
          <strong>{view.empty.title}</strong>
          <p>{view.empty.body}</p>
        </div>
      ) : null}
      {view.headline ? (
        <div className="hs-statistic">
          <span className="hs-statistic__label">Health score</span>
          <span className="hs-statistic__number" data-testid="hubspot-score">
            {view.headline.scoreText}
          </span>
          <span>
            <Tag tone={view.headline.tone}>{view.headline.bandLabel}</Tag>
            {view.trend ? (
              <Tag tone={view.trend.tone}>
                {view.trend.arrow} {view.trend.label}
              </Tag>
            ) : null}
          </span>
        </div>
      ) : null}
      {line.path ? (
        <svg width="260" height="60" viewBox="0 0 260 60" role="img" aria-label="Score over the last 12 weeks">
          <path d={line.path} fill="none" stroke="#ff7a59" strokeWidth="2" />
        </svg>
      ) : null}
      {view.drivers.length > 0 ? (
        <table className="hs-table">
          <thead>
            <tr>
              <th>Driver</th>
              <th>Effect</th>
            </tr>
          </thead>
          <tbody>
            {view.drivers.map((driver) => (
              <tr key={driver.key}>
                <td>{driver.text}</td>
                <td>
                  <Tag tone={driver.tone}>{driver.impactText}</Tag>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {view.alerts.map((alert) => (
        <div key={alert.id} className={`hs-alert hs-alert--${PALETTE[alert.tone].hubspotAlert}`}>
          <strong>{alert.title}</strong>
          {alert.detail ? <p>{alert.detail}</p> : null}
          {alert.steps.length > 0 ? (
            <ol>
              {alert.steps.map((step) => (
                <li key={step.text}>
                  {step.text} ({step.due})
                </li>
              ))}
            </ol>
          ) : null}
        </div>
      ))}
      {view.lifecycle ? (
        <p>
          Lifecycle <Tag tone={view.lifecycle.tone}>{view.lifecycle.text}</Tag>
        </p>
      ) : null}
      {view.plan ? (
        <div className="hs-plan" data-testid="hubspot-plan">
          <strong>Success plan: {view.plan.name}</strong>
          {view.plan.objectives.map((objective) => (
            <div key={objective.key} className="hs-objective">
              <span>
                {objective.title} <Tag tone={objective.tone}>{objective.statusLabel}</Tag>
              </span>
              {objective.percent !== null ? (
                <progress max={100} value={objective.percent} aria-label={objective.title} />
              ) : null}
              <span className="hs-muted">{objective.detail}</span>
            </div>
          ))}
          {view.plan.nextMilestone ? (
            <p>
              Next: {view.plan.nextMilestone.title}{' '}
              <Tag tone={view.plan.nextMilestone.tone}>{view.plan.nextMilestone.dueText}</Tag>
            </p>
          ) : null}
          {view.plan.milestonesText ? <p className="hs-muted">{view.plan.milestonesText}</p> : null}
        </div>
      ) : null}
      <p className="hs-muted">{view.qbr.summary}</p>
      {view.renewal ? <p>{view.renewal}</p> : null}
      <p className="hs-muted">{view.freshness.updated}</p>
    </div>
  );
}

const root = createRoot(document.getElementById('root') as HTMLElement);
const parsed = previewSchema.safeParse(
  JSON.parse(document.getElementById('bellwether-preview-card')?.textContent ?? 'null'),
);
root.render(
  parsed.success ? (
    <StrictMode>
      <HubspotLayout view={buildCardView(parsed.data.card as AccountCard, { now: new Date(parsed.data.now) })} />
    </StrictMode>
  ) : (
    <p role="alert">The preview has no card to draw.</p>
  ),
);
