import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import jsforce from 'jsforce';
import {
  createSalesforceSandbox,
  type SalesforceSandbox,
  type SalesforceSandboxOptions,
} from '../../../sandbox/salesforce/salesforce-sandbox.ts';

export const API_VERSION = '66.0';

export interface RunningSandbox {
  sandbox: SalesforceSandbox;
  url: string;
  server: Server;
  /** `METHOD path` of every request the server received, in order. */
  requests: string[];
  /** A jsforce connection with a fresh session for the default org's integration user. */
  connect(): jsforce.Connection;
  close(): Promise<void>;
}

/** The stand-in on 127.0.0.1 and a free port, as the contract tests drive it. */
export async function startSandbox(options: SalesforceSandboxOptions = {}): Promise<RunningSandbox> {
  const sandbox = createSalesforceSandbox(options);
  const server = createServer(sandbox.app);
  const requests: string[] = [];
  server.prependListener('request', (req: { method?: string; url?: string }) =>
    requests.push(`${req.method} ${req.url}`),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    sandbox,
    url,
    server,
    requests,
    connect() {
      const session = sandbox.issueSession({ instanceUrl: url, withRefreshToken: false });
      return new jsforce.Connection({ instanceUrl: url, accessToken: session.access_token, version: API_VERSION });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
