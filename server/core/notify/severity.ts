/** Warning severities, least to most urgent. */
export const SEVERITIES = ['low', 'medium', 'high'] as const;
export type Severity = (typeof SEVERITIES)[number];

const RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2 };

/** Most urgent first. */
export function bySeverityDescending(a: Severity, b: Severity): number {
  return RANK[b] - RANK[a];
}
