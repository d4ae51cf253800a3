import { DAY_MS } from '../../health/signals.ts';
import type { Detection } from '../finding.ts';
import type { WarningInput } from '../input.ts';
import type { RuleConfig } from '../rules-config.ts';
import { isoDay } from '../template.ts';

/** An override in force that ends within `withinDays`: someone should decide whether it still holds. */
export function overrideExpiring(input: WarningInput, config: RuleConfig<'override_expiring'>): Detection[] {
  const { override } = input;
  if (override === null || override.expiresAt - input.at > config.withinDays * DAY_MS) return [];
  const daysLeft = Math.ceil((override.expiresAt - input.at) / DAY_MS);
  const expiresOn = isoDay(override.expiresAt);
  return [
    {
      subject: expiresOn,
      state: 'firing',
      title: `Health override ends in ${daysLeft} day${daysLeft === 1 ? '' : 's'}`,
      evidence: {
        text: `The override to ${override.band} set by ${override.author} ends on ${expiresOn} (warns ${config.withinDays} days ahead).`,
        values: { expiresOn, daysLeft, overrideBand: override.band, author: override.author },
        thresholds: { withinDays: config.withinDays },
      },
    },
  ];
}
