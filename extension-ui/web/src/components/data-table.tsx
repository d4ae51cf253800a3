import type { ReactNode } from 'react';

/**
 * A dense table with its CSV export: the link asks the same route for `format=csv`, so the file holds
 * exactly the rows the API holds (not only those on screen). Cells carry their column name and rows
 * their key, so a test can find any figure.
 */

export interface Column<Row> {
  key: string;
  header: string;
  cell: (row: Row) => ReactNode;
  numeric?: boolean;
  /** The raw value behind the cell, for tests. */
  value?: (row: Row) => number | string | null;
}

export function csvHref(apiPath: string, extra: Record<string, string> = {}): string {
  const [path, query = ''] = apiPath.split('?');
  const params = new URLSearchParams(query);
  for (const [key, value] of Object.entries(extra)) params.set(key, value);
  params.set('format', 'csv');
  return `${path}?${params.toString()}`;
}

export function ExportCsv({ href, id }: { href: string; id: string }) {
  return (
    <a className="bw-button bw-button-quiet" href={href} download data-testid={`${id}-csv`}>
      Export CSV
    </a>
  );
}

export function DataTable<Row>({
  id,
  caption,
  columns,
  rows,
  rowKey,
  csv,
  empty = 'Nothing to show.',
  actions,
  total,
}: {
  id: string;
  caption: string;
  columns: Column<Row>[];
  rows: readonly Row[];
  rowKey: (row: Row) => string;
  /** The API path this table comes from; its CSV is the same route with `format=csv`. */
  csv: string;
  empty?: string;
  actions?: ReactNode;
  /** A paged table's whole count: the caption then says "50 of 108". */
  total?: number;
}) {
  return (
    <div className="bw-table-block" data-testid={`${id}-table`}>
      <div className="bw-table-toolbar">
        <span className="bw-table-caption">
          {caption}{' '}
          <span className="bw-muted" data-testid={`${id}-count`}>
            ({total === undefined || total === rows.length ? rows.length : `${rows.length} of ${total}`})
          </span>
        </span>
        <span className="bw-table-actions">
          {actions}
          <ExportCsv href={csv} id={id} />
        </span>
      </div>
      {rows.length === 0 ? (
        <p className="bw-table-empty" data-testid={`${id}-empty`}>
          {empty}
        </p>
      ) : (
        <div className="bw-table-scroll">
          <table className="bw-table">
            <thead>
              <tr>
                {columns.map((column) => (
                  <th key={column.key} scope="col" className={column.numeric ? 'bw-numeric' : undefined}>
                    {column.header}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => {
                const key = rowKey(row);
                return (
                  <tr key={key} data-key={key}>
                    {columns.map((column) => {
                      const raw = column.value?.(row);
                      return (
                        <td
                          key={column.key}
                          data-col={column.key}
                          {...(raw === undefined ? {} : { 'data-value': raw === null ? '' : String(raw) })}
                          className={column.numeric ? 'bw-numeric' : undefined}
                        >
                          {column.cell(row)}
                        </td>
                      );
                    })}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
