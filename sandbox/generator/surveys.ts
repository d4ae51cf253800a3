import type { Random } from '../shared/random.ts';
import type { SurveyResponse } from './book.ts';
import { workingSecond, type GeneratedContact } from './contacts.ts';
import { formatInstant } from './dates.ts';
import type { Firmographics } from './firmographics.ts';
import type { LatentPath } from './latent-health.ts';
import { SIGNALS } from './parameters.ts';
import type { GeneratedTicket } from './tickets.ts';
import { CES_VERBATIMS, CSAT_VERBATIMS, NPS_VERBATIMS } from './verbatims.ts';

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

/**
 * Quarterly NPS waves (a minority of contacts answer), CSAT after some closed tickets, and an
 * occasional CES. Scores are noisy readings of health a few weeks earlier.
 */
export function drawSurveys(
  random: Random,
  firm: Firmographics,
  latent: LatentPath,
  contacts: readonly GeneratedContact[],
  tickets: readonly GeneratedTicket[],
  firstDay: number,
  lastDay: number,
): SurveyResponse[] {
  const drafts: Omit<SurveyResponse, 'id'>[] = [];
  const present = (day: number) => contacts.filter((c) => c.since <= day && (c.leftDay ?? Infinity) > day);
  const respond = (
    contact: GeneratedContact,
    day: number,
    kind: SurveyResponse['kind'],
    score: number,
    verbatim: string | null,
  ) =>
    drafts.push({
      accountId: firm.id,
      contactId: contact.record.id,
      kind,
      score,
      verbatim,
      respondedAt: formatInstant(day, workingSecond(random)),
    });

  const wavePhase = random.int(0, 90);
  for (let wave = firstDay + wavePhase; wave <= lastDay; wave += 91) {
    for (const contact of present(wave)) {
      const keyPerson = contact.record.role !== 'user';
      if (!random.chance(keyPerson ? 0.3 : 0.15)) continue;
      const day = Math.min(lastDay, wave + random.int(0, 6));
      const health = latent.at(day - SIGNALS.surveyLagDays);
      const score = Math.round(clamp(2 + 9 * health + random.normal(0, SIGNALS.npsNoiseSd), 0, 10));
      const kind = score >= 9 ? 'promoter' : score >= 7 ? 'passive' : 'detractor';
      respond(contact, day, 'nps', score, random.chance(0.65) ? random.pick(NPS_VERBATIMS[kind]) : null);
    }
  }

  for (const ticket of tickets) {
    if (ticket.closedDay === null || ticket.closedDay > lastDay || !random.chance(0.25)) continue;
    const contact = contacts.find((c) => c.record.id === ticket.record.contactId);
    if (!contact) continue;
    const day = Math.min(lastDay, ticket.closedDay + random.int(0, 2));
    const waitedDays = ticket.closedDay - ticket.createdDay;
    const health = latent.at(day - SIGNALS.surveyLagDays);
    const score = Math.round(clamp(2.6 + 2.6 * health - 0.12 * Math.min(waitedDays, 10) + random.normal(0, 0.7), 1, 5));
    const tone = score >= 4 ? 'good' : score === 3 ? 'neutral' : 'bad';
    respond(contact, day, 'csat', score, random.chance(0.4) ? random.pick(CSAT_VERBATIMS[tone]) : null);
  }

  for (let day = firstDay + random.int(0, 180); day <= lastDay; day += 180) {
    for (const contact of present(day)) {
      if (!random.chance(0.1)) continue;
      const score = Math.round(clamp(1.5 + 5.5 * latent.at(day) + random.normal(0, 1.2), 1, 7));
      const verbatim = random.chance(0.3) ? random.pick(CES_VERBATIMS[score >= 5 ? 'easy' : 'hard']) : null;
      respond(contact, day, 'ces', score, verbatim);
    }
  }

  drafts.sort((a, b) => (a.respondedAt < b.respondedAt ? -1 : a.respondedAt > b.respondedAt ? 1 : 0));
  return drafts.map((draft, index) => ({ id: `srv-${firm.number}-${String(index + 1).padStart(4, '0')}`, ...draft }));
}
