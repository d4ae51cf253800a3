import type { Random } from '../shared/random.ts';
import type { Contact } from './book.ts';
import { formatInstant } from './dates.ts';
import type { Firmographics } from './firmographics.ts';
import type { LatentPath } from './latent-health.ts';
import { FIRST_NAMES, LAST_NAMES, TITLES } from './names.ts';
import { SEGMENT_PROFILES } from './parameters.ts';

/** A contact plus the days the generator needs (instants in the record are for the CRM). */
export interface GeneratedContact {
  record: Contact;
  since: number;
  leftDay: number | null;
}

export const workingSecond = (random: Random) => 8 * 3600 + random.float() * 10 * 3600;

/**
 * Champions (one or two), an executive sponsor for larger accounts, admins and users. A
 * `champion_left` shock marks a champion as gone on that day; `new_champion` brings one in.
 */
export function drawContacts(
  random: Random,
  firm: Firmographics,
  latent: LatentPath,
  lastDay: number,
): GeneratedContact[] {
  const [minCount, maxCount] = SEGMENT_PROFILES[firm.segment].contactsRange;
  const count = random.int(minCount, maxCount);
  const roles: Contact['role'][] = ['champion'];
  if (firm.segment !== 'smb' && random.chance(0.4)) roles.push('champion');
  if (firm.segment === 'enterprise' || (firm.segment === 'mid_market' && random.chance(0.6))) {
    roles.push('executive_sponsor');
  }
  roles.push('admin');
  if (firm.segment === 'enterprise') roles.push('admin');
  while (roles.length < count) roles.push('user');

  const contacts: GeneratedContact[] = [];
  const usedEmails = new Set<string>();
  const add = (role: Contact['role'], since: number) => {
    const firstName = random.pick(FIRST_NAMES);
    const lastName = random.pick(LAST_NAMES);
    let local = `${firstName}.${lastName}`.toLowerCase().replace(/[^a-z.]/g, '');
    for (let n = 2; usedEmails.has(local); n++)
      local = `${firstName}.${lastName}${n}`.toLowerCase().replace(/[^a-z0-9.]/g, '');
    usedEmails.add(local);
    const number = String(contacts.length + 1).padStart(2, '0');
    const contact: GeneratedContact = {
      since,
      leftDay: null,
      record: {
        id: `con-${firm.number}-${number}`,
        accountId: firm.id,
        firstName,
        lastName,
        email: `${local}@${firm.domain}`,
        title: random.pick(TITLES[role]),
        role,
        lastEngagedAt: null,
        leftAt: null,
        createdAt: formatInstant(since, workingSecond(random)),
        updatedAt: '',
      },
    };
    contacts.push(contact);
    return contact;
  };

  for (const role of roles) {
    // Most people arrive with the deal; some users join later.
    const joinsLater = role === 'user' && random.chance(0.35);
    const since = joinsLater
      ? firm.customerSince + random.int(1, Math.max(1, lastDay - firm.customerSince))
      : firm.customerSince - random.int(0, 30);
    add(role, Math.min(since, lastDay));
  }

  for (const shock of latent.shocks) {
    if (shock.day <= firm.customerSince || shock.day > lastDay) continue;
    if (shock.kind === 'champion_left') {
      const champion = contacts.find(
        (contact) => contact.record.role === 'champion' && contact.leftDay === null && contact.since < shock.day,
      );
      if (champion) champion.leftDay = shock.day;
    } else if (shock.kind === 'new_champion') {
      add('champion', shock.day);
    }
  }

  for (const contact of contacts) {
    const record = contact.record;
    const until = Math.min(contact.leftDay ?? lastDay, lastDay);
    if (contact.leftDay !== null) record.leftAt = formatInstant(contact.leftDay, workingSecond(random));
    // Key people are in touch often, more so while the account is healthy; many users never are.
    const keyPerson = record.role !== 'user';
    if (keyPerson || random.chance(0.45)) {
      const meanGap = (keyPerson ? 12 : 45) + 60 * (1 - latent.at(until));
      const gap = Math.round(-Math.log(1 - random.float()) * meanGap);
      const day = Math.max(contact.since, until - gap);
      record.lastEngagedAt = formatInstant(day, workingSecond(random));
    }
    const instants = [record.createdAt, record.lastEngagedAt, record.leftAt].filter((at): at is string => at !== null);
    record.updatedAt = instants.reduce((latest, at) => (at > latest ? at : latest));
  }
  return contacts;
}
