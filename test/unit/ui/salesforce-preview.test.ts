import { describe, expect, it } from 'vitest';
import {
  canvasPostPage,
  hubspotPreviewPage,
  previewIndexPage,
  recordPage,
} from '../../../server/http/preview/pages.ts';

/** The preview's pages put account names and card data from the database into HTML: nothing may break out. */

const HOSTILE = '</script><script>alert(1)</script>"\'&';

describe('preview pages', () => {
  it('lists accounts with escaped names, rounded scores and links to their record pages', () => {
    const html = previewIndexPage(
      [
        {
          id: '7f1c0e2a-1111-4222-8333-444455556666',
          displayName: 'Demo org',
          externalId: '00D000000000001AAA',
          accounts: [
            { externalId: '001A', name: HOSTILE, score: 71.6, band: 'green' },
            { externalId: '001B', name: null, score: null, band: null },
          ],
        },
      ],
      ['/canvas/assets/assets/card.css'],
    );
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('&#60;/script&#62;&#60;script&#62;alert(1)&#60;/script&#62;&#34;&#39;&#38;');
    expect(html).toContain('href="/preview/salesforce/7f1c0e2a-1111-4222-8333-444455556666/accounts/001A"');
    expect(html).toContain('<td>72</td>');
    expect(html).toContain('>001B</a>');
    expect(html).toContain('not scored');
    expect(html).toContain('<link rel="stylesheet" href="/canvas/assets/assets/card.css">');
  });

  it.each([
    [[], 'No Salesforce installation in this demo yet.'],
    [
      [{ id: 'i', displayName: 'Org', externalId: '00D', accounts: [] }],
      "No accounts yet: the demo's first sync is still running.",
    ],
  ])('says why the list is empty (%#)', (installations, text) => {
    expect(previewIndexPage(installations, [])).toContain(text);
  });

  it('frames the Canvas card and the HubSpot layout on a mock Account page', () => {
    const html = recordPage({
      accountName: HOSTILE,
      accountId: '001A',
      canvasFrameHref: '/preview/salesforce/i/accounts/001A/canvas',
      hubspotFrameHref: '/preview/salesforce/i/accounts/001A/hubspot',
      stylesheets: [],
    });
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('class="slds-page-header slds-page-header_record-home"');
    expect(html).toContain(
      'id="salesforce-card" title="Salesforce card" src="/preview/salesforce/i/accounts/001A/canvas"',
    );
    expect(html).toContain(
      'id="hubspot-card" title="HubSpot layout" src="/preview/salesforce/i/accounts/001A/hubspot"',
    );
  });

  it('posts the signed request to the canvas URL from a script file, never inline', () => {
    const html = canvasPostPage('https://cards.example/canvas', 'c2ln.e30=');
    expect(html).toContain('<form id="canvas-post" method="post" action="https://cards.example/canvas">');
    expect(html).toContain('<input type="hidden" name="signed_request" value="c2ln.e30=">');
    expect(html).toMatch(/<script src="\/preview\/assets\/submit-canvas\.js" defer><\/script>/);
    expect(html).not.toMatch(/<script>[^<]/);
  });

  it.each([
    ['<html><head><!--bellwether-preview-card--></head><body></body></html>'],
    ['<html><head></head><body></body></html>'],
  ])('puts the card in as inert JSON (%#)', (template) => {
    const data = { card: { account: { name: HOSTILE } }, now: '2026-12-05T00:00:00.000Z' };
    const html = hubspotPreviewPage(template, data);
    const match = /<script id="bellwether-preview-card" type="application\/json">(.*?)<\/script>/.exec(html);
    expect(match?.[1]).not.toContain('<');
    expect(JSON.parse(match?.[1] ?? 'null')).toEqual(data);
  });
});
