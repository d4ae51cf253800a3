import { describe, expect, it } from 'vitest';
import { slackPayload, type SlackBlock } from '../../../../server/core/notify/slack.ts';
import { account, links, resolved, warning } from './fixtures.ts';

const textsOf = (blocks: SlackBlock[]) =>
  blocks.flatMap((block) =>
    block.type === 'context'
      ? block.elements.map((element) => element.text)
      : block.type === 'header'
        ? [block.text.text]
        : [...(block.text ? [block.text.text] : []), ...(block.fields ?? []).map((field) => field.text)],
  );

describe('slackPayload', () => {
  it('has a fallback text and blocks naming the warning, the account (linked), severity and next steps', () => {
    const payload = slackPayload('opened', warning, account, links);
    expect(payload.text).toBe('Early warning (High): Weekly active users down 45% vs baseline — Acme <Widgets> & Co');
    expect(payload.blocks.map((block) => block.type)).toEqual(['header', 'section', 'section', 'context']);
    expect(payload.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Early warning: Weekly active users down 45% vs baseline' },
    });
    const texts = textsOf(payload.blocks);
    // mrkdwn escapes the account's name inside Slack's <url|label> link.
    expect(texts).toContain(`*Account*\n<${links.account}|Acme &lt;Widgets&gt; &amp; Co>`);
    expect(texts).toContain('*Severity*\n:red_circle: High');
    expect(texts).toContain(
      '*Next steps*\n• Call the champion about usage (due 2026-12-02)\n• Offer a training session (due 2026-12-07)',
    );
  });

  it('says how a resolved warning resolved and leaves the playbook out', () => {
    const payload = slackPayload('resolved', resolved, account, { account: null });
    expect(payload.text).toMatch(/^Resolved \(High\): /);
    const texts = textsOf(payload.blocks);
    expect(texts).toContain('*Resolved*\n2026-12-04 — usage back above 90% of baseline');
    expect(texts).toContain('*Account*\nAcme &lt;Widgets&gt; &amp; Co');
    expect(texts.some((text) => text.includes('Next steps'))).toBe(false);
  });

  it('keeps within Slack limits: header 150 characters, at most five steps listed', () => {
    const long = {
      ...warning,
      title: 'x'.repeat(400),
      nextSteps: Array.from({ length: 8 }, (_, i) => ({ subject: `Step ${i + 1}`, dueAt: warning.openedAt })),
    };
    const payload = slackPayload('opened', long, account, links);
    const header = payload.blocks[0];
    expect(header?.type === 'header' && header.text.text.length).toBe(150);
    const steps = textsOf(payload.blocks).find((text) => text.startsWith('*Next steps*')) ?? '';
    expect(steps.split('\n').filter((line) => line.startsWith('•'))).toHaveLength(5);
    expect(steps).toContain('…and 3 more');
  });

  it('marks a test send in the text and the header', () => {
    const payload = slackPayload('opened', warning, account, links, { test: true });
    expect(payload.text.startsWith('[Test] ')).toBe(true);
    expect(textsOf(payload.blocks)[0]).toMatch(/^\[Test\] /);
  });
});
