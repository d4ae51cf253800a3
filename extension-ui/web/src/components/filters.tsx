import { TOUCH_TIERS } from '../api/contracts.ts';
import type { Filters } from './page-frame.tsx';
import { TIER_LABEL } from './labels.ts';

/** Segment, touch tier and CSM menus; choices come from the unfiltered figure so a filter never strands you. */
export function FigureFilters({
  filters,
  set,
  segments,
  csms,
  tiers = true,
}: {
  filters: Filters;
  set: (name: string, value: string | undefined) => void;
  segments?: readonly string[];
  csms?: readonly { csmId: string; name: string | null }[];
  tiers?: boolean;
}) {
  return (
    <div className="bw-filters" data-testid="filters">
      {segments ? (
        <label>
          Segment
          <select
            data-testid="filter-segment"
            value={filters.segment ?? ''}
            onChange={(event) => set('segment', event.target.value || undefined)}
          >
            <option value="">All segments</option>
            {segments.map((segment) => (
              <option key={segment} value={segment}>
                {segment}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      {tiers ? (
        <label>
          Touch tier
          <select
            data-testid="filter-tier"
            value={filters.tier ?? ''}
            onChange={(event) => set('tier', event.target.value || undefined)}
          >
            <option value="">All tiers</option>
            {TOUCH_TIERS.map((tier) => (
              <option key={tier} value={tier}>
                {TIER_LABEL[tier]}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      {csms ? (
        <label>
          CSM
          <select
            data-testid="filter-csm"
            value={filters.csm ?? ''}
            onChange={(event) => set('csm', event.target.value || undefined)}
          >
            <option value="">All CSMs</option>
            <option value="none">No CSM</option>
            {csms.map((csm) => (
              <option key={csm.csmId} value={csm.csmId}>
                {csm.name ?? csm.csmId}
              </option>
            ))}
          </select>
        </label>
      ) : null}
    </div>
  );
}
