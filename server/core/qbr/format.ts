/** How figures read in a brief; fixed to en-US digits so a brief reads the same wherever it is made. */

export const NO_DATA = 'no data';

const round = (value: number, digits: number) => {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
};

/** 12,000 or 12.5; at most `digits` decimals. */
export function formatNumber(value: number, digits = 1): string {
  const rounded = round(value, digits);
  const text = Math.abs(rounded).toLocaleString('en-US', { maximumFractionDigits: digits });
  return rounded < 0 ? `−${text}` : text;
}

/** A share 0–1 as a whole percent: 0.853 → "85%". */
export const formatShare = (share: number): string => `${formatNumber(share * 100, 0)}%`;

/** A change in percent with its sign: "+12.5%", "−3%", "±0%". */
export function formatChangePct(pct: number): string {
  const rounded = round(pct, 1);
  if (rounded === 0) return '±0%';
  return `${rounded > 0 ? '+' : ''}${formatNumber(rounded, 1)}%`;
}

/** A change in points with its sign: "+5", "−12.3". */
export function formatPoints(points: number): string {
  const rounded = round(points, 1);
  if (rounded === 0) return '±0';
  return `${rounded > 0 ? '+' : ''}${formatNumber(rounded, 1)}`;
}

export const formatScore = (score: number): string => formatNumber(score, 0);

/** Money without a currency sign: the CRM's own currency applies. */
export const formatMoney = (amount: number): string => formatNumber(amount, 0);

export const plural = (count: number, one: string, many = `${one}s`): string =>
  `${formatNumber(count, 0)} ${count === 1 ? one : many}`;

/** Figures keep three decimals: enough for any shown value, and no float noise between databases. */
export const keep = (value: number): number => round(value, 3);
