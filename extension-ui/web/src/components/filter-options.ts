import { useEffect, useState } from 'react';
import { dashboardPath, portfolioSchema } from '../api/contracts.ts';
import { useApp } from '../app-context.ts';

/**
 * The segments and CSMs of an installation for the filter menus of pages whose own answer does not
 * list them; read once from the unfiltered portfolio and kept for the visit.
 */

export interface FilterOptions {
  segments: string[];
  csms: { csmId: string; name: string | null }[];
}

const known = new Map<string, Promise<FilterOptions | null>>();

export function useFilterOptions(): FilterOptions | null {
  const { api, installation } = useApp();
  const [options, setOptions] = useState<FilterOptions | null>(null);
  useEffect(() => {
    let current = true;
    let pending = known.get(installation.id);
    if (!pending) {
      pending = api.get(dashboardPath(installation.id, 'portfolio'), portfolioSchema).then(
        (answer) => (answer.status === 'ready' ? answer.options : null),
        () => null,
      );
      known.set(installation.id, pending);
    }
    void pending.then((found) => {
      if (!found) known.delete(installation.id);
      if (current) setOptions(found);
    });
    return () => {
      current = false;
    };
  }, [api, installation.id]);
  return options;
}
