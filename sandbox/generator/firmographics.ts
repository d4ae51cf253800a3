import type { Account } from './book.ts';
import { addMonths } from './dates.ts';
import { COMPANY_PREFIXES, COMPANY_STEMS, COMPANY_SUFFIXES, COUNTRIES, INDUSTRIES } from './names.ts';
import { CONTRACT_TERMS, SEGMENT_PROFILES } from './parameters.ts';
import { logNormal, streamFor } from './streams.ts';

export interface Firmographics {
  index: number;
  id: string;
  /** The account's number as padded in its records' ids (`00042`). */
  number: string;
  name: string;
  domain: string;
  industry: string;
  segment: Account['segment'];
  country: string;
  employees: number;
  termMonths: number;
  /** Day the current term would end if every renewal so far was won: in the 12 months after asOf. */
  scheduledEnd: number;
  /** Terms from the first contract to `scheduledEnd`; term ends are counted back from it. */
  terms: number;
  customerSince: number;
  firstArr: number;
  pricePerLicence: number;
}

const NAME_SPACE = COMPANY_PREFIXES.length * COMPANY_STEMS.length * COMPANY_SUFFIXES.length;
// A prime that does not divide NAME_SPACE, so that index → name is one-to-one within it.
const NAME_STRIDE = 7919;

export function accountNumber(index: number): string {
  return String(index + 1).padStart(5, '0');
}

export function drawFirmographics(seed: number, index: number, asOf: number): Firmographics {
  const number = accountNumber(index);
  const id = `acc-${number}`;
  const random = streamFor(seed, id, 'firmographics');
  const segment = random.weighted(
    (Object.keys(SEGMENT_PROFILES) as Account['segment'][]).map((key) => [key, SEGMENT_PROFILES[key].share] as const),
  );
  const profile = SEGMENT_PROFILES[segment];

  const [minEmployees, maxEmployees] = profile.employees;
  const employees = Math.round(minEmployees * Math.pow(maxEmployees / minEmployees, random.float()));
  const termMonths = random.weighted(CONTRACT_TERMS);
  const scheduledEnd = asOf + random.int(1, 364);
  const terms =
    termMonths === 12
      ? random.weighted([
          [1, 0.14],
          [2, 0.22],
          [3, 0.2],
          [4, 0.16],
          [5, 0.14],
          [6, 0.14],
        ])
      : random.weighted([
          [1, 0.55],
          [2, 0.35],
          [3, 0.1],
        ]);
  const customerSince = addMonths(scheduledEnd, -termMonths * terms);
  const [minArr, maxArr] = profile.arrRange;
  const firstArr = roundTo(
    Math.min(maxArr, Math.max(minArr, logNormal(random, profile.arrMedian, profile.arrLogSd))),
    100,
  );
  const [minPrice, maxPrice] = profile.pricePerLicence;
  const pricePerLicence = Math.round(minPrice + (maxPrice - minPrice) * random.float());

  const nameIndex = (index * NAME_STRIDE + (seed >>> 0)) % NAME_SPACE;
  const prefix = COMPANY_PREFIXES[nameIndex % COMPANY_PREFIXES.length] as string;
  const stem = COMPANY_STEMS[Math.floor(nameIndex / COMPANY_PREFIXES.length) % COMPANY_STEMS.length] as string;
  const suffix = COMPANY_SUFFIXES[
    Math.floor(nameIndex / (COMPANY_PREFIXES.length * COMPANY_STEMS.length)) % COMPANY_SUFFIXES.length
  ] as string;
  const round = Math.floor(index / NAME_SPACE);
  const distinct = round === 0 ? '' : ` ${round + 1}`;
  const name = `${prefix} ${stem}${distinct} ${suffix}`;
  const domain = `${slug(`${prefix}${stem}${distinct}`)}-${slug(suffix)}.example`;

  return {
    index,
    id,
    number,
    name,
    domain,
    industry: random.pick(INDUSTRIES),
    segment,
    country: random.weighted(COUNTRIES),
    employees,
    termMonths,
    scheduledEnd,
    terms,
    customerSince,
    firstArr,
    pricePerLicence,
  };
}

export function licencesFor(arr: number, firm: Pick<Firmographics, 'pricePerLicence' | 'employees'>): number {
  return Math.max(1, Math.min(firm.employees, Math.round(arr / firm.pricePerLicence)));
}

export function roundTo(value: number, step: number): number {
  return Math.round(value / step) * step;
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '');
}
