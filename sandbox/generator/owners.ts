import { Random } from '../shared/random.ts';
import type { Account, Owner } from './book.ts';
import type { Firmographics } from './firmographics.ts';
import { FIRST_NAMES, LAST_NAMES } from './names.ts';
import { SEGMENT_PROFILES } from './parameters.ts';

export interface Assignment {
  csmId: string;
  accountExecutiveId: string;
  parentId: string | null;
}

export interface Staffing {
  owners: Owner[];
  /** Indexed like the accounts. */
  assignments: Assignment[];
}

type Segment = Account['segment'];
const SEGMENT_ORDER: readonly Segment[] = ['enterprise', 'mid_market', 'smb'];
const TEAM: Readonly<Record<Segment, string>> = { enterprise: 'ent', mid_market: 'mm', smb: 'smb' };

/**
 * CSMs and account executives specialise by segment; each carries consecutive accounts of that
 * segment up to its capacity, so growing the book adds owners without moving existing accounts.
 * One CS leader oversees every eight CSMs.
 */
export function staffBook(seed: number, firms: readonly Firmographics[]): Staffing {
  const counts = new Map<Segment, number>(SEGMENT_ORDER.map((segment) => [segment, 0]));
  const slots = firms.map((firm) => {
    const slot = counts.get(firm.segment) ?? 0;
    counts.set(firm.segment, slot + 1);
    return slot;
  });

  const owners: Owner[] = [];
  const csmIds = new Map<Segment, string[]>();
  const aeIds = new Map<Segment, string[]>();
  // Ids name the role and segment so that growing one segment renumbers no other owner.
  const hire = (role: Owner['role'], team: string, number: number) => {
    const id = `own-${team}-${String(number).padStart(3, '0')}`;
    const random = new Random(`${seed}:${id}:owner`);
    const firstName = random.pick(FIRST_NAMES);
    const lastName = random.pick(LAST_NAMES);
    const local = `${firstName}.${lastName}`.toLowerCase().replace(/[^a-z.]/g, '');
    owners.push({ id, firstName, lastName, email: `${local}.${id.slice(4)}@bellwether-demo.example`, role });
    return id;
  };

  for (const segment of SEGMENT_ORDER) {
    const accounts = counts.get(segment) ?? 0;
    const profile = SEGMENT_PROFILES[segment];
    csmIds.set(
      segment,
      Array.from({ length: Math.ceil(accounts / profile.csmCapacity) }, (_, i) =>
        hire('csm', `csm-${TEAM[segment]}`, i + 1),
      ),
    );
    aeIds.set(
      segment,
      Array.from({ length: Math.ceil(accounts / profile.aeCapacity) }, (_, i) =>
        hire('account_executive', `ae-${TEAM[segment]}`, i + 1),
      ),
    );
  }
  const csmCount = owners.filter((owner) => owner.role === 'csm').length;
  for (let i = 0; i < Math.max(1, Math.ceil(csmCount / 8)); i++) hire('cs_leader', 'lead', i + 1);

  // A few smaller accounts are subsidiaries of an enterprise account listed before them.
  const enterprises: string[] = [];
  const assignments = firms.map((firm, index) => {
    const profile = SEGMENT_PROFILES[firm.segment];
    const slot = slots[index] as number;
    const random = new Random(`${seed}:${firm.id}:parent`);
    const isSubsidiary = firm.segment !== 'enterprise' && enterprises.length > 0 && random.chance(0.04);
    const parentId = isSubsidiary ? random.pick(enterprises) : null;
    if (firm.segment === 'enterprise') enterprises.push(firm.id);
    return {
      csmId: csmIds.get(firm.segment)?.[Math.floor(slot / profile.csmCapacity)] as string,
      accountExecutiveId: aeIds.get(firm.segment)?.[Math.floor(slot / profile.aeCapacity)] as string,
      parentId,
    };
  });
  return { owners, assignments };
}
