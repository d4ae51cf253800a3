/**
 * The signals a health model can score: the names, what each means and how it reads in words.
 * The list follows what the CRM sync provides (accounts, contacts, deals, tickets in the normalised
 * tables) and what the ingest API takes (daily usage aggregates, survey responses, CSM sentiment).
 * A later job computes each account's windowed values; `aggregate` is how it reduces a dated series.
 */

export const SIGNAL_NAMES = [
  'usage.active_user_ratio',
  'usage.events_per_licence',
  'usage.feature_breadth',
  'support.open_tickets',
  'support.high_priority_open',
  'support.oldest_open_days',
  'support.tickets_per_100_licences',
  'engagement.days_since_last',
  'relationship.champion_present',
  'relationship.sponsor_present',
  'relationship.departed_champion',
  'commercial.days_to_renewal',
  'commercial.arr_change_pct',
  'commercial.open_expansion',
  'voice.nps',
  'voice.csat',
  'voice.ces',
  'voice.detractor_share',
  'sentiment.csm',
] as const;

export type SignalName = (typeof SIGNAL_NAMES)[number];

export type SignalUnit = 'ratio' | 'count' | 'days' | 'percent' | 'rating' | 'number' | 'sentiment' | 'flag';

export interface SignalInfo {
  /** How the value reads in a sentence: "Active users", "Open high-priority tickets". */
  label: string;
  unit: SignalUnit;
  /** Words after the value: "of licences", "out of 10". */
  suffix?: string;
  /** For flags: the sentence when true and when false. */
  whenTrue?: string;
  whenFalse?: string;
  source: 'crm' | 'ingest';
  /** What the signal job reads to compute it. */
  from: string;
}

export const SIGNALS: Readonly<Record<SignalName, SignalInfo>> = {
  'usage.active_user_ratio': {
    label: 'Active users',
    unit: 'ratio',
    suffix: 'of licences',
    source: 'ingest',
    from: 'daily usage: activeUsers ÷ licences',
  },
  'usage.events_per_licence': {
    label: 'Product events per licence',
    unit: 'number',
    suffix: 'a day',
    source: 'ingest',
    from: 'daily usage: events ÷ licences',
  },
  'usage.feature_breadth': {
    label: 'Feature breadth',
    unit: 'ratio',
    suffix: 'of features in use',
    source: 'ingest',
    from: 'daily usage: features used by at least a fifth of the day’s active users ÷ features offered',
  },
  'support.open_tickets': { label: 'Open tickets', unit: 'count', source: 'crm', from: 'tickets not closed' },
  'support.high_priority_open': {
    label: 'Open high-priority tickets',
    unit: 'count',
    source: 'crm',
    from: 'tickets not closed with priority high or urgent',
  },
  'support.oldest_open_days': {
    label: 'Oldest open ticket',
    unit: 'days',
    suffix: 'old',
    source: 'crm',
    from: 'age of the oldest ticket not closed',
  },
  'support.tickets_per_100_licences': {
    label: 'Tickets per 100 licences',
    unit: 'number',
    source: 'crm',
    from: 'tickets created in the window × 100 ÷ licences',
  },
  'engagement.days_since_last': {
    label: 'Last engagement',
    unit: 'days',
    suffix: 'ago',
    source: 'crm',
    from: 'most recent lastEngagedAt of the account’s contacts',
  },
  'relationship.champion_present': {
    label: 'Champion',
    unit: 'flag',
    whenTrue: 'A champion is in place',
    whenFalse: 'No champion in place',
    source: 'crm',
    from: 'contacts with role champion and not departed',
  },
  'relationship.sponsor_present': {
    label: 'Executive sponsor',
    unit: 'flag',
    whenTrue: 'An executive sponsor is in place',
    whenFalse: 'No executive sponsor',
    source: 'crm',
    from: 'contacts with role executive_sponsor and not departed',
  },
  'relationship.departed_champion': {
    label: 'Departed champion',
    unit: 'flag',
    whenTrue: 'A champion left recently',
    whenFalse: 'No champion left recently',
    source: 'crm',
    from: 'champions with departedOn in the window',
  },
  'commercial.days_to_renewal': {
    label: 'Renewal',
    unit: 'days',
    suffix: 'away',
    source: 'crm',
    from: 'account renewalDate, or the close date of the open renewal deal',
  },
  'commercial.arr_change_pct': {
    label: 'ARR change',
    unit: 'percent',
    source: 'crm',
    from: 'ARR now against ARR at the start of the window (won renewals and expansions)',
  },
  'commercial.open_expansion': {
    label: 'Open expansion',
    unit: 'flag',
    whenTrue: 'An expansion deal is open',
    whenFalse: 'No expansion deal open',
    source: 'crm',
    from: 'deals of kind expansion at stage open',
  },
  'voice.nps': { label: 'NPS rating', unit: 'rating', suffix: 'out of 10', source: 'ingest', from: 'NPS responses' },
  'voice.csat': { label: 'CSAT', unit: 'rating', suffix: 'out of 5', source: 'ingest', from: 'CSAT responses' },
  'voice.ces': {
    label: 'Customer effort',
    unit: 'rating',
    suffix: 'out of 7',
    source: 'ingest',
    from: 'CES responses',
  },
  'voice.detractor_share': {
    label: 'Detractors',
    unit: 'ratio',
    suffix: 'of NPS answers',
    source: 'ingest',
    from: 'NPS responses scoring 0–6 ÷ NPS responses',
  },
  'sentiment.csm': {
    label: 'CSM sentiment',
    unit: 'sentiment',
    source: 'ingest',
    from: 'CSM sentiment: positive 1, neutral 0, negative −1',
  },
};

export function isSignalName(name: string): name is SignalName {
  return Object.hasOwn(SIGNALS, name);
}

/** One account's signal values as the signal job computed them; null or absent means "no data". */
export type SignalValue = number | boolean | null;
export type SignalValues = Readonly<Partial<Record<string, SignalValue>>>;

export const AGGREGATIONS = ['latest', 'mean', 'sum', 'min', 'max', 'count', 'slope'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

/** One dated observation; `at` is epoch milliseconds. */
export interface DatedValue {
  at: number;
  value: number;
}

export const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

/**
 * Reduces a dated series to one value over the `windowDays` that end at `now` (start exclusive,
 * `now` inclusive; later points are ignored). An empty window is null, except for `count` and `sum`,
 * where nothing happening is 0. `slope` is the least-squares change per week and needs two distinct
 * instants.
 */
export function aggregate(
  series: readonly DatedValue[],
  windowDays: number,
  aggregation: Aggregation,
  now: number,
): number | null {
  const start = now - windowDays * DAY_MS;
  let n = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  let latestAt = -Infinity;
  let latest = 0;
  for (const point of series) {
    if (point.at <= start || point.at > now) continue;
    n += 1;
    sum += point.value;
    if (point.value < min) min = point.value;
    if (point.value > max) max = point.value;
    if (point.at >= latestAt) {
      latestAt = point.at;
      latest = point.value;
    }
  }
  switch (aggregation) {
    case 'count':
      return n;
    case 'sum':
      return sum;
    case 'latest':
      return n === 0 ? null : latest;
    case 'mean':
      return n === 0 ? null : sum / n;
    case 'min':
      return n === 0 ? null : min;
    case 'max':
      return n === 0 ? null : max;
    case 'slope':
      return n < 2 ? null : slopePerWeek(series.filter((point) => point.at > start && point.at <= now));
  }
}

/** Least-squares slope in value per week; null when all points share one instant. */
export function slopePerWeek(points: readonly DatedValue[]): number | null {
  const n = points.length;
  if (n < 2) return null;
  let meanX = 0;
  let meanY = 0;
  for (const point of points) {
    meanX += point.at / WEEK_MS;
    meanY += point.value;
  }
  meanX /= n;
  meanY /= n;
  let sxx = 0;
  let sxy = 0;
  for (const point of points) {
    const dx = point.at / WEEK_MS - meanX;
    sxx += dx * dx;
    sxy += dx * (point.value - meanY);
  }
  return sxx === 0 ? null : sxy / sxx;
}

const round = (value: number, digits: number) => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};

/** A signal's raw value in words: "42% of licences", "12 days ago", "8.1 out of 10". */
export function formatValue(signal: SignalName, value: number | boolean): string {
  const info = SIGNALS[signal];
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  let text: string;
  switch (info.unit) {
    case 'ratio':
      text = `${round(value * 100, 0)}%`;
      break;
    case 'percent':
      text = `${value > 0 ? '+' : ''}${round(value, 1)}%`;
      break;
    case 'count':
      text = String(round(value, 1));
      break;
    case 'days':
      text = `${round(value, 0)} days`;
      break;
    case 'rating':
    case 'number':
      text = String(round(value, 1));
      break;
    case 'sentiment':
      text = value >= 0.5 ? 'positive' : value <= -0.5 ? 'negative' : 'neutral';
      break;
    case 'flag':
      text = value > 0 ? 'yes' : 'no';
      break;
  }
  return info.suffix ? `${text} ${info.suffix}` : text;
}

/** The bare value, for comparisons: "60%", "14 days", "8". */
export function formatBare(signal: SignalName, value: number): string {
  const info = SIGNALS[signal];
  switch (info.unit) {
    case 'ratio':
      return `${round(value * 100, 0)}%`;
    case 'percent':
      return `${round(value, 1)}%`;
    case 'days':
      return `${round(value, 0)} days`;
    case 'sentiment':
      return formatValue(signal, value);
    default:
      return String(round(value, 1));
  }
}
