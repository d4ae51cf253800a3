import { DAY_MS } from '../../health/signals.ts';
import type { Detection } from '../finding.ts';
import type { WarningContact, WarningInput } from '../input.ts';
import type { RuleConfig } from '../rules-config.ts';
import { isoDay } from '../template.ts';

/** Rules on the people: a champion or sponsor gone, and nobody engaging. */

const ROLE_NAME = { champion: 'champion', executive_sponsor: 'executive sponsor' } as const;

function namesOf(contacts: readonly WarningContact[], role: string): string {
  const named = contacts.flatMap((contact) => (contact.name ? [contact.name] : []));
  const unnamed = contacts.length - named.length;
  if (unnamed > 0) named.push(unnamed === 1 ? `a ${role}` : `${unnamed} ${role}s`);
  return named.join(', ');
}

/**
 * Per role (one warning for the champions, one for the sponsor): a departure in the last
 * `recentDays`, or none of the role left at an account that had one. An account that never had a
 * sponsor is not warned about one.
 */
export function championLost(input: WarningInput, config: RuleConfig<'champion_lost'>): Detection[] {
  const detections: Detection[] = [];
  for (const role of config.roles) {
    const ofRole = input.contacts.filter((contact) => contact.role === role);
    if (ofRole.length === 0) continue;
    const remaining = ofRole.filter((contact) => !contact.gone);
    const recent = ofRole.filter(
      (contact) =>
        contact.gone && contact.departedOn !== null && contact.departedOn > input.at - config.recentDays * DAY_MS,
    );
    if (recent.length === 0 && remaining.length > 0) continue;
    const roleName = ROLE_NAME[role];
    const departed = namesOf(recent.length > 0 ? recent : ofRole.filter((contact) => contact.gone), roleName);
    const title =
      remaining.length === 0
        ? `No ${roleName} left`
        : `${roleName[0]?.toUpperCase()}${roleName.slice(1)} left: ${departed}`;
    const when = recent.length > 0 ? ` in the last ${config.recentDays} days` : '';
    detections.push({
      subject: role,
      state: 'firing',
      title,
      evidence: {
        text: `${departed} left${when}; ${remaining.length === 0 ? `no ${roleName} remains` : `${remaining.length} ${roleName}${remaining.length === 1 ? '' : 's'} remain`}.`,
        values: { role: roleName, departed, remaining: remaining.length },
        thresholds: { recentDays: config.recentDays },
      },
    });
  }
  return detections;
}

/**
 * Nobody at the account engaged for `days` days. An account with no engagement on record is not
 * judged, nor is a past instant followed by an engagement (what came before it is unknown).
 */
export function noEngagement(input: WarningInput, config: RuleConfig<'no_engagement'>): Detection[] {
  if (input.engagedLater) return [];
  let last = -Infinity;
  for (const contact of input.contacts) {
    if (contact.lastEngagedAt !== null && contact.lastEngagedAt > last) last = contact.lastEngagedAt;
  }
  if (last === -Infinity) return [];
  const daysSinceEngaged = Math.floor((input.at - last) / DAY_MS);
  if (daysSinceEngaged < config.days) return [];
  const lastEngagedOn = isoDay(last);
  return [
    {
      state: 'firing',
      title: `No engagement for ${daysSinceEngaged} days`,
      evidence: {
        text: `Nobody at the account has engaged since ${lastEngagedOn}, ${daysSinceEngaged} days ago (warns at ${config.days}).`,
        values: { daysSinceEngaged, lastEngagedOn },
        thresholds: { days: config.days },
      },
    },
  ];
}
