/**
 * Which HubSpot company and which Salesforce Account are the same customer. Pure: the matching job
 * feeds it both books and the admins' decisions and stores the report whole.
 *
 * Rules, in order; a record is in at most one link (one-to-one):
 * 1. manual — an admin's 'linked' decision. Both records must exist, else the decision is ignored and
 *    counted nowhere. Per pair the newest decision wins (`decidedAt`; a tie or no time: 'rejected').
 *    'linked' decisions that share a record contradict each other: a 'manual' conflict, none of them
 *    linked, and their records are held out of every later rule until an admin settles it.
 * 2. connector_id — the Salesforce Account id HubSpot's own connector keeps on the company
 *    (`salesforceaccountid`; its 15-character form is read too). Links when it names an existing,
 *    not yet linked Salesforce record. Two or more companies naming one Account: a conflict, none
 *    linked, and those companies and that Account are held out of the domain rule (the connector says
 *    something is wrong; an admin decides). An id naming no Salesforce record (deleted, another org),
 *    or an Account an admin already linked elsewhere, falls through to the next rules.
 * 3. domain — among records not yet linked, a normalised domain held by exactly one company and one
 *    Account links them. Held by several on either side: a conflict, no link. Free-mail domains
 *    (gmail.com, outlook.com, …) say nothing about the customer and are ignored.
 * 4. name — among records still unlinked (conflicted ones included), pairs whose `nameSimilarity` is
 *    at least `minSimilarity` and each the other's best candidate are PROPOSED for review, never
 *    linked. Names compare once normalised (legal forms, Group, Holdings… dropped), so customers
 *    whose names differ only there score alike: equal scores prefer the same legal form (Inc with
 *    Inc), then the smaller id.
 *
 * A 'rejected' pair is never linked by an automatic rule nor proposed again. Same input, same report,
 * whatever the order of the input.
 */

export interface MatchRecord {
  /** CRM id. */
  id: string;
  name: string | null;
  /** Already normalised by `normaliseDomain` (e.g. `acme.io`). */
  domain: string | null;
  /** HubSpot side only: the Salesforce Account id HubSpot's connector keeps; null elsewhere. */
  connectorId: string | null;
}

export type LinkRule = 'connector_id' | 'domain' | 'manual';

/** An admin's word on a pair; per pair the newest wins. */
export interface MatchDecision {
  hubspotId: string;
  salesforceId: string;
  decision: 'linked' | 'rejected';
  /** ms since the epoch; orders two decisions on one pair (without it, 'rejected' wins). */
  decidedAt?: number;
}

export interface AccountLink {
  hubspotId: string;
  salesforceId: string;
  rule: LinkRule;
}

export interface MatchProposal {
  hubspotId: string;
  salesforceId: string;
  similarity: number;
  hubspotName: string;
  salesforceName: string;
}

export interface MatchConflict {
  rule: 'connector_id' | 'domain' | 'manual';
  /** The Salesforce id (connector_id), the domain (domain) or the ids linked more than once (manual). */
  key: string;
  hubspotIds: string[];
  salesforceIds: string[];
  reason: string;
}

export interface MatchReport {
  /** Sorted by hubspotId. */
  links: AccountLink[];
  /** Best first. */
  proposals: MatchProposal[];
  conflicts: MatchConflict[];
  counts: {
    connector_id: number;
    domain: number;
    manual: number;
    proposed: number;
    conflicts: number;
    unmatchedHubspot: number;
    unmatchedSalesforce: number;
  };
}

export interface MatchInput {
  hubspot: readonly MatchRecord[];
  salesforce: readonly MatchRecord[];
  decisions: readonly MatchDecision[];
}

export interface MatchOptions {
  /** 0.5–1 (default 0.8). Below 0.5 names sharing no word could qualify, which the index does not look for. */
  minSimilarity?: number;
}

export const DEFAULT_MIN_SIMILARITY = 0.8;

/** Mail providers anyone can sign up with: a shared one says nothing about the customer. */
const FREE_MAIL_DOMAINS = new Set([
  'gmail.com',
  'googlemail.com',
  'outlook.com',
  'hotmail.com',
  'hotmail.co.uk',
  'live.com',
  'msn.com',
  'yahoo.com',
  'yahoo.co.uk',
  'ymail.com',
  'icloud.com',
  'me.com',
  'mac.com',
  'aol.com',
  'proton.me',
  'protonmail.com',
  'gmx.com',
  'gmx.de',
  'gmx.net',
  'web.de',
  'mail.com',
  'yandex.ru',
  'qq.com',
  '163.com',
  'zoho.com',
]);

/**
 * Words dropped from the end of a name, each with the form it stands for: legal forms, and the words
 * companies add or drop after their name (Group, Holdings, International).
 */
const SUFFIXES = new Map<string, string>([
  ...['inc', 'llc', 'llp', 'lp', 'ltd', 'corp', 'co', 'plc'].map((word) => [word, word] as const),
  ['incorporated', 'inc'],
  ['limited', 'ltd'],
  ['corporation', 'corp'],
  ['company', 'co'],
  ...['gmbh', 'mbh', 'ag', 'kg', 'kgaa', 'se', 'sa', 'nv', 'bv', 'srl', 'sarl', 'sas', 'spa'].map(
    (word) => [word, word] as const,
  ),
  ...['oy', 'oyj', 'ab', 'as', 'asa', 'aps', 'pty', 'pte', 'pvt', 'ltda', 'lda', 'kk'].map(
    (word) => [word, word] as const,
  ),
  ...['group', 'holding', 'holdings', 'international'].map((word) => [word, word] as const),
  ['grp', 'group'],
  ['intl', 'international'],
]);

/** Legal forms spelled out in several words. */
const LONG_FORMS = /(?<=^| )(?:public limited company|limited liability company)(?= |$)/g;
const LONG_FORM_SHORT: Record<string, string> = {
  'public limited company': 'plc',
  'limited liability company': 'llc',
};

/** Letters NFKD leaves whole. */
const FOLDED_LETTERS: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
};

interface NameParts {
  normalised: string;
  /** Distinct words, as compared (ae, oe, ue read as a, o, u). */
  tokens: ReadonlySet<string>;
  /** The compared words run together, so `acme analytics` and `AcmeAnalytics` agree. */
  joined: string;
  /** Words holding a digit: `Acme 2` and `Acme` are different entities. */
  numbers: string;
  /** The legal form dropped (`inc`, `pty ltd`, …), to break ties between equal names. */
  legalForm: string;
}

function nameParts(name: string): NameParts {
  const text = name
    // Compatibility forms first (𝓐 → A), then lower case, whose results may decompose again (İ → i̇).
    .normalize('NFKD')
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/[ßæœøłđðþı]/g, (letter) => FOLDED_LETTERS[letter] ?? letter)
    .replace(/&/g, ' and ')
    .replace(/['’`]/g, '')
    // Initials are one word: S.A. → sa, I.B.M. → ibm, A/S → as.
    .replace(/(?<![\p{L}\p{N}])\p{L}(?:[./]\p{L})+\.?(?![\p{L}\p{N}])/gu, (initials) => initials.replace(/[./]/g, ''));
  const words = text
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word !== '')
    .join(' ')
    .replace(LONG_FORMS, (form) => LONG_FORM_SHORT[form] ?? form)
    .split(' ')
    .filter((word) => word !== '');
  if (words.length > 1 && words[0] === 'the') words.shift();
  const forms: string[] = [];
  // Only at the end, so `Co-operative Bank` keeps its `co`; a name is never left empty.
  while (words.length > 1) {
    const last = words[words.length - 1]!;
    const form = SUFFIXES.get(last);
    if (form !== undefined) forms.unshift(form);
    else if (!(last === 'and' && forms.length > 0)) break;
    words.pop();
  }
  // Compared as German and Nordic spellings without marks agree: Müller, Muller and Mueller.
  const compared = words.map((word) => word.replace(/([aou])e/g, '$1'));
  return {
    normalised: words.join(' '),
    tokens: new Set(compared),
    joined: compared.join(''),
    numbers: words
      .filter((word) => /\d/.test(word))
      .sort()
      .join(' '),
    legalForm: forms.join(' '),
  };
}

/**
 * Lower case, diacritics stripped (NFKD), `&` → `and`, punctuation dropped, a leading `the` and the
 * words at the end that are legal forms (Inc, Ltd, GmbH, Public Limited Company, …) or that companies
 * add and drop (Group, Holdings, International) dropped, spaces collapsed.
 */
export function normaliseCompanyName(name: string): string {
  return nameParts(name).normalised;
}

// Rows of the edit-distance table, reused: matching compares many pairs.
let previousRow = new Int32Array(64);
let currentRow = new Int32Array(64);

/**
 * The edit distance of a and b if it is at most `max`, else max + 1. Only a band of 2·max + 1 cells
 * per row can hold a distance ≤ max (Ukkonen), so a tight bound makes most comparisons cheap.
 */
function boundedLevenshtein(a: string, b: string, max: number): number {
  if (a.length < b.length) [a, b] = [b, a];
  const beyond = max + 1;
  if (a.length - b.length > max) return beyond;
  if (b.length === 0) return a.length;
  if (previousRow.length <= b.length + 1) {
    previousRow = new Int32Array(2 * (b.length + 2));
    currentRow = new Int32Array(2 * (b.length + 2));
  }
  let previous = previousRow;
  let current = currentRow;
  for (let j = 0; j <= b.length; j++) previous[j] = Math.min(j, beyond);
  for (let i = 1; i <= a.length; i++) {
    const from = Math.max(1, i - max);
    const to = Math.min(b.length, i + max);
    current[from - 1] = from === 1 ? Math.min(i, beyond) : beyond;
    let rowMin = current[from - 1]!;
    const code = a.charCodeAt(i - 1);
    for (let j = from; j <= to; j++) {
      const substitution = previous[j - 1]! + (code === b.charCodeAt(j - 1) ? 0 : 1);
      const cell = Math.min(substitution, previous[j]! + 1, current[j - 1]! + 1, beyond);
      current[j] = cell;
      if (cell < rowMin) rowMin = cell;
    }
    // The next row reads one cell past this band.
    if (to < b.length) current[to + 1] = beyond;
    if (rowMin > max) return beyond;
    [previous, current] = [current, previous];
  }
  return previous[b.length]!;
}

function sharedTokens(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let shared = 0;
  for (const token of a) if (b.has(token)) shared++;
  return shared;
}

/**
 * Half the spelling (1 − edit distance / longer length, spaces ignored), half the words in common
 * (Dice), so one different word weighs more than the letters it differs by: `acme analytics` and
 * `acme analytica` are two customers. Names differing in a number (Acme 2) score half.
 *
 * Returns -1 instead when the score is certainly below `atLeast`, which bounds the edit distance.
 */
function scoreAtLeast(a: NameParts, b: NameParts, atLeast: number): number {
  if (a.joined === '' || b.joined === '') return 0;
  if (a.joined === b.joined) return 1;
  const words = (2 * sharedTokens(a.tokens, b.tokens)) / (a.tokens.size + b.tokens.size);
  const halved = a.numbers !== b.numbers;
  const longer = Math.max(a.joined.length, b.joined.length);
  // score ≥ atLeast ⇔ spelling ≥ (halved ? 4 : 2) · atLeast − words ⇔ distance ≤ maxDistance.
  const minSpelling = (halved ? 4 : 2) * atLeast - words;
  const maxDistance = Math.min(longer, Math.floor((1 - minSpelling) * longer + 1e-9));
  if (maxDistance < 0) return -1;
  const distance = boundedLevenshtein(a.joined, b.joined, maxDistance);
  if (distance > maxDistance) return -1;
  const score = (1 - distance / longer + words) / 2;
  return halved ? score / 2 : score;
}

/**
 * 0–1: how alike two company names are once normalised (1: the same name), reading ae, oe and ue as
 * a, o and u so Müller, Muller and Mueller agree. Symmetric.
 */
export function nameSimilarity(a: string, b: string): number {
  return scoreAtLeast(nameParts(a), nameParts(b), 0);
}

const byId = (a: MatchRecord, b: MatchRecord) => compareText(a.id, b.id);

/** Code-unit order: the same on every machine, unlike localeCompare. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedById(records: readonly MatchRecord[], crm: string): MatchRecord[] {
  const sorted = [...records].sort(byId);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.id === sorted[i - 1]!.id) throw new Error(`${crm} record ${sorted[i]!.id} appears twice`);
  }
  return sorted;
}

/** Per pair, the decision that stands: the newest; on a tie, 'rejected'. */
function standingDecisions(decisions: readonly MatchDecision[]): Map<string, Map<string, MatchDecision>> {
  const pairs = new Map<string, Map<string, MatchDecision>>();
  for (const decision of decisions) {
    const bySalesforce = pairs.get(decision.hubspotId) ?? new Map<string, MatchDecision>();
    pairs.set(decision.hubspotId, bySalesforce);
    const standing = bySalesforce.get(decision.salesforceId);
    if (standing === undefined || outranks(decision, standing)) bySalesforce.set(decision.salesforceId, decision);
  }
  return pairs;
}

function outranks(a: MatchDecision, b: MatchDecision): boolean {
  const at = a.decidedAt ?? -Infinity;
  const bt = b.decidedAt ?? -Infinity;
  return at !== bt ? at > bt : a.decision === 'rejected' && b.decision === 'linked';
}

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

interface Candidate {
  hubspot: MatchRecord;
  salesforce: MatchRecord;
  similarity: number;
  sameLegalForm: boolean;
}

class Matching {
  readonly links: AccountLink[] = [];
  readonly conflicts: MatchConflict[] = [];
  readonly proposals: MatchProposal[] = [];
  private readonly linkedHubspot = new Set<string>();
  private readonly linkedSalesforce = new Set<string>();
  /** Records in a manual conflict: no rule touches them. */
  private readonly heldHubspot = new Set<string>();
  private readonly heldSalesforce = new Set<string>();
  /** Records in a connector conflict: not linked by domain. */
  private readonly connectorConflictHubspot = new Set<string>();
  private readonly connectorConflictSalesforce = new Set<string>();
  private readonly decisions: Map<string, Map<string, MatchDecision>>;

  constructor(
    private readonly hubspot: readonly MatchRecord[],
    private readonly salesforce: readonly MatchRecord[],
    decisions: readonly MatchDecision[],
  ) {
    this.decisions = standingDecisions(decisions);
  }

  private rejected(hubspotId: string, salesforceId: string): boolean {
    return this.decisions.get(hubspotId)?.get(salesforceId)?.decision === 'rejected';
  }

  private freeHubspot(record: MatchRecord): boolean {
    return !this.linkedHubspot.has(record.id) && !this.heldHubspot.has(record.id);
  }

  private freeSalesforce(record: MatchRecord): boolean {
    return !this.linkedSalesforce.has(record.id) && !this.heldSalesforce.has(record.id);
  }

  private link(hubspotId: string, salesforceId: string, rule: LinkRule): void {
    this.links.push({ hubspotId, salesforceId, rule });
    this.linkedHubspot.add(hubspotId);
    this.linkedSalesforce.add(salesforceId);
  }

  matchManually(): void {
    const hubspotIds = new Set(this.hubspot.map((record) => record.id));
    const salesforceIds = new Set(this.salesforce.map((record) => record.id));
    const edges: [string, string][] = [];
    for (const [hubspotId, bySalesforce] of this.decisions) {
      for (const [salesforceId, decision] of bySalesforce) {
        if (decision.decision === 'linked' && hubspotIds.has(hubspotId) && salesforceIds.has(salesforceId)) {
          edges.push([hubspotId, salesforceId]);
        }
      }
    }
    edges.sort(([h1, s1], [h2, s2]) => compareText(h1, h2) || compareText(s1, s2));
    const degree = new Map<string, number>();
    const bump = (key: string) => degree.set(key, (degree.get(key) ?? 0) + 1);
    for (const [h, s] of edges) {
      bump(`h:${h}`);
      bump(`s:${s}`);
    }
    const contested: [string, string][] = [];
    for (const [h, s] of edges) {
      if (degree.get(`h:${h}`) === 1 && degree.get(`s:${s}`) === 1) this.link(h, s, 'manual');
      else contested.push([h, s]);
    }
    for (const group of connectedGroups(contested)) {
      for (const h of group.hubspotIds) this.heldHubspot.add(h);
      for (const s of group.salesforceIds) this.heldSalesforce.add(s);
      const shared = [
        ...group.hubspotIds.filter((h) => degree.get(`h:${h}`)! > 1),
        ...group.salesforceIds.filter((s) => degree.get(`s:${s}`)! > 1),
      ];
      this.conflicts.push({
        rule: 'manual',
        key: shared.join(', '),
        hubspotIds: group.hubspotIds,
        salesforceIds: group.salesforceIds,
        reason: `admins linked ${shared.join(', ')} to more than one record; none of these links stands until one is removed`,
      });
    }
  }

  matchByConnector(): void {
    const salesforceById = new Map<string, MatchRecord>();
    for (const record of this.salesforce) {
      // A 15-character id is the case-sensitive head of the 18-character one.
      if (record.id.length === 18) salesforceById.set(record.id.slice(0, 15), record);
    }
    for (const record of this.salesforce) salesforceById.set(record.id, record);

    const claims = new Map<string, MatchRecord[]>();
    for (const company of this.hubspot) {
      const connectorId = company.connectorId?.trim();
      if (!connectorId || !this.freeHubspot(company)) continue;
      const account = salesforceById.get(connectorId);
      if (account === undefined || !this.freeSalesforce(account) || this.rejected(company.id, account.id)) continue;
      const claimants = claims.get(account.id);
      if (claimants === undefined) claims.set(account.id, [company]);
      else claimants.push(company);
    }
    for (const salesforceId of [...claims.keys()].sort(compareText)) {
      const companies = claims.get(salesforceId)!;
      if (companies.length === 1) {
        this.link(companies[0]!.id, salesforceId, 'connector_id');
        continue;
      }
      for (const company of companies) this.connectorConflictHubspot.add(company.id);
      this.connectorConflictSalesforce.add(salesforceId);
      this.conflicts.push({
        rule: 'connector_id',
        key: salesforceId,
        hubspotIds: companies.map((company) => company.id),
        salesforceIds: [salesforceId],
        reason: `${companies.length} HubSpot companies carry the Salesforce Account id ${salesforceId}`,
      });
    }
  }

  matchByDomain(): void {
    const groups = new Map<string, { hubspot: string[]; salesforce: string[] }>();
    const group = (domain: string) => {
      const found = groups.get(domain) ?? { hubspot: [], salesforce: [] };
      groups.set(domain, found);
      return found;
    };
    const usable = (domain: string | null): domain is string => !!domain && !FREE_MAIL_DOMAINS.has(domain);
    for (const company of this.hubspot) {
      if (usable(company.domain) && this.freeHubspot(company) && !this.connectorConflictHubspot.has(company.id)) {
        group(company.domain).hubspot.push(company.id);
      }
    }
    for (const account of this.salesforce) {
      if (usable(account.domain) && this.freeSalesforce(account) && !this.connectorConflictSalesforce.has(account.id)) {
        group(account.domain).salesforce.push(account.id);
      }
    }
    for (const domain of [...groups.keys()].sort(compareText)) {
      const { hubspot, salesforce } = groups.get(domain)!;
      if (hubspot.length === 0 || salesforce.length === 0) continue;
      if (hubspot.length === 1 && salesforce.length === 1) {
        if (!this.rejected(hubspot[0]!, salesforce[0]!)) this.link(hubspot[0]!, salesforce[0]!, 'domain');
        continue;
      }
      this.conflicts.push({
        rule: 'domain',
        key: domain,
        hubspotIds: hubspot,
        salesforceIds: salesforce,
        reason: `${domain} is held by ${plural(hubspot.length, 'HubSpot company', 'HubSpot companies')} and ${plural(salesforce.length, 'Salesforce Account', 'Salesforce Accounts')}`,
      });
    }
  }

  proposeByName(minSimilarity: number): void {
    const named = (record: MatchRecord) => ({ record, parts: nameParts(record.name ?? '') });
    const companies = this.hubspot.filter((record) => this.freeHubspot(record)).map(named);
    const accounts = this.salesforce.filter((record) => this.freeSalesforce(record)).map(named);

    const index = new NameIndex(
      accounts.map(({ parts }) => parts),
      minSimilarity,
    );
    const candidates: Candidate[] = [];
    for (const { record: hubspot, parts } of companies) {
      for (const at of index.candidates(parts)) {
        const account = accounts[at]!;
        if (this.rejected(hubspot.id, account.record.id)) continue;
        const similarity = scoreAtLeast(parts, account.parts, minSimilarity);
        if (similarity < minSimilarity) continue;
        candidates.push({
          hubspot,
          salesforce: account.record,
          similarity,
          sameLegalForm: parts.legalForm === account.parts.legalForm,
        });
      }
    }

    const bestForHubspot = new Map<string, Candidate>();
    const bestForSalesforce = new Map<string, Candidate>();
    for (const candidate of candidates) {
      const { hubspot, salesforce } = candidate;
      const forHubspot = bestForHubspot.get(hubspot.id);
      if (forHubspot === undefined || better(candidate, forHubspot, salesforce.id, forHubspot.salesforce.id)) {
        bestForHubspot.set(hubspot.id, candidate);
      }
      const forSalesforce = bestForSalesforce.get(salesforce.id);
      if (forSalesforce === undefined || better(candidate, forSalesforce, hubspot.id, forSalesforce.hubspot.id)) {
        bestForSalesforce.set(salesforce.id, candidate);
      }
    }
    for (const candidate of bestForHubspot.values()) {
      if (bestForSalesforce.get(candidate.salesforce.id) !== candidate) continue;
      this.proposals.push({
        hubspotId: candidate.hubspot.id,
        salesforceId: candidate.salesforce.id,
        similarity: candidate.similarity,
        hubspotName: candidate.hubspot.name ?? '',
        salesforceName: candidate.salesforce.name ?? '',
      });
    }
    this.proposals.sort(
      (a, b) =>
        b.similarity - a.similarity ||
        compareText(a.hubspotId, b.hubspotId) ||
        compareText(a.salesforceId, b.salesforceId),
    );
  }
}

/**
 * Finds the names one name could reach `minSimilarity` with, without comparing all pairs. A score is
 * at most (1 + words) / 2, so a pair needs words (Dice) ≥ δ = 2 · minSimilarity − 1: at least
 * ⌈δ(|x| + |y|) / 2⌉ shared words. Then one of the |x| − that + 1 rarest words of x is shared (prefix
 * filtering), so only those are looked up, per size of name, and common words (`services`, `and`)
 * are mostly skipped. Names sharing no word reach it only when spelled alike without spaces.
 */
class NameIndex {
  private readonly bySize = new Map<number, Map<string, number[]>>();
  private readonly byJoined = new Map<string, number[]>();
  private readonly frequency = new Map<string, number>();
  private readonly minWords: number;
  /** Which name was last returned for which lookup, so each is returned once. */
  private readonly seen: Int32Array;
  private lookup = 0;

  constructor(names: readonly NameParts[], minSimilarity: number) {
    this.minWords = 2 * minSimilarity - 1;
    this.seen = new Int32Array(names.length);
    names.forEach((parts, at) => {
      if (parts.joined === '') return;
      const byToken = this.bySize.get(parts.tokens.size) ?? new Map<string, number[]>();
      this.bySize.set(parts.tokens.size, byToken);
      for (const token of parts.tokens) {
        append(byToken, token, at);
        this.frequency.set(token, (this.frequency.get(token) ?? 0) + 1);
      }
      append(this.byJoined, parts.joined, at);
    });
  }

  candidates(parts: NameParts): number[] {
    if (parts.joined === '') return [];
    const lookup = ++this.lookup;
    const found: number[] = [];
    const add = (at: number) => {
      if (this.seen[at] === lookup) return;
      this.seen[at] = lookup;
      found.push(at);
    };
    const rarestFirst = [...parts.tokens].sort(
      (a, b) => (this.frequency.get(a) ?? 0) - (this.frequency.get(b) ?? 0) || compareText(a, b),
    );
    for (const [size, byToken] of this.bySize) {
      const shared = Math.max(1, Math.ceil((this.minWords * (rarestFirst.length + size)) / 2 - 1e-9));
      if (shared > Math.min(rarestFirst.length, size)) continue;
      for (const token of rarestFirst.slice(0, rarestFirst.length - shared + 1)) {
        for (const at of byToken.get(token) ?? []) add(at);
      }
    }
    for (const at of this.byJoined.get(parts.joined) ?? []) add(at);
    return found;
  }
}

function append(map: Map<string, number[]>, key: string, at: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [at]);
  else list.push(at);
}

/** Higher score, then the same legal form, then the smaller id of the other side. */
function better(a: Candidate, b: Candidate, aOtherId: string, bOtherId: string): boolean {
  if (a.similarity !== b.similarity) return a.similarity > b.similarity;
  if (a.sameLegalForm !== b.sameLegalForm) return a.sameLegalForm;
  return compareText(aOtherId, bOtherId) < 0;
}

/** Groups of HubSpot–Salesforce edges joined by a shared record, each with its ids sorted. */
function connectedGroups(edges: readonly [string, string][]): { hubspotIds: string[]; salesforceIds: string[] }[] {
  const parent = new Map<string, string>();
  const root = (key: string): string => {
    let at = key;
    while (parent.get(at) !== at) at = parent.get(at)!;
    parent.set(key, at);
    return at;
  };
  for (const [h, s] of edges) {
    for (const key of [`h:${h}`, `s:${s}`]) if (!parent.has(key)) parent.set(key, key);
    const a = root(`h:${h}`);
    const b = root(`s:${s}`);
    if (a !== b) parent.set(compareText(a, b) < 0 ? b : a, compareText(a, b) < 0 ? a : b);
  }
  const groups = new Map<string, { hubspotIds: Set<string>; salesforceIds: Set<string> }>();
  for (const [h, s] of edges) {
    const key = root(`h:${h}`);
    const group = groups.get(key) ?? { hubspotIds: new Set<string>(), salesforceIds: new Set<string>() };
    groups.set(key, group);
    group.hubspotIds.add(h);
    group.salesforceIds.add(s);
  }
  return [...groups.values()]
    .map((group) => ({
      hubspotIds: [...group.hubspotIds].sort(compareText),
      salesforceIds: [...group.salesforceIds].sort(compareText),
    }))
    .sort((a, b) => compareText(a.hubspotIds[0]!, b.hubspotIds[0]!));
}

/** Links the two books' accounts, lists what contradicts itself, and proposes name matches for review. */
export function matchAccounts(input: MatchInput, options: MatchOptions = {}): MatchReport {
  const minSimilarity = options.minSimilarity ?? DEFAULT_MIN_SIMILARITY;
  if (!(minSimilarity >= 0.5 && minSimilarity <= 1)) throw new RangeError('minSimilarity must be between 0.5 and 1');
  const hubspot = sortedById(input.hubspot, 'HubSpot');
  const salesforce = sortedById(input.salesforce, 'Salesforce');

  const matching = new Matching(hubspot, salesforce, input.decisions);
  matching.matchManually();
  matching.matchByConnector();
  matching.matchByDomain();
  matching.proposeByName(minSimilarity);

  const links = [...matching.links].sort((a, b) => compareText(a.hubspotId, b.hubspotId));
  const count = (rule: LinkRule) => links.filter((link) => link.rule === rule).length;
  return {
    links,
    proposals: matching.proposals,
    conflicts: matching.conflicts,
    counts: {
      connector_id: count('connector_id'),
      domain: count('domain'),
      manual: count('manual'),
      proposed: matching.proposals.length,
      conflicts: matching.conflicts.length,
      unmatchedHubspot: hubspot.length - links.length,
      unmatchedSalesforce: salesforce.length - links.length,
    },
  };
}
