import type { ReactNode } from 'react';
import type { ApiError } from '../api/client.ts';

/** What a page shows before its figures: loading, not computed yet, or what went wrong and what to do. */

export function Loading({ what }: { what: string }) {
  return (
    <div className="bw-state" role="status" aria-live="polite" data-testid="loading">
      <span className="bw-spinner" aria-hidden="true" />
      Loading {what}…
    </div>
  );
}

export function Pending({ children }: { children?: ReactNode }) {
  return (
    <div className="bw-state bw-state-empty" data-testid="pending">
      <strong>The analytics run has not finished yet.</strong>
      <span>
        {children ??
          'Figures appear after the first sync, scoring and analytics run for this installation. This page refreshes when you reload it.'}
      </span>
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return (
    <div className="bw-state bw-state-empty" data-testid="empty">
      {children}
    </div>
  );
}

function advice(error: ApiError): string {
  if (error.status === 404) return 'This installation is not in your workspace, or it no longer exists.';
  if (error.status === 403) return 'Your account may not see this. Ask an admin of the workspace.';
  if (error.status === 0) return 'Check the connection, then try again.';
  if (error.status >= 500)
    return 'The server had a problem answering. Try again; if it persists, check the server log.';
  return '';
}

export function Failure({ error, retry }: { error: ApiError; retry?: () => void }) {
  return (
    <div className="bw-state bw-state-error" role="alert" data-testid="error">
      <strong data-testid="error-message">{error.message}</strong>
      <span>
        {advice(error)} <code>{error.code}</code>
      </span>
      {retry ? (
        <button type="button" className="bw-button" onClick={retry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}
