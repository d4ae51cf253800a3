import type { FieldIssue } from '../api/client.ts';

/**
 * The API names a problem by its JSONPath (`$.targetLoad.high_touch`, `$.touch.rules[0].tier`); forms
 * name their fields by dotted paths (`targetLoad.high_touch`, `touch.rules.0.tier`).
 */
export function fieldOf(path: string): string {
  return path
    .replace(/^\$\.?/, '')
    .replace(/\[(\d+)\]/g, '.$1')
    .replace(/\['([^']*)'\]/g, '.$1')
    .replace(/\["([^"]*)"\]/g, '.$1')
    .replace(/^\./, '');
}

/** Issues grouped by field; those naming no field of the form go under ''. */
export function issuesByField(issues: readonly FieldIssue[], fields: readonly string[]): Map<string, string[]> {
  const grouped = new Map<string, string[]>();
  for (const issue of issues) {
    const field = fieldOf(issue.path);
    const key = fields.includes(field) ? field : (fields.find((one) => field.startsWith(`${one}.`)) ?? '');
    grouped.set(key, [...(grouped.get(key) ?? []), issue.message]);
  }
  return grouped;
}
