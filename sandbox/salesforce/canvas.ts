import { createHmac } from 'node:crypto';
import type { OrgStore, OrgUser } from './org-store.ts';

/**
 * Canvas `signed_request` (reference §7.1): base64(HMAC-SHA256(consumer secret, base64 context))
 * + "." + base64 context, where the context is the CanvasRequest JSON. The record Id reaches the app
 * as `context.environment.parameters.recordId`, as the Aura `force:canvasApp` wrapper passes it.
 */

export interface CanvasInput {
  consumerSecret: string;
  instanceUrl: string;
  apiVersion: string;
  org: OrgStore;
  user: OrgUser;
  /** The session the app may use (`client.oauthToken`). */
  oauthToken: string;
  recordId?: string;
  /** Extra parameters beside recordId. */
  parameters?: Record<string, unknown>;
  applicationName?: string;
}

export function canvasRequest(input: CanvasInput) {
  const { org, user, instanceUrl, apiVersion } = input;
  const found = input.recordId ? org.find(input.recordId) : undefined;
  const record = found
    ? {
        attributes: {
          type: found.type,
          url: `/services/data/v${apiVersion}/sobjects/${found.type}/${String(found.record.Id)}`,
        },
        Id: found.record.Id,
      }
    : {};
  return {
    context: {
      application: {
        applicationId: org.ids.next('06P').slice(0, 15),
        authType: 'SIGNED_REQUEST',
        canvasUrl: `${instanceUrl}/canvas`,
        developerName: input.applicationName ?? 'Bellwether',
        name: input.applicationName ?? 'Bellwether',
        namespace: null,
        version: '1.0',
      },
      user: {
        userId: user.id,
        userName: user.username,
        firstName: user.firstName,
        lastName: user.lastName,
        fullName: `${user.firstName} ${user.lastName}`.trim(),
        email: user.email,
        language: 'en_US',
        locale: 'en_US',
        timeZone: 'GMT',
        userType: 'STANDARD',
      },
      environment: {
        parameters: { ...input.parameters, ...(input.recordId ? { recordId: input.recordId } : {}) },
        dimensions: {
          clientHeight: '50px',
          clientWidth: '70px',
          height: '900px',
          width: '800px',
          maxHeight: '2000px',
          maxWidth: '1000px',
        },
        record,
        displayLocation: 'Visualforce',
        locationUrl: `${instanceUrl}/lightning/r/${found?.type ?? 'Account'}/${input.recordId ?? ''}/view`,
        subLocation: null,
        uiTheme: 'Theme4d',
        version: { api: apiVersion, season: 'SPRING' },
      },
      organization: {
        organizationId: org.id,
        name: org.name,
        currencyIsoCode: 'USD',
        namespacePrefix: null,
        multicurrencyEnabled: false,
      },
      links: {
        restUrl: `/services/data/v${apiVersion}/`,
        queryUrl: `/services/data/v${apiVersion}/query/`,
        sobjectUrl: `/services/data/v${apiVersion}/sobjects/`,
        loginUrl: instanceUrl,
      },
    },
    client: {
      instanceId: null,
      instanceUrl,
      oauthToken: input.oauthToken,
      refreshToken: null,
      targetOrigin: instanceUrl,
    },
    algorithm: 'HMACSHA256',
    userId: user.id,
    issuedAt: null,
  };
}

export function signCanvasRequest(envelope: unknown, consumerSecret: string): string {
  const context = Buffer.from(JSON.stringify(envelope), 'utf8').toString('base64');
  const signature = createHmac('sha256', consumerSecret).update(context).digest('base64');
  return `${signature}.${context}`;
}

export function createSignedRequest(input: CanvasInput): string {
  return signCanvasRequest(canvasRequest(input), input.consumerSecret);
}
