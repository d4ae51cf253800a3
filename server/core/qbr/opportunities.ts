import { ADOPTION_SHARE } from '../health/facts.ts';
import { formatBare, isSignalName } from '../health/signals.ts';
import type { Opportunity, OpportunityKind } from './brief.ts';
import { adoptedFeatures, daysToRenewalOf, licencesOf, renewalDateOf, utilisationOf } from './derived.ts';
import { formatNumber, formatShare, plural } from './format.ts';
import type { BriefMeasure, PeerFeatureUse, QbrInputs } from './inputs.ts';
import { isFlagMeasure, measureSentence } from './measure-text.ts';
import { formatDay, formatPeriod } from './period.ts';

/**
 * Opportunities, ranked by the score they are expected to add: for each measure the opportunity would
 * move, its weight × its shortfall from full marks (100 − sub-score). A measure without data counts
 * with its nominal weight from the model's neutral sub-score, since its value is unknown. The four
 * kinds a CSM brings to a QBR (expansion, adoption, stakeholders, renewal upsell) are looked for
 * first; when fewer than three apply, the measures with the largest remaining shortfall fill the
 * list, so every scored account gets three things to work on. Ties go by kind, then title.
 */

export const TOP_OPPORTUNITIES = 3;
/** Licence use at or above this is "near the cap". */
export const NEAR_CAP = 0.8;
/** A renewal this close is the moment to talk about growing the contract. */
export const UPSELL_WITHIN_DAYS = 180;
/** A feature "goes with retention" when healthy accounts' users use it this much more than others'. */
export const RETENTION_LIFT = 0.05;

const KIND_ORDER: readonly OpportunityKind[] = [
  'expansion',
  'adoption',
  'stakeholders',
  'renewal_upsell',
  'measure_gap',
];

const round1 = (value: number) => Math.round(value * 10) / 10;

/** Points a measure would add at full marks. */
export function shortfallPoints(measure: BriefMeasure, neutral: number): number {
  if (measure.subScore === null) return measure.nominalWeight * Math.max(0, 100 - neutral);
  return measure.weight * Math.max(0, 100 - measure.subScore);
}

function gainOf(measures: readonly BriefMeasure[], neutral: number): number {
  return round1(measures.reduce((sum, measure) => sum + shortfallPoints(measure, neutral), 0));
}

const measuresOf = (inputs: QbrInputs, signals: readonly string[]) =>
  inputs.health.measures.filter((measure) => signals.includes(measure.signal));

function candidate(
  inputs: QbrInputs,
  kind: OpportunityKind,
  signals: readonly string[],
  title: string,
  detail: string,
): Opportunity {
  const measures = measuresOf(inputs, signals);
  return {
    kind,
    title,
    detail,
    expectedGain: gainOf(measures, inputs.health.neutral),
    measures: measures.map((measure) => measure.key),
  };
}

function expansion(inputs: QbrInputs): Opportunity | null {
  const utilisation = utilisationOf(inputs);
  const licences = licencesOf(inputs);
  if (utilisation === null || licences === null || utilisation < NEAR_CAP || inputs.deals.openExpansion) return null;
  const active = inputs.usage.last.avgActiveUsers ?? 0;
  const peak = inputs.usage.peakActiveUsers;
  const peakText =
    peak !== null && peak >= licences ? `; on its busiest day ${formatNumber(peak, 0)} users were active` : '';
  return candidate(
    inputs,
    'expansion',
    ['commercial.open_expansion'],
    `Expansion: ${formatShare(utilisation)} of licences in use`,
    `${formatNumber(active, 1)} of ${plural(licences, 'licence')} in use a day on average ${formatPeriod(inputs.usage.last.period)}${peakText}. Propose more licences before users are turned away.`,
  );
}

/** Features the installation's healthy accounts use more than the others, largest lift first. */
export function retentionFeatures(peers: readonly PeerFeatureUse[]): PeerFeatureUse[] {
  const compared = peers.filter(
    (peer) =>
      peer.healthyShare !== null && peer.otherShare !== null && peer.healthyAccounts > 0 && peer.otherAccounts > 0,
  );
  const lift = (peer: PeerFeatureUse) => (peer.healthyShare ?? 0) - (peer.otherShare ?? 0);
  const withLift = compared.filter((peer) => lift(peer) >= RETENTION_LIFT).sort((a, b) => lift(b) - lift(a));
  if (compared.length > 0) return withLift;
  // With no band to compare against, what healthy accounts have adopted is the next best guide.
  return peers
    .filter((peer) => (peer.healthyShare ?? 0) >= ADOPTION_SHARE)
    .sort((a, b) => (b.healthyShare ?? 0) - (a.healthyShare ?? 0));
}

function adoption(inputs: QbrInputs): Opportunity | null {
  const { last } = inputs.usage;
  if (last.daysReported === 0) return null;
  const adopted = new Set(adoptedFeatures(last));
  // Not adopted here, and clearly less used than at healthy accounts.
  const gaps = retentionFeatures(inputs.usage.peers).filter(
    (peer) =>
      !adopted.has(peer.feature) &&
      (last.featureShares[peer.feature] ?? 0) <= (peer.healthyShare ?? 0) - RETENTION_LIFT,
  );
  if (gaps.length === 0) return null;
  const shown = gaps.slice(0, 3);
  const parts = shown.map(
    (peer) =>
      `${peer.feature} (${formatShare(last.featureShares[peer.feature] ?? 0)} of active users, against ${formatShare(peer.healthyShare ?? 0)} at healthy accounts)`,
  );
  return candidate(
    inputs,
    'adoption',
    ['usage.feature_breadth'],
    `Adoption: ${shown.map((peer) => peer.feature).join(', ')}`,
    `Features that go with healthy accounts but are little used here ${formatPeriod(last.period)}: ${parts.join('; ')}. Offer enablement for them.`,
  );
}

function stakeholders(inputs: QbrInputs): Opportunity | null {
  const { contacts } = inputs;
  const gaps: string[] = [];
  const signals: string[] = [];
  if (contacts.champions === 0) {
    gaps.push('no champion is named');
    signals.push('relationship.champion_present');
  }
  if (contacts.sponsors === 0) {
    gaps.push('no executive sponsor is named');
    signals.push('relationship.sponsor_present');
  }
  if (contacts.notEngaged > 0) {
    gaps.push(
      `${plural(contacts.notEngaged, 'contact')} of ${formatNumber(contacts.total, 0)} had no engagement ${formatPeriod(contacts.engagementWindow)}`,
    );
    signals.push('engagement.days_since_last');
  }
  if (gaps.length === 0) return null;
  const first = gaps[0] ?? '';
  return candidate(
    inputs,
    'stakeholders',
    signals,
    `Stakeholders: ${first}`,
    `${gaps.map((gap) => `${gap[0]?.toUpperCase()}${gap.slice(1)}`).join('. ')}. Invite them to the QBR and agree who speaks for the account.`,
  );
}

function renewalUpsell(inputs: QbrInputs): Opportunity | null {
  const days = daysToRenewalOf(inputs);
  const date = renewalDateOf(inputs);
  const band = inputs.health.now?.effectiveBand ?? null;
  if (days === null || date === null || days > UPSELL_WITHIN_DAYS || band === null || band === 'red') return null;
  const utilisation = utilisationOf(inputs);
  const use = utilisation === null ? '' : ` with ${formatShare(utilisation)} of licences in use`;
  return candidate(
    inputs,
    'renewal_upsell',
    ['commercial.arr_change_pct'],
    `Renewal upsell: renewal on ${formatDay(date)}`,
    `The renewal is ${plural(days, 'day')} away and health is ${band}${use}. Propose the renewal with added licences or a higher tier.`,
  );
}

function measureGap(inputs: QbrInputs, measure: BriefMeasure): Opportunity {
  const target =
    measure.target !== null && isSignalName(measure.signal) && !isFlagMeasure(measure) && measure.raw !== null
      ? `; it turns green at ${formatBare(measure.signal, measure.target)}`
      : '';
  return {
    kind: 'measure_gap',
    title: `Improve ${measure.label.toLowerCase()}`,
    detail: `${measureSentence(measure)}${target}. Closing the gap would add about ${formatNumber(shortfallPoints(measure, inputs.health.neutral), 1)} points to the health score.`,
    expectedGain: gainOf([measure], inputs.health.neutral),
    measures: [measure.key],
  };
}

function byGain(a: Opportunity, b: Opportunity): number {
  return (
    b.expectedGain - a.expectedGain ||
    KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
    (a.title < b.title ? -1 : a.title > b.title ? 1 : 0)
  );
}

/** Every opportunity that applies, best first (the brief keeps the top three). */
export function rankOpportunities(inputs: QbrInputs): Opportunity[] {
  const kinds = [expansion(inputs), adoption(inputs), stakeholders(inputs), renewalUpsell(inputs)].filter(
    (item): item is Opportunity => item !== null,
  );
  if (kinds.length >= TOP_OPPORTUNITIES) return kinds.sort(byGain);
  const taken = new Set(kinds.flatMap((item) => item.measures));
  const gaps = inputs.health.measures
    .filter((measure) => !taken.has(measure.key) && shortfallPoints(measure, inputs.health.neutral) >= 0.05)
    .map((measure) => measureGap(inputs, measure))
    .sort(byGain);
  return [...kinds, ...gaps.slice(0, TOP_OPPORTUNITIES - kinds.length)].sort(byGain);
}

export function topOpportunities(inputs: QbrInputs): Opportunity[] {
  return rankOpportunities(inputs).slice(0, TOP_OPPORTUNITIES);
}
