import { z } from 'zod';
import { BANDS, bandOf, type Band, type Bands } from './model.ts';
import type { Score } from './score.ts';

/**
 * A CSM's own assessment, shown beside the computed score. It carries a reason, an author and an
 * expiry; once expired it stops applying on its own. Nothing here writes: a scheduled run reads the
 * override and shows it, it never replaces or clears it (domain notes §2.3, §5 item 12).
 */

export const overrideSchema = z
  .strictObject({
    score: z.number().min(0).max(100).optional(),
    band: z.enum(BANDS).optional(),
    reason: z.string().trim().min(3, 'say why in a few words').max(2000),
    author: z.string().trim().min(1).max(200),
    /** ISO instant; the override applies until then (exclusive). */
    setAt: z.iso.datetime({ offset: true }),
    expiresAt: z.iso.datetime({ offset: true }),
  })
  .refine((value) => (value.score === undefined) !== (value.band === undefined), {
    message: 'give either a score or a band',
    path: ['score'],
  })
  .refine((value) => Date.parse(value.expiresAt) > Date.parse(value.setAt), {
    message: 'expiresAt must be after setAt',
    path: ['expiresAt'],
  });
export type Override = z.infer<typeof overrideSchema>;

export interface EffectiveHealth {
  computed: { score: number | null; band: Band | null };
  /** The override as set, with whether it still applies at `now`; null when there is none. */
  override: (Override & { active: boolean; band: Band }) | null;
  /** What the card and the write-back show. */
  effective: { score: number | null; band: Band | null; source: 'computed' | 'override' };
}

/** The health to show at `now` (epoch ms): the override while it is active, the computed score otherwise. */
export function effectiveHealth(
  computed: Pick<Score, 'score' | 'band'>,
  override: Override | null,
  now: number,
  bands: Bands = { yellowFrom: 40, greenFrom: 70 },
): EffectiveHealth {
  const base = { score: computed.score, band: computed.band };
  if (!override) return { computed: base, override: null, effective: { ...base, source: 'computed' } };
  const active = now >= Date.parse(override.setAt) && now < Date.parse(override.expiresAt);
  const band = override.band ?? bandOf(override.score as number, bands);
  return {
    computed: base,
    override: { ...override, band, active },
    effective: active ? { score: override.score ?? null, band, source: 'override' } : { ...base, source: 'computed' },
  };
}
