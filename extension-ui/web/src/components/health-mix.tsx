import type { HealthMix } from '../api/contracts.ts';
import { BAND_BUCKETS } from '../api/contracts.ts';
import { count } from '../format.ts';
import { BAND_COLOUR, BAND_WORD } from './labels.ts';

/** A band mix (by accounts) as one stacked bar, with the counts in its title for hover and screen readers. */
export function HealthMixBar({ mix }: { mix: HealthMix }) {
  const total = BAND_BUCKETS.reduce((sum, band) => sum + mix[band].accounts, 0);
  const words = BAND_BUCKETS.map((band) => `${BAND_WORD[band]} ${count(mix[band].accounts)}`).join(', ');
  return (
    <div className="bw-mix" role="img" aria-label={words} title={words}>
      {total === 0
        ? null
        : BAND_BUCKETS.map((band) =>
            mix[band].accounts === 0 ? null : (
              <span
                key={band}
                style={{ width: `${(mix[band].accounts / total) * 100}%`, background: BAND_COLOUR[band] }}
              />
            ),
          )}
    </div>
  );
}
