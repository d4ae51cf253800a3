import { CrmError } from './errors.ts';

/**
 * How a ledger key travels with a CRM task or note, so that a create whose answer was lost can be
 * found again. Keys look like "bw-<uuid>". CRM search matches whole words and splits words at
 * hyphens, so what is written and searched is the key's letters and digits in lower case (its ref),
 * on a line of its own: "Bellwether ref: bw550e8400e29b…". Keys that differ only in case or
 * separators are therefore the same key.
 */

export const ACTIVITY_KEY_MAX_LENGTH = 80;
/** Enough letters and digits that a ref cannot be an ordinary word of someone's task. */
const MIN_REF_LENGTH = 8;
const KEY_PATTERN = /^[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+)*$/;
const REF_LABEL = 'Bellwether ref:';
const REF_IN_TEXT = /Bellwether ref:\s*([a-z0-9]+)/g;

/** The ref of a valid key, or a VALIDATION CrmError that says what is wrong with it. */
export function activityRef(key: string): string {
  if (key.length > ACTIVITY_KEY_MAX_LENGTH || !KEY_PATTERN.test(key)) {
    throw new CrmError(
      'VALIDATION',
      `activity key ${JSON.stringify(key)} must be at most ${ACTIVITY_KEY_MAX_LENGTH} letters and digits, separated by single hyphens or underscores`,
    );
  }
  const ref = key.replace(/[-_]/g, '').toLowerCase();
  if (ref.length < MIN_REF_LENGTH) {
    throw new CrmError(
      'VALIDATION',
      `activity key ${JSON.stringify(key)} needs at least ${MIN_REF_LENGTH} letters or digits`,
    );
  }
  return ref;
}

/** The line written into a task or note body. */
export function refLine(ref: string): string {
  return `${REF_LABEL} ${ref}`;
}

/** The refs written in a body (plain text or HTML). */
export function refsIn(text: string | null | undefined): string[] {
  return [...(text ?? '').matchAll(REF_IN_TEXT)].map((match) => match[1] as string);
}

/**
 * The refs of the keys asked about, each mapped back to the key the caller used. Throws VALIDATION
 * for an invalid key, or for two keys with one ref (they would find each other's records).
 */
export function refsOfKeys(keys: readonly string[]): Map<string, string> {
  const byRef = new Map<string, string>();
  for (const key of new Set(keys)) {
    const ref = activityRef(key);
    const other = byRef.get(ref);
    if (other !== undefined) {
      throw new CrmError(
        'VALIDATION',
        `activity keys ${JSON.stringify(other)} and ${JSON.stringify(key)} are the same key`,
      );
    }
    byRef.set(ref, key);
  }
  return byRef;
}
