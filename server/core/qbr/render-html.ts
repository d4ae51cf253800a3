import type { Brief } from './brief.ts';
import { EMPTY, briefSubtitle, briefTitle, figureTables, opportunityGain, planSection } from './sections.ts';

/**
 * The brief as one self-contained HTML page: styles inline, no script, no outside resource, laid out
 * to print on A4 or Letter. Every piece of text is escaped.
 */

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const STYLE = `
  body { font: 11pt/1.45 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #16202c; margin: 2rem auto; max-width: 52rem; padding: 0 1rem; }
  h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
  h2 { font-size: 1.2rem; margin: 1.6rem 0 .5rem; border-bottom: 1px solid #c9d2dc; padding-bottom: .2rem; }
  h3 { font-size: 1rem; margin: 1rem 0 .3rem; }
  h4 { font-size: .95rem; margin: .7rem 0 .2rem; }
  .meta { color: #4a5a6a; margin: 0 0 .8rem; }
  table { border-collapse: collapse; width: 100%; margin-bottom: .6rem; }
  th, td { text-align: left; vertical-align: top; padding: .25rem .4rem; border-bottom: 1px solid #e3e8ee; }
  td.value { white-space: nowrap; font-weight: 600; }
  td.definition { color: #4a5a6a; font-size: .9em; }
  .severity { font-size: .8em; text-transform: uppercase; letter-spacing: .03em; color: #8a2a1a; }
  .gain { color: #1f5f3a; }
  @page { size: auto; margin: 15mm; }
  @media print { body { margin: 0; max-width: none; } h2, h3, h4 { break-after: avoid; } tr, li { break-inside: avoid; } }
`;

export function renderHtml(brief: Brief): string {
  const h = escapeHtml;
  const out: string[] = [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${h(briefTitle(brief))}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1>${h(briefTitle(brief))}</h1>`,
    `<p class="meta">${h(briefSubtitle(brief))}</p>`,
    `<p>${h(brief.summary)}</p>`,
    '<h2>Key figures</h2>',
  ];
  for (const table of figureTables(brief)) {
    out.push(`<h3>${h(table.title)}</h3>`, '<table>', '<tr><th>Figure</th><th>Value</th><th>Definition</th></tr>');
    for (const figure of table.figures) {
      out.push(
        `<tr data-key="${h(figure.key)}"><td>${h(figure.label)}</td><td class="value">${h(figure.text)}</td><td class="definition">${h(figure.definition)}</td></tr>`,
      );
    }
    out.push('</table>');
  }
  const plans = planSection(brief);
  if (plans !== null) {
    out.push(`<h2>${h(plans.title)}</h2>`);
    if (plans.empty !== null) out.push(`<p>${h(plans.empty)}</p>`);
    for (const plan of plans.tables) {
      out.push(`<h3>${h(plan.title)}</h3>`, `<p class="meta">${h(plan.meta)}</p>`);
      if (plan.rows.length > 0) {
        out.push('<table>', `<tr>${plan.columns.map((column) => `<th>${h(column)}</th>`).join('')}</tr>`);
        for (const row of plan.rows) {
          out.push(
            `<tr>${row.map((cell, index) => `<td${index === 1 ? ' class="value"' : ''}>${h(cell)}</td>`).join('')}</tr>`,
          );
        }
        out.push('</table>');
      }
      for (const list of plan.lists) {
        out.push(
          `<h4>${h(list.title)}</h4>`,
          list.items.length === 0
            ? `<p>${h(list.empty)}</p>`
            : `<ul>${list.items.map((item) => `<li>${h(item)}</li>`).join('')}</ul>`,
        );
      }
    }
  }
  out.push('<h2>Wins</h2>');
  out.push(
    brief.wins.length === 0
      ? `<p>${h(EMPTY.wins)}</p>`
      : `<ul>${brief.wins.map((win) => `<li><strong>${h(win.title)}</strong>: ${h(win.detail)}</li>`).join('')}</ul>`,
  );
  out.push('<h2>Risks</h2>');
  out.push(
    brief.risks.length === 0
      ? `<p>${h(EMPTY.risks)}</p>`
      : `<ul>${brief.risks
          .map(
            (risk) =>
              `<li><span class="severity">${h(risk.severity)}</span> <strong>${h(risk.title)}</strong>: ${h(risk.detail)}</li>`,
          )
          .join('')}</ul>`,
  );
  out.push('<h2>Top opportunities</h2>');
  out.push(
    brief.opportunities.length === 0
      ? `<p>${h(EMPTY.opportunities)}</p>`
      : `<ol>${brief.opportunities
          .map(
            (item) =>
              `<li><strong>${h(item.title)}</strong> <span class="gain">(${h(opportunityGain(item.expectedGain))})</span>: ${h(item.detail)}</li>`,
          )
          .join('')}</ol>`,
  );
  out.push('<h2>Proposed agenda</h2>');
  out.push(
    `<ol>${brief.agenda
      .map(
        (item) =>
          `<li>${h(item.title)} (${item.minutes} min)<ul>${item.notes.map((note) => `<li>${h(note)}</li>`).join('')}</ul></li>`,
      )
      .join('')}</ol>`,
  );
  out.push('<h2>Renewal outlook</h2>', `<p>${h(brief.renewal.text)}</p>`, '</body>', '</html>');
  return `${out.join('\n')}\n`;
}
