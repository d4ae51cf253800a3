import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiError } from './client.ts';

/** One request's life on a page: loading, failed with a reason, or its answer; `reload` asks again. */

export type Resource<T> =
  | { state: 'loading'; reload: () => void }
  | { state: 'failed'; error: ApiError; reload: () => void }
  | { state: 'ready'; data: T; reload: () => void };

export function useResource<T>(key: string, load: () => Promise<T>): Resource<T> {
  const [state, setState] = useState<
    | { key: string; state: 'loading' }
    | { key: string; state: 'failed'; error: ApiError }
    | { key: string; state: 'ready'; data: T }
  >({ key, state: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const reload = useCallback(() => setAttempt((n) => n + 1), []);

  useEffect(() => {
    let current = true;
    setState({ key, state: 'loading' });
    load().then(
      (data) => current && setState({ key, state: 'ready', data }),
      (error: unknown) =>
        current &&
        setState({
          key,
          state: 'failed',
          error:
            error instanceof ApiError ? error : new ApiError(0, 'CLIENT', 'The page failed while reading the answer.'),
        }),
    );
    return () => {
      current = false;
    };
    // `load` closes over the same inputs `key` names; asking again only when the key or attempt changes.
  }, [key, attempt]);

  // One object per answer, so effects that depend on the resource run once per answer, not per render.
  return useMemo((): Resource<T> => {
    // A stale answer for another key is never shown while the new one loads.
    if (state.key !== key || state.state === 'loading') return { state: 'loading', reload };
    if (state.state === 'failed') return { state: 'failed', error: state.error, reload };
    return { state: 'ready', data: state.data, reload };
  }, [state, key, reload]);
}
