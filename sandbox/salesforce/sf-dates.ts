/** Salesforce writes instants as `2026-01-01T00:00:00.000+0000` and days as `2026-01-01`, in UTC. */
export function formatDateTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

export function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Parses the ISO forms clients send (`Z`, `+hh:mm`, `+hhmm`); NaN when unreadable. */
export function parseInstant(value: string): number {
  const normalised = value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  return Date.parse(normalised);
}
