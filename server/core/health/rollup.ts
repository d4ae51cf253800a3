import { bandOf, type Band, type Bands } from './model.ts';

/**
 * A parent account's health with its subsidiaries: the ARR-weighted mean of the parent's own score
 * and its children's, so a large troubled subsidiary weighs as much as the revenue it carries.
 * Members without a score are left out; if no member has ARR, members count equally.
 */

export interface RollupMember {
  id: string;
  score: number | null;
  arr: number;
}

export interface Rollup {
  score: number | null;
  band: Band | null;
  /** Members that had a score, and the ARR they carry. */
  members: number;
  arr: number;
  /** ARR of members left out for want of a score. */
  arrWithoutScore: number;
}

export function rollup(
  parent: RollupMember,
  children: readonly RollupMember[],
  bands: Bands = { yellowFrom: 40, greenFrom: 70 },
): Rollup {
  const scored = [parent, ...children].filter(
    (member): member is RollupMember & { score: number } => member.score !== null && Number.isFinite(member.score),
  );
  const arrWithoutScore = [parent, ...children]
    .filter((member) => member.score === null)
    .reduce((sum, member) => sum + Math.max(0, member.arr), 0);
  if (scored.length === 0) return { score: null, band: null, members: 0, arr: 0, arrWithoutScore };
  const arr = scored.reduce((sum, member) => sum + Math.max(0, member.arr), 0);
  const score =
    arr > 0
      ? scored.reduce((sum, member) => sum + member.score * Math.max(0, member.arr), 0) / arr
      : scored.reduce((sum, member) => sum + member.score, 0) / scored.length;
  return { score, band: bandOf(score, bands), members: scored.length, arr, arrWithoutScore };
}
