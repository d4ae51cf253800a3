import type { Random } from '../shared/random.ts';
import type { Sentiment } from './book.ts';
import { workingSecond } from './contacts.ts';
import { formatInstant } from './dates.ts';
import type { Firmographics } from './firmographics.ts';
import type { LatentPath } from './latent-health.ts';
import { SEGMENT_PROFILES, SIGNALS } from './parameters.ts';
import { SENTIMENT_NOTES, SHOCK_NOTES } from './verbatims.ts';

/** Health readings above this are noted positive, below `NEGATIVE_BELOW` negative. */
const POSITIVE_ABOVE = 0.62;
const NEGATIVE_BELOW = 0.42;

/**
 * The CSM's notes, more frequent for larger accounts: a noisy, slightly late reading of health,
 * naming any shock the CSM heard about in the month before.
 */
export function drawSentiment(
  random: Random,
  firm: Firmographics,
  latent: LatentPath,
  csmId: string,
  firstDay: number,
  lastDay: number,
): Sentiment[] {
  const every = SEGMENT_PROFILES[firm.segment].sentimentEvery;
  const notes: Sentiment[] = [];
  for (
    let day = firstDay + random.int(0, every - 1);
    day <= lastDay;
    day += Math.round(every * (0.7 + 0.6 * random.float()))
  ) {
    const reading = latent.at(day - SIGNALS.sentimentLagDays) + random.normal(0, SIGNALS.sentimentNoiseSd);
    const sentiment: Sentiment['sentiment'] =
      reading > POSITIVE_ABOVE ? 'positive' : reading < NEGATIVE_BELOW ? 'negative' : 'neutral';
    const recent = latent.shocks.findLast((shock) => shock.day <= day && shock.day > day - 30);
    const note = random.pick(SENTIMENT_NOTES[sentiment]);
    notes.push({
      id: `snt-${firm.number}-${String(notes.length + 1).padStart(3, '0')}`,
      accountId: firm.id,
      csmId,
      sentiment,
      note: recent ? `${SHOCK_NOTES[recent.kind]} ${note}` : note,
      recordedAt: formatInstant(day, workingSecond(random)),
    });
  }
  return notes;
}
