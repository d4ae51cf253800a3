import { count } from '../format.ts';

/** Previous and next for a paged table; nothing when everything fits on one page. */
export function Pager({
  page,
  pageSize,
  total,
  go,
  labels = ['Previous', 'Next'],
}: {
  page: number;
  pageSize: number;
  total: number;
  go: (page: number) => void;
  labels?: readonly [string, string];
}) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  if (pages <= 1) return null;
  return (
    <div className="bw-filters" style={{ marginTop: 10 }} data-testid="pager">
      <button type="button" className="bw-button bw-button-quiet" disabled={page <= 1} onClick={() => go(page - 1)}>
        {labels[0]}
      </button>
      <span className="bw-muted">
        Page {count(page)} of {count(pages)}
      </span>
      <button type="button" className="bw-button bw-button-quiet" disabled={page >= pages} onClick={() => go(page + 1)}>
        {labels[1]}
      </button>
    </div>
  );
}
