import { describe, expect, it } from 'vitest';
import { buildBrief } from '../../../../server/core/qbr/build.ts';
import { escapeHtml, renderHtml } from '../../../../server/core/qbr/render-html.ts';
import { escapeMarkdown, renderMarkdown } from '../../../../server/core/qbr/render-markdown.ts';
import { inputs } from './fixture.ts';

const AT = Date.parse('2026-09-29T08:00:00Z');
const HOSTILE = '<script>alert("x")</script> & *bold* | _it_ [link](http://evil.example)';

const brief = buildBrief(
  inputs({
    account: { name: HOSTILE },
    warnings: [
      { rule: 'r', severity: 'high', title: `Usage <b>fell</b> & "more"`, openedAt: '2026-09-01T00:00:00.000Z' },
    ],
    contacts: { champions: 0 },
  }),
  AT,
);

describe.each([
  { format: 'Markdown', render: renderMarkdown, escape: escapeMarkdown },
  { format: 'HTML', render: renderHtml, escape: escapeHtml },
])('the $format brief', ({ render, escape }) => {
  const out = render(brief);

  it('shows every figure with its value and definition', () => {
    for (const figure of brief.figures) {
      expect(out).toContain(escape(figure.label));
      expect(out).toContain(escape(figure.text));
      expect(out).toContain(escape(figure.definition));
    }
  });

  it('states the period, and shows the wins, risks, opportunities, agenda and renewal', () => {
    expect(out).toContain('1 Jul–28 Sep 2026 (90 days, UTC)');
    for (const text of [
      ...brief.risks.map((risk) => risk.title),
      ...brief.opportunities.map((item) => item.title),
      ...brief.agenda.map((item) => item.title),
      brief.renewal.text,
    ]) {
      expect(out).toContain(escape(text));
    }
    expect(brief.opportunities).toHaveLength(3);
  });
});

describe('escaping', () => {
  it('HTML carries no markup from the data', () => {
    const html = renderHtml(brief);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>fell</b>');
    expect(html).toContain('&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; *bold*');
    expect(html).toContain('Usage &#60;b&#62;fell&#60;/b&#62; &#38; &#34;more&#34;');
  });

  it('HTML is one self-contained, printable page', () => {
    const html = renderHtml(brief);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('@media print');
    expect(html).not.toMatch(/<(script|link|img|iframe)\b/i);
    expect(html).not.toMatch(/\b(src|href)=/i);
  });

  it.each([
    ['*bold*', '\\*bold\\*'],
    ['a | b', 'a \\| b'],
    ['[link](x)', '\\[link\\](x)'],
    ['<b>', '\\<b\\>'],
    ['line\nbreak', 'line break'],
    ['snake_case', 'snake\\_case'],
  ])('Markdown escapes %j as %j', (text, escaped) => {
    expect(escapeMarkdown(text)).toBe(escaped);
  });

  it('Markdown keeps the hostile name on its line, inert', () => {
    const title = renderMarkdown(brief).split('\n')[0];
    expect(title).toBe(`# QBR brief: ${escapeMarkdown(HOSTILE)}`);
    expect(title).not.toMatch(/(^|[^\\])\*bold/);
  });
});
