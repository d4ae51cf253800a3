import type { Random } from '../shared/random.ts';
import { LATENT, SHOCK_KINDS, type ShockKind } from './parameters.ts';

export interface Shock {
  day: number;
  kind: ShockKind;
  /** Total change to latent health, spread over the shock's days. */
  delta: number;
}

/** One account's daily latent health from `start` to `end` inclusive (day numbers). */
export class LatentPath {
  constructor(
    readonly start: number,
    readonly values: Float64Array,
    readonly baseline: number,
    readonly shocks: readonly Shock[],
  ) {}

  get end(): number {
    return this.start + this.values.length - 1;
  }

  /** Health on a day; days outside the simulated span read the nearest simulated day. */
  at(day: number): number {
    const index = Math.min(Math.max(day - this.start, 0), this.values.length - 1);
    return this.values[index] as number;
  }
}

const clamp01 = (value: number) => (value < 0 ? 0 : value > 1 ? 1 : value);

/**
 * Mean-reverting drift toward the account's baseline with Gaussian daily noise and Poisson shocks
 * (README.md, "The planted churn process").
 */
export function simulateLatent(random: Random, options: { start: number; end: number; segmentBaseline: number }) {
  const { start, end } = options;
  const length = end - start + 1;
  const baseline = clamp01(random.normal(options.segmentBaseline, LATENT.baselineSd));
  const shocks = drawShocks(random, start, end);

  // Per-day increments from shocks, each spread evenly over its duration.
  const pushes = new Float64Array(length);
  for (const shock of shocks) {
    const days = LATENT.shocks[shock.kind].days;
    for (let i = 0; i < days; i++) {
      const index = shock.day - start + i;
      if (index < length) pushes[index] = (pushes[index] as number) + shock.delta / days;
    }
  }

  const { reversion, volatility, initialSd } = LATENT;
  const values = new Float64Array(length);
  let h = clamp01(random.normal(baseline, initialSd));
  for (let i = 0; i < length; i++) {
    values[i] = h;
    h = clamp01(h + reversion * (baseline - h) + volatility * random.normal() + (pushes[i] as number));
  }
  return new LatentPath(start, values, baseline, shocks);
}

function drawShocks(random: Random, start: number, end: number): Shock[] {
  const shocks: Shock[] = [];
  for (const kind of SHOCK_KINDS) {
    const { perYear, delta } = LATENT.shocks[kind];
    let day = start;
    for (;;) {
      day += Math.ceil((-Math.log(1 - random.float()) * 365) / perYear);
      if (day > end) break;
      const [low, high] = delta;
      shocks.push({ day, kind, delta: low + (high - low) * random.float() });
    }
  }
  return shocks.sort((a, b) => a.day - b.day || SHOCK_KINDS.indexOf(a.kind) - SHOCK_KINDS.indexOf(b.kind));
}

/** Probability that a renewal is won, given latent health on the renewal day. */
export function renewalProbability(health: number): number {
  const { steepness, midpoint } = LATENT.renewal;
  return 1 / (1 + Math.exp(-steepness * (health - midpoint)));
}
