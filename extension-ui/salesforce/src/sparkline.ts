/**
 * The 12-week history as an SVG path: x spaced by day (gaps in scoring stay gaps in time), y on the
 * fixed 0–100 scale so a flat line at 80 and one at 30 look different.
 */

export interface SparklinePoint {
  day: string;
  score: number;
}

export interface Sparkline {
  path: string;
  /** The last point, to mark today's score. */
  last: { x: number; y: number } | null;
}

const DAY_MS = 86_400_000;
const round = (value: number) => Math.round(value * 10) / 10;

export function sparkline(points: readonly SparklinePoint[], width: number, height: number, pad = 2): Sparkline {
  if (points.length === 0) return { path: '', last: null };
  const times = points.map((point) => Date.parse(`${point.day}T00:00:00Z`));
  const first = times[0] as number;
  const span = Math.max((times[times.length - 1] as number) - first, DAY_MS);
  const x = (time: number) => round(pad + ((time - first) / span) * (width - 2 * pad));
  const y = (score: number) => round(pad + (1 - Math.min(100, Math.max(0, score)) / 100) * (height - 2 * pad));
  const coords = points.map((point, index) => ({ x: x(times[index] as number), y: y(point.score) }));
  // One point alone is drawn as a short flat line so it is visible.
  const drawn =
    coords.length === 1
      ? [
          { ...coords[0]!, x: pad },
          { ...coords[0]!, x: width - pad },
        ]
      : coords;
  const path = drawn.map((c, index) => `${index === 0 ? 'M' : 'L'}${c.x} ${c.y}`).join(' ');
  return { path, last: drawn[drawn.length - 1] ?? null };
}
