import { useEffect, useMemo } from 'react';
import type { Api } from './api/client.ts';
import { meSchema, type Me } from './api/contracts.ts';
import { useResource } from './api/use-resource.ts';
import { AppContextValue } from './app-context.ts';
import { Failure, Loading } from './components/states.tsx';
import { Shell } from './shell.tsx';
import { navigate, pagePath, useRoute } from './router.ts';

/**
 * The signed-in app: `/api/me` first (a 401 there goes to sign-in), then the page the path names for
 * the installation it names. `/app/` opens the installation the session was opened for.
 */
export function App({ api }: { api: Api }) {
  const route = useRoute();
  const me = useResource<Me>('me', () => api.get('/api/me', meSchema));

  const fallbackId = me.state === 'ready' ? me.data.installationId : null;
  useEffect(() => {
    if (fallbackId && (!route.installationId || !route.page) && !route.unknown) {
      navigate(pagePath(route.installationId ?? fallbackId, 'portfolio'), { replace: true });
    }
  }, [fallbackId, route.installationId, route.page, route.unknown]);

  const installation = useMemo(
    () =>
      me.state === 'ready' && route.installationId
        ? (me.data.installations.find((one) => one.id === route.installationId) ?? null)
        : null,
    [me, route.installationId],
  );

  if (me.state === 'loading') return <Loading what="your workspace" />;
  if (me.state === 'failed') return <Failure error={me.error} retry={me.reload} />;
  if (!route.installationId || !route.page) {
    if (route.unknown) return <Shell me={me.data} installation={null} route={route} />;
    return <Loading what="the dashboard" />;
  }
  return (
    <AppContextValue.Provider value={installation ? { api, me: me.data, installation } : null}>
      <Shell me={me.data} installation={installation} route={route} />
    </AppContextValue.Provider>
  );
}
