import type { Request, Response } from 'express';
import { stringify } from 'csv-stringify/sync';

/**
 * Tables as CSV downloads. A cell a spreadsheet would read as a formula (starting with = + - @, or a
 * tab or carriage return that hides one) gets a leading apostrophe, so an account named
 * `=HYPERLINK(…)` in the CRM stays text when a CS leader opens the export. Negative numbers are
 * numbers, not text, and stay as they are.
 */

export type CsvCell = string | number | boolean | null | undefined;

export interface CsvColumn<Row> {
  header: string;
  value: (row: Row) => CsvCell;
}

const FORMULA_START = /^[=+\-@\t\r]/;

export function neutraliseCell(cell: CsvCell): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : '';
  if (typeof cell === 'boolean') return cell ? 'true' : 'false';
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

export function toCsv<Row>(columns: readonly CsvColumn<Row>[], rows: readonly Row[]): string {
  const records = rows.map((row) => columns.map((column) => neutraliseCell(column.value(row))));
  return stringify([columns.map((column) => neutraliseCell(column.header)), ...records], { record_delimiter: '\r\n' });
}

/** Whether the caller asked for CSV: `?format=csv`, or an Accept header that prefers text/csv. */
export function wantsCsv(req: Request, format: 'json' | 'csv' | undefined): boolean {
  if (format !== undefined) return format === 'csv';
  return req.accepts(['application/json', 'text/csv']) === 'text/csv';
}

/** A file name safe in a header: letters, digits, dot, dash and underscore. */
const fileSafe = (text: string) => text.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'export';

export function sendCsv<Row>(
  res: Response,
  fileName: string,
  columns: readonly CsvColumn<Row>[],
  rows: readonly Row[],
): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${fileSafe(fileName)}.csv"`);
  res.send(csvWithBom(toCsv(columns, rows)));
}

/** A byte-order mark so spreadsheet programs read the UTF-8 names right. */
const csvWithBom = (text: string) => `\uFEFF${text}`;
