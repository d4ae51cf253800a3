export type { AccountCard } from '../../../server/contracts/cards.ts';
export { buildCardView, lifecycleLine, overrideBanner, planBlock, renewalLine, type CardView } from './view-model.ts';
export { BAND_LABEL, BAND_TONE, PALETTE, type Band, type Tone, type ToneTokens } from './palette.ts';
export {
  DEFAULT_FORMAT,
  formatAgo,
  formatDay,
  formatInstantDay,
  formatMoney,
  formatPoints,
  formatScore,
  formatShare,
  formatShortDay,
  type FormatOptions,
} from './format.ts';
