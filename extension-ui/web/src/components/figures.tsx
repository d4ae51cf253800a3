import type { ReactNode } from 'react';

/**
 * A number on screen carries a stable test id and its raw value, so a test can read both what the
 * API said (`data-value`) and how it was written.
 */
export function Num({ id, value, children }: { id?: string; value: number | string | null; children: ReactNode }) {
  return (
    <span className="bw-num" data-testid={id} data-value={value === null ? '' : String(value)}>
      {children}
    </span>
  );
}

export function Tile({
  id,
  label,
  value,
  shown,
  tone,
  note,
  definition,
}: {
  id: string;
  label: string;
  value: number | string | null;
  shown: string;
  tone?: 'red' | 'yellow' | 'green' | 'neutral';
  note?: ReactNode;
  /** How the figure is computed, written next to it. */
  definition?: string;
}) {
  return (
    <div className={`bw-tile bw-tone-${tone ?? 'neutral'}`}>
      <div className="bw-tile-label">{label}</div>
      <div className="bw-tile-value">
        <Num id={id} value={value}>
          {shown}
        </Num>
      </div>
      {note ? <div className="bw-tile-note">{note}</div> : null}
      {definition ? (
        <p className="bw-definition" data-testid={`${id}-definition`}>
          {definition}
        </p>
      ) : null}
    </div>
  );
}

export function Tiles({ children }: { children: ReactNode }) {
  return <div className="bw-tiles">{children}</div>;
}

export function Section({
  title,
  id,
  actions,
  children,
  note,
}: {
  title: string;
  id?: string;
  actions?: ReactNode;
  note?: ReactNode;
  children: ReactNode;
}) {
  return (
    <section className="bw-section" data-testid={id} aria-labelledby={id ? `${id}-title` : undefined}>
      <header className="bw-section-header">
        <h2 id={id ? `${id}-title` : undefined}>{title}</h2>
        {actions ? <div className="bw-section-actions">{actions}</div> : null}
      </header>
      {note ? <p className="bw-section-note">{note}</p> : null}
      {children}
    </section>
  );
}

export function Computed({ at }: { at: string | null | undefined }) {
  if (!at) return null;
  return (
    <span className="bw-computed" data-testid="computed-at" data-value={at}>
      Computed {new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC
    </span>
  );
}
