import { createContext, useContext } from 'react';
import type { Api } from './api/client.ts';
import type { Me, MeInstallation } from './api/contracts.ts';

/** What every page needs: the API, who is signed in, and the installation the page is about. */
export interface AppContext {
  api: Api;
  me: Me;
  installation: MeInstallation;
}

export const AppContextValue = createContext<AppContext | null>(null);

export function useApp(): AppContext {
  const context = useContext(AppContextValue);
  if (!context) throw new Error('useApp outside the signed-in shell');
  return context;
}
