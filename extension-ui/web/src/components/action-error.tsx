import { ApiError } from '../api/client.ts';

/**
 * What went wrong with one action, shown beside the control that caused it: the server's message and,
 * for a refused body, each problem at its JSON path.
 */
export function ActionError({ error, id }: { error: unknown; id: string }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : 'The request failed.';
  const issues = error instanceof ApiError ? error.issues : [];
  return (
    <div className="bw-issues" role="alert" data-testid={`${id}-error`}>
      {message}
      {error instanceof ApiError && error.status !== 0 ? (
        <>
          {' '}
          <code>{error.code}</code>
        </>
      ) : null}
      {issues.length > 0 ? (
        <ul data-testid={`${id}-issues`}>
          {issues.map((issue) => (
            <li key={`${issue.path}:${issue.message}`}>
              <code>{issue.path}</code> {issue.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
