import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MIN_SIMILARITY,
  matchAccounts,
  nameSimilarity,
  normaliseCompanyName,
  type MatchDecision,
  type MatchRecord,
  type MatchReport,
} from '../../../../server/core/accounts/matching.ts';

const record = (id: string, fields: Partial<Omit<MatchRecord, 'id'>> = {}): MatchRecord => ({
  id,
  name: null,
  domain: null,
  connectorId: null,
  ...fields,
});

const linked = (hubspotId: string, salesforceId: string, decidedAt?: number): MatchDecision => ({
  hubspotId,
  salesforceId,
  decision: 'linked',
  ...(decidedAt === undefined ? {} : { decidedAt }),
});

const rejected = (hubspotId: string, salesforceId: string, decidedAt?: number): MatchDecision => ({
  hubspotId,
  salesforceId,
  decision: 'rejected',
  ...(decidedAt === undefined ? {} : { decidedAt }),
});

// Salesforce Account ids as the API returns them (18 characters) and their 15-character form.
const SF1 = '001000000000001AAA';
const SF2 = '001000000000002AAA';
const SF3 = '001000000000003AAA';
const MISSING = '001000000000999AAA';

/** The report in short: `hubspot→salesforce (rule)`, `rule key: hubspot | salesforce`, `hubspot~salesforce`. */
function summary(report: MatchReport) {
  return {
    links: report.links.map((link) => `${link.hubspotId}→${link.salesforceId} (${link.rule})`),
    conflicts: report.conflicts.map(
      (conflict) =>
        `${conflict.rule} ${conflict.key}: ${conflict.hubspotIds.join(',')} | ${conflict.salesforceIds.join(',')}`,
    ),
    proposals: report.proposals.map((proposal) => `${proposal.hubspotId}~${proposal.salesforceId}`),
  };
}

interface Case {
  hubspot: MatchRecord[];
  salesforce: MatchRecord[];
  decisions?: MatchDecision[];
  links?: string[];
  conflicts?: string[];
  proposals?: string[];
}

const cases: [string, Case][] = [
  [
    'the connector id links',
    {
      hubspot: [record('h1', { connectorId: SF1 })],
      salesforce: [record(SF1)],
      links: [`h1→${SF1} (connector_id)`],
    },
  ],
  [
    "the connector id's 15-character form links",
    {
      hubspot: [record('h1', { connectorId: SF1.slice(0, 15) })],
      salesforce: [record(SF1)],
      links: [`h1→${SF1} (connector_id)`],
    },
  ],
  [
    'a connector id naming no Salesforce record falls through to the domain',
    {
      hubspot: [record('h1', { connectorId: MISSING, domain: 'acme.io' })],
      salesforce: [record(SF1, { domain: 'acme.io' })],
      links: [`h1→${SF1} (domain)`],
    },
  ],
  [
    'two companies carrying one Salesforce id: a conflict, no link, not even by domain',
    {
      hubspot: [
        record('h1', { connectorId: SF1, domain: 'acme.io' }),
        record('h2', { connectorId: SF1, domain: 'beta.io' }),
      ],
      salesforce: [record(SF1, { domain: 'acme.io' }), record(SF2, { domain: 'beta.io' })],
      conflicts: [`connector_id ${SF1}: h1,h2 | ${SF1}`],
    },
  ],
  [
    'rejecting one of the claimants settles a connector conflict',
    {
      hubspot: [record('h1', { connectorId: SF1 }), record('h2', { connectorId: SF1 })],
      salesforce: [record(SF1)],
      decisions: [rejected('h2', SF1)],
      links: [`h1→${SF1} (connector_id)`],
    },
  ],
  [
    'the connector id wins over the domain',
    {
      hubspot: [record('h1', { connectorId: SF1, domain: 'beta.io' })],
      salesforce: [record(SF1, { domain: 'acme.io' }), record(SF2, { domain: 'beta.io' })],
      links: [`h1→${SF1} (connector_id)`],
    },
  ],
  [
    "an admin's link wins over the connector id, which frees the Account for the domain",
    {
      hubspot: [record('h1', { connectorId: SF1 }), record('h2', { domain: 'acme.io' })],
      salesforce: [record(SF1, { domain: 'acme.io' }), record(SF2)],
      decisions: [linked('h1', SF2)],
      links: [`h1→${SF2} (manual)`, `h2→${SF1} (domain)`],
    },
  ],
  [
    'a connector id naming an Account an admin linked elsewhere falls through',
    {
      hubspot: [record('h1', { connectorId: SF1, domain: 'beta.io' }), record('h2')],
      salesforce: [record(SF1), record(SF2, { domain: 'beta.io' })],
      decisions: [linked('h2', SF1)],
      links: [`h1→${SF2} (domain)`, `h2→${SF1} (manual)`],
    },
  ],
  [
    'a domain held once on each side links',
    {
      hubspot: [record('h1', { domain: 'acme.io' }), record('h2', { domain: 'beta.io' })],
      salesforce: [record(SF1, { domain: 'beta.io' }), record(SF2, { domain: 'acme.io' })],
      links: [`h1→${SF2} (domain)`, `h2→${SF1} (domain)`],
    },
  ],
  [
    'a domain held by two companies: a conflict and no link, but names may still be proposed',
    {
      hubspot: [
        record('h1', { domain: 'acme.io', name: 'Acme' }),
        record('h2', { domain: 'acme.io', name: 'Acme Europe' }),
      ],
      salesforce: [record(SF1, { domain: 'acme.io', name: 'Acme, Inc.' })],
      conflicts: [`domain acme.io: h1,h2 | ${SF1}`],
      proposals: [`h1~${SF1}`],
    },
  ],
  [
    'a domain held by two Accounts: a conflict and no link',
    {
      hubspot: [record('h1', { domain: 'acme.io' })],
      salesforce: [record(SF1, { domain: 'acme.io' }), record(SF2, { domain: 'acme.io' })],
      conflicts: [`domain acme.io: h1 | ${SF1},${SF2}`],
    },
  ],
  [
    'a domain held on one side only is no conflict',
    {
      hubspot: [record('h1', { domain: 'acme.io' }), record('h2', { domain: 'acme.io' })],
      salesforce: [record(SF1, { domain: 'beta.io' })],
    },
  ],
  [
    'free-mail domains are ignored',
    {
      hubspot: [record('h1', { domain: 'gmail.com' }), record('h2', { domain: 'outlook.com' })],
      salesforce: [record(SF1, { domain: 'gmail.com' }), record(SF2, { domain: 'outlook.com' })],
    },
  ],
  [
    "an admin's link to a record that does not exist is ignored",
    {
      hubspot: [record('h1', { connectorId: SF1 })],
      salesforce: [record(SF1)],
      decisions: [linked('h1', MISSING), linked('h9', SF1)],
      links: [`h1→${SF1} (connector_id)`],
    },
  ],
  [
    'two admin links on one record: a conflict, neither stands, and no rule links either record',
    {
      hubspot: [record('h1', { connectorId: SF1, name: 'Acme' }), record('h2', { connectorId: SF3 })],
      salesforce: [record(SF1, { name: 'Acme' }), record(SF2), record(SF3)],
      decisions: [linked('h1', SF1), linked('h1', SF2)],
      links: [`h2→${SF3} (connector_id)`],
      conflicts: [`manual h1: h1 | ${SF1},${SF2}`],
    },
  ],
  [
    'admin links chained through shared records form one conflict',
    {
      hubspot: [record('h1'), record('h2')],
      salesforce: [record(SF1), record(SF2)],
      decisions: [linked('h1', SF1), linked('h2', SF1), linked('h2', SF2)],
      conflicts: [`manual h2, ${SF1}: h1,h2 | ${SF1},${SF2}`],
    },
  ],
  [
    'a rejected pair is not linked by its connector id',
    {
      hubspot: [record('h1', { connectorId: SF1, name: 'Acme' })],
      salesforce: [record(SF1, { name: 'Acme' })],
      decisions: [rejected('h1', SF1)],
    },
  ],
  [
    'a rejected pair is not linked by its domain',
    {
      hubspot: [record('h1', { domain: 'acme.io', name: 'Acme' })],
      salesforce: [record(SF1, { domain: 'acme.io', name: 'Acme' })],
      decisions: [rejected('h1', SF1)],
    },
  ],
  [
    'a rejected pair leaves each record free to match elsewhere',
    {
      hubspot: [record('h1', { connectorId: SF1, domain: 'beta.io' })],
      salesforce: [record(SF1), record(SF2, { domain: 'beta.io' })],
      decisions: [rejected('h1', SF1)],
      links: [`h1→${SF2} (domain)`],
    },
  ],
  [
    'a rejected pair is not proposed again; the next best is',
    {
      hubspot: [record('h1', { name: 'Acme Analytics' })],
      salesforce: [record(SF1, { name: 'Acme Analytics' }), record(SF2, { name: 'Acme-Analytics Ltd' })],
      decisions: [rejected('h1', SF1)],
      proposals: [`h1~${SF2}`],
    },
  ],
  [
    'the newest decision on a pair wins: rejected after linked',
    {
      hubspot: [record('h1', { domain: 'acme.io' })],
      salesforce: [record(SF1, { domain: 'acme.io' })],
      decisions: [linked('h1', SF1, 1_000), rejected('h1', SF1, 2_000)],
    },
  ],
  [
    'the newest decision on a pair wins: linked after rejected',
    {
      hubspot: [record('h1')],
      salesforce: [record(SF1)],
      decisions: [linked('h1', SF1, 2_000), rejected('h1', SF1, 1_000)],
      links: [`h1→${SF1} (manual)`],
    },
  ],
  [
    'decisions on one pair at the same time: rejected wins',
    {
      hubspot: [record('h1', { domain: 'acme.io' })],
      salesforce: [record(SF1, { domain: 'acme.io' })],
      decisions: [linked('h1', SF1), rejected('h1', SF1)],
    },
  ],
  [
    'names are proposed, never linked',
    {
      hubspot: [record('h1', { name: 'Acme Corporation' })],
      salesforce: [record(SF1, { name: 'ACME Corp.' })],
      proposals: [`h1~${SF1}`],
    },
  ],
  [
    'only mutual best names are proposed',
    {
      hubspot: [record('h1', { name: 'Harbor Freight Tools' }), record('h2', { name: 'Harbour Freight Tools Ltd' })],
      salesforce: [record(SF1, { name: 'Harbour Freight Tools' })],
      proposals: [`h2~${SF1}`],
    },
  ],
  [
    'each side proposes its own best when they differ',
    {
      hubspot: [record('h1', { name: 'Harbour Freight Tools' })],
      salesforce: [record(SF1, { name: 'Harbor Freight Tools' }), record(SF2, { name: 'Harbour Freight Tools' })],
      proposals: [`h1~${SF2}`],
    },
  ],
  [
    'equal names prefer the same legal form',
    {
      hubspot: [record('h1', { name: 'Acme Analytics Inc' }), record('h2', { name: 'Acme Analytics Ltd' })],
      salesforce: [record(SF1, { name: 'Acme Analytics Limited' }), record(SF2, { name: 'Acme Analytics, Inc.' })],
      proposals: [`h1~${SF2}`, `h2~${SF1}`],
    },
  ],
  [
    'otherwise equal names go to the smaller id',
    {
      hubspot: [record('h1', { name: 'Acme' })],
      salesforce: [record(SF2, { name: 'Acme' }), record(SF1, { name: 'ACME' })],
      proposals: [`h1~${SF1}`],
    },
  ],
  [
    'near-identical names of different customers are not proposed',
    {
      hubspot: [record('h1', { name: 'Acme Analytics' }), record('h2', { name: 'Acme Analytics 2 Inc' })],
      salesforce: [record(SF1, { name: 'Acme Analytica' }), record(SF2, { name: 'Acme Analytics Inc' })],
      proposals: [`h1~${SF2}`],
    },
  ],
  [
    'records without a name are never proposed',
    {
      hubspot: [record('h1'), record('h2', { name: '' })],
      salesforce: [record(SF1), record(SF2, { name: '' })],
    },
  ],
];

describe('matchAccounts rules', () => {
  it.each(cases)('%s', (_rule, { hubspot, salesforce, decisions = [], links = [], conflicts = [], proposals = [] }) => {
    expect(summary(matchAccounts({ hubspot, salesforce, decisions }))).toEqual({ links, conflicts, proposals });
  });
});

describe('matchAccounts report', () => {
  it('counts links per rule, proposals, conflicts and what is left unmatched', () => {
    const report = matchAccounts({
      hubspot: [
        record('h1', { connectorId: SF1 }),
        record('h2', { domain: 'beta.io' }),
        record('h3'),
        record('h4', { name: 'Gamma Labs' }),
        record('h5', { domain: 'delta.io' }),
        record('h6', { domain: 'delta.io' }),
      ],
      salesforce: [
        record(SF1),
        record(SF2, { domain: 'beta.io' }),
        record(SF3),
        record('001000000000004AAA', { name: 'Gamma Labs GmbH' }),
        record('001000000000005AAA', { domain: 'delta.io' }),
        record('001000000000006AAA'),
      ],
      decisions: [linked('h3', SF3)],
    });
    expect(report.counts).toEqual({
      connector_id: 1,
      domain: 1,
      manual: 1,
      proposed: 1,
      conflicts: 1,
      unmatchedHubspot: 3,
      unmatchedSalesforce: 3,
    });
    expect(report.proposals).toEqual([
      {
        hubspotId: 'h4',
        salesforceId: '001000000000004AAA',
        similarity: 1,
        hubspotName: 'Gamma Labs',
        salesforceName: 'Gamma Labs GmbH',
      },
    ]);
    expect(report.conflicts[0]?.reason).toBe('delta.io is held by 2 HubSpot companies and 1 Salesforce Account');
  });

  it('lists proposals best first', () => {
    const report = matchAccounts({
      hubspot: [
        record('h1', { name: 'Harbor Freight Tools' }),
        record('h2', { name: 'Globex Corporation' }),
        record('h3', { name: 'Pacific Freight Logistic Partners' }),
      ],
      salesforce: [
        record(SF1, { name: 'Harbour Freight Tools' }),
        record(SF2, { name: 'Globex' }),
        record(SF3, { name: 'Pacific Freight Logistics Partners' }),
      ],
      decisions: [],
    });
    expect(report.proposals.map((proposal) => [proposal.hubspotId, proposal.similarity])).toEqual([
      ['h2', 1],
      ['h3', nameSimilarity('Pacific Freight Logistic Partners', 'Pacific Freight Logistics Partners')],
      ['h1', nameSimilarity('Harbor Freight Tools', 'Harbour Freight Tools')],
    ]);
  });

  it('proposes a pair whose similarity equals the threshold, and not one just below it', () => {
    const hubspot = [record('h1', { name: 'Harbor Freight Tools' })];
    const salesforce = [record(SF1, { name: 'Harbour Freight Tools' })];
    const similarity = nameSimilarity('Harbor Freight Tools', 'Harbour Freight Tools');
    const at = (minSimilarity: number) =>
      matchAccounts({ hubspot, salesforce, decisions: [] }, { minSimilarity }).proposals.length;
    expect(at(similarity)).toBe(1);
    expect(at(similarity + 1e-9)).toBe(0);
    expect(similarity).toBeGreaterThanOrEqual(DEFAULT_MIN_SIMILARITY);
    expect(matchAccounts({ hubspot, salesforce, decisions: [] }).proposals).toHaveLength(1);
  });

  it.each([0.49, 1.01, Number.NaN])('refuses minSimilarity %s', (minSimilarity) => {
    expect(() => matchAccounts({ hubspot: [], salesforce: [], decisions: [] }, { minSimilarity })).toThrow(RangeError);
  });

  it('refuses a record listed twice', () => {
    expect(() => matchAccounts({ hubspot: [record('h1'), record('h1')], salesforce: [], decisions: [] })).toThrow(
      /h1 appears twice/,
    );
  });
});

describe('normaliseCompanyName', () => {
  it.each([
    ['Acme, Inc.', 'acme'],
    ['ACME Corporation', 'acme'],
    ['Acme Pty. Ltd.', 'acme'],
    ['Zenith Finance Public Limited Company', 'zenith finance'],
    ['Acme Analytics Grp.', 'acme analytics'],
    ['Acme Analytics Holdings', 'acme analytics'],
    ['Acme International GmbH & Co. KG', 'acme'],
    ['Acme Analytics Europe', 'acme analytics europe'],
    ['The Acme Company', 'acme'],
    ['Smith & Co.', 'smith'],
    ['Johnson & Johnson', 'johnson and johnson'],
    ['Müller Bäckerei GmbH', 'muller backerei'],
    ['Société Générale S.A.', 'societe generale'],
    ['Ørsted A/S', 'orsted'],
    ['Straße AG', 'strasse'],
    ['I.B.M.', 'ibm'],
    ["O'Brien's Pub LLC", 'obriens pub'],
    ['  Acme —   Analytics!  ', 'acme analytics'],
    ['Co-operative Bank', 'co operative bank'],
    ['Inc.', 'inc'],
    ['The', 'the'],
    ['', ''],
  ])('%j → %j', (name, expected) => {
    expect(normaliseCompanyName(name)).toBe(expected);
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (name) => {
        const once = normaliseCompanyName(name);
        expect(normaliseCompanyName(once)).toBe(once);
      }),
    );
  });
});

describe('nameSimilarity', () => {
  it.each([
    ['Acme', 'Acme, Inc.'],
    ['ACME Corporation', 'Acme Corp'],
    ['Müller GmbH', 'Muller'],
    ['Johnson & Johnson', 'Johnson and Johnson'],
    ['AcmeAnalytics', 'Acme Analytics Ltd'],
    ['I.B.M.', 'IBM Corp'],
    ['Müller Media Inc', 'Mueller Media'],
    ['Søndergaard Software', 'Soendergaard Software SA'],
    ['Acme Analytics Holdings', 'Acme Analytics Inc'],
    ['Zenith Finance PLC', 'Zenith Finance Public Limited Company'],
    ['Harbor Freight Tools', 'Harbour Freight Tools'],
    ['Pacific Freight Logistic Partners', 'Pacific Freight Logistics Partners'],
    ['Blue Harbor Shipping Lines', 'Blue Harbour Shipping Lines'],
  ])('%j and %j reach the threshold', (a, b) => {
    expect(nameSimilarity(a, b)).toBeGreaterThanOrEqual(DEFAULT_MIN_SIMILARITY);
  });

  it.each([
    ['Acme Analytics', 'Acme Analytica'],
    ['Acme Analytic Inc', 'Acme Analytics Inc'],
    ['Acme Analytics Global Inc', 'Acme Analytics Inc'],
    ['Acme Analytics 2 Inc', 'Acme Analytics Inc'],
    ['Acme Analytics', 'Acme Metrics'],
    ['Acme', 'Acme Analytics'],
    ['Acme Analytics', 'Acme Analytics Europe'],
    ['First National Bank', 'First Nations Bank'],
    ['Bank of America', 'Bank of England'],
    ['Globex', 'Initech'],
  ])('%j and %j stay below the threshold', (a, b) => {
    expect(nameSimilarity(a, b)).toBeLessThan(DEFAULT_MIN_SIMILARITY);
  });

  it('scores one different word lower than a dropped legal form', () => {
    expect(nameSimilarity('acme analytics', 'acme analytica')).toBeLessThan(nameSimilarity('acme', 'acme inc'));
  });

  it.each([
    ['Acme', 'Acme', 1],
    ['Acme', '', 0],
    ['', '', 0],
    ['Inc.', 'Acme Inc.', nameSimilarity('inc', 'acme')],
  ])('%j and %j score %s', (a, b, expected) => {
    expect(nameSimilarity(a, b)).toBe(expected);
  });

  it('is symmetric and between 0 and 1', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.string({ maxLength: 30 }), (a, b) => {
        const score = nameSimilarity(a, b);
        expect(score).toBe(nameSimilarity(b, a));
        expect(score).toBeGreaterThanOrEqual(0);
        expect(score).toBeLessThanOrEqual(1);
      }),
    );
  });
});

/* ------------------------------------------------------------------ properties over random books */

const WORDS = ['acme', 'acm', 'analytics', 'analytica', 'data', 'labs', 'north', '2', 'and', 'the', 'acmeanalytics'];
const name = fc.oneof(
  fc.constant(null),
  fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 4 }).map((words) => words.join(' ')),
);
const HUBSPOT_IDS = ['h0', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6'];
const SALESFORCE_IDS = ['s0', 's1', 's2', 's3', 's4', 's5', 's6'];
const domain = fc.constantFrom(null, 'a.io', 'b.io', 'c.io', 'gmail.com');

const book = fc.record({
  hubspot: fc.uniqueArray(fc.constantFrom(...HUBSPOT_IDS), { maxLength: 7 }).chain((ids) =>
    fc.tuple(
      ...ids.map((id) =>
        fc.record({
          id: fc.constant(id),
          name,
          domain,
          connectorId: fc.constantFrom(null, 's0', 's1', 's2', 's9'),
        }),
      ),
    ),
  ),
  salesforce: fc
    .uniqueArray(fc.constantFrom(...SALESFORCE_IDS), { maxLength: 7 })
    .chain((ids) =>
      fc.tuple(...ids.map((id) => fc.record({ id: fc.constant(id), name, domain, connectorId: fc.constant(null) }))),
    ),
  decisions: fc.array(
    fc.record(
      {
        hubspotId: fc.constantFrom(...HUBSPOT_IDS),
        salesforceId: fc.constantFrom(...SALESFORCE_IDS),
        decision: fc.constantFrom('linked' as const, 'rejected' as const),
        decidedAt: fc.constantFrom(1, 2, 3),
      },
      { requiredKeys: ['hubspotId', 'salesforceId', 'decision'] },
    ),
    { maxLength: 6 },
  ),
});

const reversed = <T>(items: readonly T[]) => [...items].reverse();
const rotated = <T>(items: readonly T[]) => [...items.slice(1), ...items.slice(0, 1)];

describe('matchAccounts over random books', () => {
  it('gives the same report whatever the order of the input', () => {
    fc.assert(
      fc.property(book, (input) => {
        const report = matchAccounts(input);
        expect(
          matchAccounts({
            hubspot: reversed(input.hubspot),
            salesforce: rotated(input.salesforce),
            decisions: reversed(input.decisions),
          }),
        ).toEqual(report);
        expect(
          matchAccounts({
            hubspot: rotated(input.hubspot),
            salesforce: reversed(input.salesforce),
            decisions: rotated(input.decisions),
          }),
        ).toEqual(report);
      }),
      { numRuns: 300 },
    );
  });

  it('links one to one, each link backed by its rule, and never a rejected pair', () => {
    fc.assert(
      fc.property(book, (input) => {
        const report = matchAccounts(input);
        const company = new Map(input.hubspot.map((r) => [r.id, r]));
        const account = new Map(input.salesforce.map((r) => [r.id, r]));
        const standing = (h: string, s: string) => {
          const onPair = input.decisions.filter((d) => d.hubspotId === h && d.salesforceId === s);
          const newest = Math.max(...onPair.map((d) => d.decidedAt ?? -Infinity));
          const last = onPair.filter((d) => (d.decidedAt ?? -Infinity) === newest);
          return last.length === 0 ? null : last.some((d) => d.decision === 'rejected') ? 'rejected' : 'linked';
        };

        const linkedHubspot = report.links.map((l) => l.hubspotId);
        const linkedSalesforce = report.links.map((l) => l.salesforceId);
        expect(new Set(linkedHubspot).size).toBe(linkedHubspot.length);
        expect(new Set(linkedSalesforce).size).toBe(linkedSalesforce.length);
        for (const link of report.links) {
          const h = company.get(link.hubspotId)!;
          const s = account.get(link.salesforceId)!;
          expect(h).toBeDefined();
          expect(s).toBeDefined();
          expect(standing(h.id, s.id)).toBe(link.rule === 'manual' ? 'linked' : null);
          if (link.rule === 'connector_id') expect(h.connectorId).toBe(s.id);
          if (link.rule === 'domain') {
            expect(h.domain).toBe(s.domain);
            expect(h.domain).not.toBe('gmail.com');
          }
        }
        for (const proposal of report.proposals) {
          expect(linkedHubspot).not.toContain(proposal.hubspotId);
          expect(linkedSalesforce).not.toContain(proposal.salesforceId);
          expect(standing(proposal.hubspotId, proposal.salesforceId)).not.toBe('rejected');
          expect(proposal.similarity).toBeGreaterThanOrEqual(DEFAULT_MIN_SIMILARITY);
          expect(proposal.similarity).toBe(nameSimilarity(proposal.hubspotName, proposal.salesforceName));
        }
        expect(report.counts.unmatchedHubspot).toBe(input.hubspot.length - report.links.length);
        expect(report.counts.unmatchedSalesforce).toBe(input.salesforce.length - report.links.length);
      }),
      { numRuns: 300 },
    );
  });

  it('proposes exactly the mutual best pairs a comparison of every pair finds', () => {
    const names = fc.uniqueArray(name, { maxLength: 8 });
    fc.assert(
      fc.property(names, names, fc.double({ min: 0.5, max: 1, noNaN: true }), (left, right, minSimilarity) => {
        const hubspot = left.map((n, i) => record(`h${i}`, { name: n }));
        const salesforce = right.map((n, i) => record(`s${i}`, { name: n }));
        const scored = hubspot.flatMap((h) =>
          salesforce.map((s) => ({ h: h.id, s: s.id, score: nameSimilarity(h.name ?? '', s.name ?? '') })),
        );
        // Without legal forms in the words, ties go to the smaller id.
        const best = (pairs: typeof scored, other: 'h' | 's') =>
          pairs.reduce<(typeof scored)[number] | undefined>(
            (kept, pair) =>
              kept === undefined || pair.score > kept.score || (pair.score === kept.score && pair[other] < kept[other])
                ? pair
                : kept,
            undefined,
          );
        const expected = scored
          .filter((pair) => pair.score >= minSimilarity)
          .filter((pair, _, eligible) => {
            const forH = best(
              eligible.filter((p) => p.h === pair.h),
              's',
            );
            const forS = best(
              eligible.filter((p) => p.s === pair.s),
              'h',
            );
            return forH === pair && forS === pair;
          })
          .map((pair) => `${pair.h}~${pair.s}`)
          .sort();
        const found = matchAccounts({ hubspot, salesforce, decisions: [] }, { minSimilarity })
          .proposals.map((proposal) => `${proposal.hubspotId}~${proposal.salesforceId}`)
          .sort();
        expect(found).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });
});
