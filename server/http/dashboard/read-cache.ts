/**
 * A short-lived memory of the large reads (the book of 10,000 accounts, the forecast rows), per
 * installation, so a leader clicking through filters and tabs does not make the database read the
 * same rows again each time. An entry is used only while its version matches (the forecast run that
 * wrote the rows) and for at most `ttlMs`; the oldest entry goes first when the cache is full.
 */

interface Entry<T> {
  version: string;
  at: number;
  value: Promise<T>;
}

export interface ReadCache<T> {
  get(key: string, version: string, load: () => Promise<T>): Promise<T>;
  clear(key?: string): void;
}

export function readCache<T>(options: { ttlMs: number; maxEntries: number; now: () => number }): ReadCache<T> {
  const entries = new Map<string, Entry<T>>();
  return {
    get(key, version, load) {
      const now = options.now();
      const hit = entries.get(key);
      if (hit && hit.version === version && now - hit.at < options.ttlMs) return hit.value;
      const value = load();
      entries.delete(key);
      entries.set(key, { version, at: now, value });
      // A failed read is not remembered.
      value.catch(() => {
        if (entries.get(key)?.value === value) entries.delete(key);
      });
      while (entries.size > options.maxEntries) entries.delete(entries.keys().next().value as string);
      return value;
    },
    clear(key) {
      if (key === undefined) entries.clear();
      else entries.delete(key);
    },
  };
}
