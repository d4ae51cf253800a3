import PDFDocument from 'pdfkit';
import type { Brief } from '../../core/qbr/brief.ts';
import type { PlanSection } from '../../core/qbr/sections.ts';

/**
 * The brief as a PDF of real text (searchable, copyable, readable by screen readers): the same
 * sections and words as the HTML, set in the standard Helvetica fonts, so nothing is embedded and the
 * file stays small. Those fonts cover Western European text; other characters print as "?".
 */

const MARGIN = 50;
const GREY = '#4a5a6a';
const INK = '#16202c';

const GROUP_TITLES: Readonly<Record<Brief['figures'][number]['group'], string>> = {
  health: 'Health',
  usage: 'Usage and adoption',
  licences: 'Licences',
  support: 'Support',
  voice: 'Voice of the customer',
  relationships: 'Relationships',
  renewal: 'Renewal',
};

/** Characters the standard fonts' encoding (WinAnsi) lacks, and what prints instead. */
const REPLACEMENTS: Readonly<Record<string, string>> = { '−': '-', '±': '±', '\u00a0': ' ', '\u2009': ' ' };
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');

/** Text as the PDF prints it. */
export function pdfText(text: string): string {
  let out = '';
  for (const char of text) {
    const replaced = REPLACEMENTS[char] ?? char;
    const code = replaced.codePointAt(0) ?? 0;
    const printable = (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRA.has(replaced);
    out += printable ? replaced : char === '\n' ? ' ' : '?';
  }
  return out;
}

const formatDay = (day: string) => {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const [year, month, date] = day.split('-');
  return `${Number(date)} ${months[Number(month) - 1] ?? month} ${year}`;
};

/**
 * `plans` is the core's `planSection(brief)`: the success plan in the same words as the other
 * renderings (null for a brief made before plans existed).
 */
export function renderPdf(brief: Brief, plans: PlanSection | null): Promise<Buffer> {
  const title = `QBR brief: ${brief.account.name ?? brief.account.externalId}`;
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    bufferPages: false,
    info: {
      Title: pdfText(title),
      Subject: pdfText(`Quarterly business review, ${brief.period.label}`),
      Creator: 'Bellwether',
      // The brief's own moment, so one version always gives the same file.
      CreationDate: new Date(brief.generatedAt),
      ModDate: new Date(brief.generatedAt),
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const heading = (text: string) => {
    doc.moveDown(0.8).font('Helvetica-Bold').fontSize(13).fillColor(INK).text(pdfText(text));
    doc.moveDown(0.2);
  };
  const subheading = (text: string) =>
    doc.moveDown(0.4).font('Helvetica-Bold').fontSize(11).fillColor(INK).text(pdfText(text));
  const body = (text: string, indent = 0) =>
    doc
      .font('Helvetica')
      .fontSize(10)
      .fillColor(INK)
      .text(pdfText(text), MARGIN + indent, undefined, { paragraphGap: 2 });
  const note = (text: string, indent = 0) =>
    doc
      .font('Helvetica')
      .fontSize(8.5)
      .fillColor(GREY)
      .text(pdfText(text), MARGIN + indent, undefined, { paragraphGap: 4 });

  doc.font('Helvetica-Bold').fontSize(18).fillColor(INK).text(pdfText(title));
  note(
    `QBR on ${formatDay(brief.qbrDate)} · Period ${brief.period.label} (${brief.period.days} days, UTC) · Generated ${formatDay(brief.generatedAt.slice(0, 10))}`,
  );
  doc.moveDown(0.3);
  body(brief.summary);

  heading('Key figures');
  for (const group of Object.keys(GROUP_TITLES) as (keyof typeof GROUP_TITLES)[]) {
    const figures = brief.figures.filter((figure) => figure.group === group);
    if (figures.length === 0) continue;
    subheading(GROUP_TITLES[group]);
    for (const figure of figures) {
      body(`${figure.label}: ${figure.text}`, 8);
      note(figure.definition, 16);
    }
  }

  if (plans !== null) {
    heading(plans.title);
    if (plans.empty !== null) body(plans.empty);
    for (const plan of plans.tables) {
      subheading(plan.title);
      note(plan.meta);
      for (const row of plan.rows) {
        body(row[0] ?? '', 8);
        note(
          plan.columns
            .slice(1)
            .map((column, index) => `${column}: ${row[index + 1] ?? ''}`)
            .join(' · '),
          16,
        );
      }
      for (const list of plan.lists) {
        body(`${list.title}:`, 8);
        if (list.items.length === 0) note(list.empty, 16);
        for (const item of list.items) note(`-  ${item}`, 16);
      }
    }
  }

  heading('Wins');
  if (brief.wins.length === 0) body('No clear win in the figures for this period.');
  for (const win of brief.wins) body(`•  ${win.title}: ${win.detail}`);

  heading('Risks');
  if (brief.risks.length === 0) body('No open warning, low-scoring measure or renewal risk.');
  for (const risk of brief.risks) body(`•  [${risk.severity}] ${risk.title}: ${risk.detail}`);

  heading('Top opportunities');
  if (brief.opportunities.length === 0) body('No opportunity found in the figures.');
  brief.opportunities.forEach((item, index) =>
    body(`${index + 1}.  ${item.title} (about +${Math.round(item.expectedGain * 10) / 10} points): ${item.detail}`),
  );

  heading('Proposed agenda');
  brief.agenda.forEach((item, index) => {
    body(`${index + 1}.  ${item.title} (${item.minutes} min)`);
    for (const line of item.notes) note(`-  ${line}`, 16);
  });

  heading('Renewal outlook');
  body(brief.renewal.text);

  doc.end();
  return done;
}
