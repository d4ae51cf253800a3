import type { NotifiedAccount, NotifiedWarning, WarningEvent, WarningLinks } from './payload.ts';
import type { Severity } from './severity.ts';

/**
 * A Slack incoming-webhook body: `text` is the fallback shown in notifications and by clients that do
 * not render blocks; `blocks` is the message. Slack caps header text at 150 characters, section text
 * at 3000 and a field at 2000, so longer words are cut rather than refused by Slack.
 */

export interface SlackText {
  type: 'plain_text' | 'mrkdwn';
  text: string;
}

export type SlackBlock =
  | { type: 'header'; text: SlackText }
  | { type: 'section'; text?: SlackText; fields?: SlackText[] }
  | { type: 'context'; elements: SlackText[] };

export interface SlackPayload {
  text: string;
  blocks: SlackBlock[];
}

const SEVERITY_LABEL: Record<Severity, string> = { low: 'Low', medium: 'Medium', high: 'High' };
const SEVERITY_MARK: Record<Severity, string> = {
  low: ':large_yellow_circle:',
  medium: ':large_orange_circle:',
  high: ':red_circle:',
};
const MAX_STEPS = 5;

/** Slack reads `&`, `<` and `>` as markup in mrkdwn; everything else is literal. */
export function escapeMrkdwn(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

export function truncate(value: string, max: number): string {
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}

const mrkdwn = (text: string, max = 3000): SlackText => ({ type: 'mrkdwn', text: truncate(text, max) });
const day = (at: Date) => at.toISOString().slice(0, 10);

function accountLabel(account: NotifiedAccount, links: WarningLinks): string {
  const name = escapeMrkdwn(account.name ?? account.externalId);
  // A link whose address holds `|` or `>` would break Slack's <url|label> syntax; show the name only.
  return links.account && !/[|<>]/.test(links.account) ? `<${links.account}|${name}>` : name;
}

export function slackPayload(
  event: WarningEvent,
  warning: NotifiedWarning,
  account: NotifiedAccount,
  links: WarningLinks,
  options: { test?: boolean } = {},
): SlackPayload {
  const severity = SEVERITY_LABEL[warning.severity];
  const accountName = account.name ?? account.externalId;
  const verb = event === 'opened' ? 'Early warning' : 'Resolved';
  const prefix = options.test ? '[Test] ' : '';
  const text = `${prefix}${verb} (${severity}): ${warning.title} — ${accountName}`;

  const fields = [
    mrkdwn(`*Account*\n${accountLabel(account, links)}`, 2000),
    mrkdwn(`*Severity*\n${SEVERITY_MARK[warning.severity]} ${severity}`, 2000),
    mrkdwn(`*Rule*\n${escapeMrkdwn(warning.rule)}`, 2000),
    mrkdwn(`*Opened*\n${day(warning.openedAt)}`, 2000),
  ];
  if (event === 'resolved') {
    const resolved = warning.resolvedAt ? day(warning.resolvedAt) : 'now';
    fields.push(
      mrkdwn(`*Resolved*\n${resolved}${warning.resolution ? ` — ${escapeMrkdwn(warning.resolution)}` : ''}`, 2000),
    );
  }

  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(`${prefix}${verb}: ${warning.title}`, 150) } },
    { type: 'section', fields },
  ];
  // Next steps matter while the warning is open; once resolved the playbook is moot.
  if (event === 'opened' && warning.nextSteps.length > 0) {
    const steps = warning.nextSteps
      .slice(0, MAX_STEPS)
      .map((step) => `• ${escapeMrkdwn(step.subject)} (due ${day(step.dueAt)})`);
    const more = warning.nextSteps.length - MAX_STEPS;
    if (more > 0) steps.push(`…and ${more} more`);
    blocks.push({ type: 'section', text: mrkdwn(`*Next steps*\n${steps.join('\n')}`) });
  }
  blocks.push({
    type: 'context',
    elements: [
      mrkdwn(`Bellwether · ${account.provider === 'hubspot' ? 'HubSpot' : 'Salesforce'} · warning ${warning.id}`),
    ],
  });
  return { text, blocks };
}
