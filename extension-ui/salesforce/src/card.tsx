import { PALETTE, type CardView, type Tone } from '@bellwether/card-view';
import { sparkline } from './sparkline.ts';

/** The account health card laid out with SLDS markup; everything it says comes from the shared view. */

const toneStyle = (tone: Tone) => ({ color: PALETTE[tone].foreground, backgroundColor: PALETTE[tone].background });
const toneText = (tone: Tone) => ({ color: PALETTE[tone].foreground });

function Sparkline({ history }: { history: CardView['history'] }) {
  const width = 240;
  const height = 48;
  const line = sparkline(history, width, height);
  if (!line.last) return <p className="slds-text-body_small slds-text-color_weak">No history yet.</p>;
  const first = history[0];
  const last = history[history.length - 1];
  return (
    <figure className="bw-sparkline" aria-label="Score over the last 12 weeks">
      <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img">
        <title>{`Score from ${first?.score ?? ''} on ${first?.label ?? ''} to ${last?.score ?? ''} on ${last?.label ?? ''}`}</title>
        <path d={line.path} fill="none" stroke={PALETTE.info.foreground} strokeWidth="1.5" />
        <circle cx={line.last.x} cy={line.last.y} r="2.5" fill={PALETTE.info.foreground} />
      </svg>
      <figcaption className="slds-text-body_small slds-text-color_weak">
        {first?.label} – {last?.label}
      </figcaption>
    </figure>
  );
}

function Banner({ tone, children, role = 'status' }: { tone: Tone; children: React.ReactNode; role?: string }) {
  return (
    <div className={`slds-notify slds-notify_alert ${PALETTE[tone].sldsTheme} bw-banner`} role={role}>
      <h2>{children}</h2>
    </div>
  );
}

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <section className="slds-m-top_medium">
      <h3 className="slds-text-title_caps slds-m-bottom_x-small">{title}</h3>
      {children}
    </section>
  );
}

function Progress({ percent, tone, label }: { percent: number; tone: Tone; label: string }) {
  return (
    <div
      className="slds-progress-bar slds-progress-bar_small"
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent}
      aria-label={label}
    >
      <span className="slds-progress-bar__value" style={{ width: `${percent}%`, background: PALETTE[tone].foreground }}>
        <span className="slds-assistive-text">{`Progress: ${percent}%`}</span>
      </span>
    </div>
  );
}

/** The lifecycle stage and the active success plan; drawn whether or not the account is scored yet. */
function SuccessPlan({ view }: { view: CardView }) {
  const { lifecycle, plan } = view;
  if (!lifecycle && !plan) return null;
  return (
    <Section title={plan ? 'Success plan' : 'Lifecycle'}>
      {lifecycle ? (
        <p data-testid="lifecycle">
          <span className="slds-text-title">Lifecycle</span>{' '}
          <span className="slds-badge" style={toneStyle(lifecycle.tone)}>
            {lifecycle.text}
          </span>
        </p>
      ) : null}
      {lifecycle ? (
        <p className="slds-text-body_small slds-text-color_weak" data-testid="lifecycle-reason">
          {lifecycle.reason}
        </p>
      ) : null}
      {plan ? (
        <>
          <p className="slds-m-top_x-small" data-testid="plan-name">
            <strong>{plan.name}</strong>
          </p>
          <ul data-testid="objectives">
            {plan.objectives.map((objective) => (
              <li key={objective.key} className="slds-m-top_x-small" data-testid={`objective-${objective.key}`}>
                <div className="slds-grid">
                  <span className="slds-col bw-objective-title">{objective.title}</span>
                  <span className="slds-col_bump-left bw-points" style={toneText(objective.tone)}>
                    {objective.percentText ? `${objective.percentText} · ` : ''}
                    {objective.statusLabel}
                  </span>
                </div>
                {objective.percent !== null ? (
                  <Progress
                    percent={objective.percent}
                    tone={objective.tone}
                    label={`${objective.title}: ${objective.percentText ?? ''} of the way to the target`}
                  />
                ) : null}
                <p className="slds-text-body_small slds-text-color_weak">{objective.detail}</p>
              </li>
            ))}
          </ul>
          {plan.nextMilestone ? (
            <p className="slds-m-top_x-small" data-testid="next-milestone">
              Next: {plan.nextMilestone.title}{' '}
              <span
                className="slds-text-body_small"
                style={plan.nextMilestone.overdue ? toneText(plan.nextMilestone.tone) : undefined}
              >
                ({plan.nextMilestone.dueText})
              </span>
            </p>
          ) : null}
          {plan.milestonesText ? (
            <p className="slds-text-body_small slds-text-color_weak" data-testid="milestones">
              {plan.milestonesText}
            </p>
          ) : null}
        </>
      ) : null}
    </Section>
  );
}

export function CardBody({ view }: { view: CardView }) {
  return (
    <>
      {view.freshness.banner ? <Banner tone="warning">{view.freshness.banner}</Banner> : null}
      {view.override ? <Banner tone={view.override.tone}>{view.override.banner}</Banner> : null}
      {view.empty ? (
        <div className="slds-box slds-theme_shade slds-m-top_small" data-testid="empty">
          <h2 className="slds-text-heading_small">{view.empty.title}</h2>
          <p>{view.empty.body}</p>
        </div>
      ) : null}
      {view.headline ? (
        <div className="slds-grid slds-grid_vertical-align-center slds-m-top_small bw-headline">
          <span className="bw-score" style={toneStyle(view.headline.tone)} data-testid="score">
            {view.headline.scoreText}
          </span>
          <div className="slds-m-left_medium">
            <span className="slds-badge" style={toneStyle(view.headline.tone)} data-testid="band">
              {view.headline.bandLabel}
            </span>
            <span className="slds-badge slds-badge_lightest">{view.headline.sourceLabel}</span>
            {view.trend ? (
              <p style={toneText(view.trend.tone)} data-testid="trend">
                {view.trend.arrow} {view.trend.text}
              </p>
            ) : null}
            <p className="slds-text-body_small slds-text-color_weak">{view.headline.coverageText}</p>
          </div>
        </div>
      ) : null}
      {view.moved ? <p className="slds-m-top_x-small">{view.moved}</p> : null}
      {view.history.length > 0 ? (
        <Section title="Last 12 weeks">
          <Sparkline history={view.history} />
        </Section>
      ) : null}
      {view.drivers.length > 0 ? (
        <Section title="Top drivers">
          <ul className="slds-has-dividers_bottom-space" data-testid="drivers">
            {view.drivers.map((driver) => (
              <li className="slds-item slds-grid" key={driver.key}>
                <span className="slds-col bw-driver-text">{driver.text}</span>
                <span className="slds-col_bump-left bw-points" style={toneText(driver.tone)}>
                  {driver.impactText}
                </span>
              </li>
            ))}
          </ul>
        </Section>
      ) : null}
      {view.alerts.length > 0 ? (
        <Section title="Open alerts">
          <ul data-testid="alerts">
            {view.alerts.map((alert) => (
              <li key={alert.id} className="slds-m-bottom_small">
                <strong style={toneText(alert.tone)}>{alert.title}</strong>
                {alert.detail ? <p className="slds-text-body_small">{alert.detail}</p> : null}
                {alert.steps.length > 0 ? (
                  <ol className="slds-list_ordered slds-text-body_small">
                    {alert.steps.map((step) => (
                      <li key={step.text} className={step.done ? 'slds-text-color_weak' : undefined}>
                        {step.text} <span className="slds-text-color_weak">({step.due})</span>
                      </li>
                    ))}
                  </ol>
                ) : null}
                <p className="slds-text-body_small slds-text-color_weak">{alert.opened}</p>
              </li>
            ))}
          </ul>
        </Section>
      ) : null}
      <SuccessPlan view={view} />
      <Section title="QBR brief">
        <p className="slds-text-body_small" data-testid="qbr-summary">
          {view.qbr.summary}
        </p>
        {view.qbr.links.length > 0 ? (
          <p className="slds-text-body_small">
            {view.qbr.links.map((link, index) => (
              <span key={link.label}>
                {index > 0 ? ' · ' : ''}
                <a href={link.href} target="_blank" rel="noopener noreferrer">
                  {link.label}
                </a>
              </span>
            ))}
          </p>
        ) : null}
      </Section>
      {view.groups.length > 0 ? (
        <Section title="By area">
          <table className="slds-table slds-table_bordered slds-table_cell-buffer slds-table_fixed-layout">
            <thead>
              <tr className="slds-line-height_reset">
                <th scope="col">Area</th>
                <th scope="col">Score</th>
                <th scope="col">Weight</th>
              </tr>
            </thead>
            <tbody>
              {view.groups.map((group) => (
                <tr key={group.key}>
                  <th scope="row">{group.label}</th>
                  <td style={toneText(group.tone)}>{group.scoreText}</td>
                  <td>{group.weightText}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Section>
      ) : null}
      {view.renewal ? (
        <p className="slds-m-top_medium" data-testid="renewal">
          {view.renewal}
        </p>
      ) : null}
      <p className="slds-text-body_small slds-text-color_weak slds-m-top_small">{view.freshness.updated}</p>
    </>
  );
}
