/**
 * Salesforce record ids: a 3-character key prefix naming the object, 12 characters of instance
 * and sequence, and the 3-character case-safe suffix that makes the 18-character form.
 */

export const KEY_PREFIXES = {
  Organization: '00D',
  User: '005',
  Account: '001',
  Contact: '003',
  Opportunity: '006',
  Case: '500',
  Task: '00T',
  Note: '002',
  PermissionSet: '0PS',
  FieldPermissions: '01k',
  CustomField: '00N',
  QueryLocator: '01g',
} as const;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SUFFIX = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** The 3 characters that encode which of the 15 characters are upper case. */
export function caseSafeSuffix(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const char = id15.charAt(chunk * 5 + i);
      if (char >= 'A' && char <= 'Z') bits |= 1 << i;
    }
    suffix += SUFFIX.charAt(bits);
  }
  return suffix;
}

export function toId18(id15: string): string {
  return id15 + caseSafeSuffix(id15);
}

/** Whether a string is a well-formed 15- or 18-character id (with a matching suffix). */
export function isWellFormedId(value: string): boolean {
  if (!/^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/.test(value)) return false;
  return value.length === 15 || caseSafeSuffix(value.slice(0, 15)) === value.slice(15);
}

/** Makes ids for one org: `prefix + pod + sequence`, so ids from two orgs never collide. */
export class IdFactory {
  private sequence = 0;

  /** `pod` is two base-62 characters that keep this org's ids apart from other orgs'. */
  constructor(private readonly pod: string) {}

  next(prefix: string): string {
    this.sequence++;
    let n = this.sequence;
    let digits = '';
    for (let i = 0; i < 10; i++) {
      digits = BASE62.charAt(n % 62) + digits;
      n = Math.floor(n / 62);
    }
    return toId18(prefix + this.pod + digits);
  }
}

/** Two base-62 characters derived from a number, for IdFactory. */
export function podFor(n: number): string {
  return BASE62.charAt(Math.floor(n / 62) % 62) + BASE62.charAt(n % 62);
}
