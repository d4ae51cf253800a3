import type { ReactNode } from 'react';
import type { z } from 'zod';
import { dashboardPath, type DashboardView } from '../api/contracts.ts';
import { useResource, type Resource } from '../api/use-resource.ts';
import { useApp } from '../app-context.ts';
import { navigate, useRoute } from '../router.ts';
import { Computed } from './figures.tsx';
import { Failure, Loading, Pending } from './states.tsx';

/**
 * A dashboard page: its title, when its figures were computed, its filters (kept in the address, so a
 * filtered view can be shared), and the figure once loaded, or why it is not there.
 */

export type Filters = Record<string, string | undefined>;

export function useFilters(names: readonly string[]): [Filters, (name: string, value: string | undefined) => void] {
  const route = useRoute();
  const filters: Filters = {};
  for (const name of names) {
    const value = route.search.get(name);
    if (value) filters[name] = value;
  }
  const set = (name: string, value: string | undefined) => {
    const params = new URLSearchParams(window.location.search);
    if (value) params.set(name, value);
    else params.delete(name);
    // Another filter means another first page.
    if (name !== 'page') params.delete('page');
    const query = params.toString();
    navigate(`${window.location.pathname}${query ? `?${query}` : ''}`, { replace: true });
  };
  return [filters, set];
}

export function queryOf(filters: Filters): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value) params.set(key, value);
  const query = params.toString();
  return query ? `?${query}` : '';
}

/** Loads a figure route with the page's filters, parsed with its contract. */
export function useFigure<T>(
  view: DashboardView,
  schema: z.ZodType<T>,
  filters: Filters,
): Resource<T> & { path: string } {
  const { api, installation } = useApp();
  const path = `${dashboardPath(installation.id, view)}${queryOf(filters)}`;
  const resource = useResource(path, () => api.get(path, schema));
  return { ...resource, path };
}

export function PageHeader({
  title,
  computedAt,
  children,
}: {
  title: string;
  computedAt?: string | null;
  children?: ReactNode;
}) {
  return (
    <div className="bw-page-header">
      <h1>{title}</h1>
      <Computed at={computedAt} />
      {children}
    </div>
  );
}

type Figure = { status: 'pending'; message: string } | { status: 'ready'; computedAt: string };

/** The states every figure page shares; `children` draws the ready figure. */
export function FigurePage<T extends Figure>({
  title,
  what,
  resource,
  filters,
  children,
}: {
  title: string;
  what: string;
  resource: Resource<T>;
  filters?: ReactNode;
  children: (figure: Extract<T, { status: 'ready' }>) => ReactNode;
}) {
  const computedAt = resource.state === 'ready' && resource.data.status === 'ready' ? resource.data.computedAt : null;
  return (
    <div data-testid={`page-${title.toLowerCase().replace(/[^a-z]+/g, '-')}`}>
      <PageHeader title={title} computedAt={computedAt} />
      {filters}
      {resource.state === 'loading' ? (
        <Loading what={what} />
      ) : resource.state === 'failed' ? (
        <Failure error={resource.error} retry={resource.reload} />
      ) : resource.data.status === 'pending' ? (
        <Pending>{resource.data.message}</Pending>
      ) : (
        children(resource.data as Extract<T, { status: 'ready' }>)
      )}
    </div>
  );
}
