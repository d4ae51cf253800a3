import { npsCategory, npsSummary, type NpsResponse } from './nps.ts';
import { roundRatio } from './rounding.ts';

/** A theme customer feedback clusters into, found by keywords in the verbatim. */
export interface NpsThemeDefinition {
  key: string;
  label: string;
  patterns: readonly RegExp[];
}

/** Word-start patterns, so "report" finds "reports" and "reporting" but "ui" does not find "build". */
const words = (...stems: string[]): RegExp[] => stems.map((stem) => new RegExp(`\\b${stem}`, 'i'));

/**
 * Where B2B SaaS feedback clusters, as customer-success teams code it: getting started, the people
 * who help, the product's speed, stability, ease, data out (reports) and data across (integrations),
 * missing capability, money, the account relationship, documentation, and security and admin.
 * Stems are matched at the start of a word, case-insensitive.
 */
export const NPS_THEMES: readonly NpsThemeDefinition[] = [
  {
    key: 'onboarding',
    label: 'Onboarding',
    patterns: words(
      'onboard',
      'implement',
      'set ?up\\b',
      'setup',
      'kick-?off',
      'go-?live',
      'getting started',
      'rollout',
      'roll out',
      'training',
      'ramp',
    ),
  },
  {
    key: 'support',
    label: 'Support',
    patterns: words(
      'support',
      'ticket',
      'help ?desk',
      'response time',
      'respon(d|se)s? (quickly|fast|slow)',
      'escalat',
      'agents?\\b',
      'resolv',
      'live chat',
    ),
  },
  {
    key: 'performance',
    label: 'Performance',
    patterns: words(
      'slow',
      'speed',
      'fast\\b',
      'faster',
      'lag',
      'latency',
      'performan',
      'load(s|ing)? time',
      'takes? forever',
      'time ?out',
      'sluggish',
    ),
  },
  {
    key: 'reliability',
    label: 'Reliability',
    patterns: words(
      'bug',
      'crash',
      'outage',
      'down ?time',
      'went down',
      'errors?\\b',
      'broken',
      'breaks',
      'glitch',
      'reliab',
      'unreliab',
      'stab(le|ility)',
      'unstable',
      'uptime',
      'data loss',
    ),
  },
  {
    key: 'ease_of_use',
    label: 'Ease of use',
    patterns: words(
      'easy',
      'easier',
      'ease of use',
      'intuitive',
      'user[- ]friendly',
      'ui\\b',
      'ux\\b',
      'interface',
      'confusing',
      'clunky',
      'complicated',
      'learning curve',
      'navigat',
      'simple',
      'usab',
    ),
  },
  {
    key: 'reporting',
    label: 'Reporting and analytics',
    patterns: words(
      'report',
      'dashboard',
      'analytics',
      'insight',
      'metrics?\\b',
      'export',
      'visibility',
      'charts?\\b',
      'kpi',
    ),
  },
  {
    key: 'integrations',
    label: 'Integrations',
    patterns: words(
      'integrat',
      'apis?\\b',
      'salesforce',
      'hubspot',
      'sync',
      'connector',
      'webhook',
      'zapier',
      'slack',
      'jira',
      'sso\\b',
    ),
  },
  {
    key: 'features',
    label: 'Features and roadmap',
    patterns: words(
      'feature',
      'missing',
      'roadmap',
      'functionalit',
      'capabilit',
      'wish',
      'would love',
      'lacks?\\b',
      'lacking',
      'customi[sz]',
    ),
  },
  {
    key: 'pricing',
    label: 'Pricing and value',
    patterns: words(
      'pric',
      'cost',
      'expensive',
      'cheap',
      'value for money',
      'worth',
      'budget',
      'licen[cs]e (fee|cost)',
      'invoice',
      'billing',
      'roi\\b',
    ),
  },
  {
    key: 'account_management',
    label: 'Account management',
    patterns: words(
      'account manager',
      'csm\\b',
      'customer success',
      'success manager',
      'check-?ins?\\b',
      'qbr',
      'business review',
      'relationship',
      'proactive',
      'point of contact',
    ),
  },
  {
    key: 'documentation',
    label: 'Documentation and training material',
    patterns: words(
      'documentation',
      'docs\\b',
      'knowledge base',
      'help (center|centre|articles?)',
      'tutorial',
      'guides?\\b',
      'webinar',
      'academy',
    ),
  },
  {
    key: 'security',
    label: 'Security and admin',
    patterns: words(
      'secur',
      'permission',
      'gdpr',
      'complian',
      'audit',
      'privacy',
      'access control',
      'roles? and permissions',
      'admin',
    ),
  },
];

/** The theme keys a verbatim mentions, in lexicon order; each theme at most once. */
export function themesOf(verbatim: string | null, lexicon: readonly NpsThemeDefinition[] = NPS_THEMES): string[] {
  if (verbatim === null || verbatim.trim() === '') return [];
  return lexicon.filter((theme) => theme.patterns.some((pattern) => pattern.test(verbatim))).map((theme) => theme.key);
}

export interface NpsThemeSummary {
  theme: string;
  label: string;
  /** Counted answers whose verbatim mentions the theme. */
  mentions: number;
  promoterMentions: number;
  passiveMentions: number;
  detractorMentions: number;
  /** Of the theme's mentions, the share from detractors and from promoters (0–1). */
  detractorShare: number;
  promoterShare: number;
  /** Of all detractors who wrote a verbatim, the share mentioning the theme (0–1). */
  shareOfDetractorComments: number;
  shareOfPromoterComments: number;
  /** NPS of the respondents mentioning it. */
  nps: number | null;
  /** Two quotes, latest first, a detractor's and a promoter's when both exist. */
  examples: string[];
}

const QUOTE_LENGTH = 240;

function quote(verbatim: string): string {
  const text = verbatim.trim().replace(/\s+/g, ' ');
  return text.length <= QUOTE_LENGTH ? text : `${text.slice(0, QUOTE_LENGTH - 1).trimEnd()}…`;
}

/** Two quotes, latest first: the latest detractor's and the latest promoter's when both exist, else the two latest. */
function examplesOf(mentions: readonly NpsResponse[]): string[] {
  const latestFirst = [...mentions].sort((a, b) => b.respondedAt - a.respondedAt);
  const detractor = latestFirst.find((response) => npsCategory(response.score) === 'detractor');
  const promoter = latestFirst.find((response) => npsCategory(response.score) === 'promoter');
  const chosen =
    detractor && promoter
      ? [detractor, promoter].sort((a, b) => b.respondedAt - a.respondedAt)
      : latestFirst.slice(0, 2);
  return chosen.map((response) => quote(response.verbatim ?? ''));
}

/** Per theme of the lexicon, how the counted answers mentioning it score; themes nobody mentions are kept (0). */
export function themeBreakdown(
  responses: readonly NpsResponse[],
  lexicon: readonly NpsThemeDefinition[] = NPS_THEMES,
): NpsThemeSummary[] {
  const commented = responses.filter((response) => response.verbatim !== null && response.verbatim.trim() !== '');
  const detractorComments = commented.filter((response) => npsCategory(response.score) === 'detractor').length;
  const promoterComments = commented.filter((response) => npsCategory(response.score) === 'promoter').length;
  const share = (part: number, whole: number) => (whole > 0 ? roundRatio(part / whole) : 0);
  // Each verbatim is matched once against the whole lexicon: the regexes are the cost, not the counting.
  const mentionsOf = new Map<string, NpsResponse[]>(lexicon.map((theme) => [theme.key, []]));
  for (const response of commented) {
    for (const key of themesOf(response.verbatim, lexicon)) mentionsOf.get(key)?.push(response);
  }
  return lexicon.map((theme) => {
    const mentions = mentionsOf.get(theme.key) ?? [];
    const summary = npsSummary(mentions);
    return {
      theme: theme.key,
      label: theme.label,
      mentions: mentions.length,
      promoterMentions: summary.promoters,
      passiveMentions: summary.passives,
      detractorMentions: summary.detractors,
      detractorShare: summary.detractorShare,
      promoterShare: summary.promoterShare,
      shareOfDetractorComments: share(summary.detractors, detractorComments),
      shareOfPromoterComments: share(summary.promoters, promoterComments),
      nps: summary.score,
      examples: examplesOf(mentions),
    };
  });
}
