import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Database } from '../../server/platform/db/database.ts';

/**
 * A read-only view of the database that runs each distinct raw statement once. The QBR inputs of one
 * account include two aggregates over the whole installation's usage (the features offered and the
 * peers' feature use) that are the same for every account of one period; read for the forecast's
 * least likely fifth (2,000 accounts in a 10,000-account book) they would otherwise be recomputed for
 * each. Only for a run of reads over data that does not change meanwhile.
 */
export function withSharedReads(db: Database): Database {
  const dialect = new PgDialect();
  const results = new Map<string, Promise<unknown>>();
  const execute = (query: SQL) => {
    const { sql, params } = dialect.sqlToQuery(query);
    const key = `${sql}\u0000${JSON.stringify(params)}`;
    let result = results.get(key);
    if (!result) {
      result = db.execute(query);
      // A failed read is not kept: the next caller tries again.
      result.catch(() => results.delete(key));
      results.set(key, result);
    }
    return result;
  };
  return new Proxy(db, {
    get(target, property, receiver) {
      if (property === 'execute') return execute;
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}
