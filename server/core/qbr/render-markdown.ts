import type { Brief } from './brief.ts';
import { EMPTY, briefSubtitle, briefTitle, figureTables, opportunityGain, planSection } from './sections.ts';

/** The brief as Markdown (a CRM note, an email): every figure with its definition, text escaped. */

/** Escapes what Markdown would read as markup, and keeps a value on one table row. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>|#~]/g, (char) => `\\${char}`).replace(/\r?\n/g, ' ');
}

export function renderMarkdown(brief: Brief): string {
  const md = escapeMarkdown;
  const lines: string[] = [`# ${md(briefTitle(brief))}`, '', md(briefSubtitle(brief)), '', md(brief.summary), ''];

  lines.push('## Key figures', '');
  for (const table of figureTables(brief)) {
    lines.push(`### ${md(table.title)}`, '', '| Figure | Value | Definition |', '| --- | --- | --- |');
    for (const figure of table.figures)
      lines.push(`| ${md(figure.label)} | ${md(figure.text)} | ${md(figure.definition)} |`);
    lines.push('');
  }

  const plans = planSection(brief);
  if (plans !== null) {
    lines.push(`## ${md(plans.title)}`, '');
    if (plans.empty !== null) lines.push(md(plans.empty), '');
    for (const plan of plans.tables) {
      lines.push(`### ${md(plan.title)}`, '', md(plan.meta), '');
      if (plan.rows.length > 0) {
        lines.push(`| ${plan.columns.map(md).join(' | ')} |`, `|${' --- |'.repeat(plan.columns.length)}`);
        for (const row of plan.rows) lines.push(`| ${row.map(md).join(' | ')} |`);
        lines.push('');
      }
      for (const list of plan.lists) {
        lines.push(`**${md(list.title)}**`, '');
        if (list.items.length === 0) lines.push(md(list.empty));
        for (const item of list.items) lines.push(`- ${md(item)}`);
        lines.push('');
      }
    }
  }

  lines.push('## Wins', '');
  if (brief.wins.length === 0) lines.push(EMPTY.wins);
  for (const win of brief.wins) lines.push(`- **${md(win.title)}**: ${md(win.detail)}`);
  lines.push('', '## Risks', '');
  if (brief.risks.length === 0) lines.push(EMPTY.risks);
  for (const risk of brief.risks) lines.push(`- **${md(risk.title)}** (${risk.severity}): ${md(risk.detail)}`);
  lines.push('', '## Top opportunities', '');
  if (brief.opportunities.length === 0) lines.push(EMPTY.opportunities);
  brief.opportunities.forEach((opportunity, index) =>
    lines.push(
      `${index + 1}. **${md(opportunity.title)}** (${md(opportunityGain(opportunity.expectedGain))}): ${md(opportunity.detail)}`,
    ),
  );
  lines.push('', '## Proposed agenda', '');
  brief.agenda.forEach((item, index) => {
    lines.push(`${index + 1}. ${md(item.title)} (${item.minutes} min)`);
    for (const note of item.notes) lines.push(`   - ${md(note)}`);
  });
  lines.push('', '## Renewal outlook', '', md(brief.renewal.text), '');
  return `${lines.join('\n')}\n`;
}
