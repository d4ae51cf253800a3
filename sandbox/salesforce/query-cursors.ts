import type { Clock } from '../shared/clock.ts';

/** A query's rows kept for queryMore, as Salesforce keeps a server-side cursor. */
export interface QueryCursor {
  type: string;
  rows: Record<string, unknown>[];
  batchSize: number;
}

interface OpenCursor extends QueryCursor {
  userId: string;
  lastUsed: number;
}

/**
 * Open query cursors of one org. As on Salesforce, a cursor closes after 15 minutes without use
 * and a user keeps at most 10 open: opening another closes that user's least recently used one.
 * A closed cursor's locator answers INVALID_QUERY_LOCATOR.
 */
export class QueryCursors {
  private readonly open = new Map<string, OpenCursor>();

  constructor(
    private readonly clock: Clock,
    private readonly idleMs = 15 * 60_000,
    private readonly perUser = 10,
  ) {}

  add(locator: string, userId: string, cursor: QueryCursor): void {
    this.prune();
    const mine = [...this.open.entries()].filter(([, entry]) => entry.userId === userId);
    if (mine.length >= this.perUser) {
      mine.sort(([, a], [, b]) => a.lastUsed - b.lastUsed);
      for (const [oldest] of mine.slice(0, mine.length - this.perUser + 1)) this.open.delete(oldest);
    }
    this.open.set(locator, { ...cursor, userId, lastUsed: this.clock.now() });
  }

  /** The cursor, touched; undefined when unknown or closed. */
  get(locator: string): QueryCursor | undefined {
    this.prune();
    const cursor = this.open.get(locator);
    if (cursor) cursor.lastUsed = this.clock.now();
    return cursor;
  }

  close(locator: string): void {
    this.open.delete(locator);
  }

  get size(): number {
    return this.open.size;
  }

  private prune(): void {
    const now = this.clock.now();
    for (const [locator, cursor] of this.open) if (now - cursor.lastUsed >= this.idleMs) this.open.delete(locator);
  }
}
