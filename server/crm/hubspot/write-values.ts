import type { ManifestField } from '../../platform/manifest.ts';

/**
 * A write-back value in HubSpot's wire format: every value is a string; numbers in plain decimal,
 * enumerations as the option's internal value, datetimes as epoch milliseconds, and an empty string
 * clears the property (reference §1.1, §1.2). Returns the text or why the value cannot be written.
 */
export function hubspotValue(
  field: ManifestField,
  value: string | number | null,
): { ok: true; text: string } | { ok: false; reason: string } {
  if (value === null) return { ok: true, text: '' };
  switch (field.type) {
    case 'number':
    case 'currency': {
      const number = typeof value === 'number' ? value : Number(value);
      if (!Number.isFinite(number) || (typeof value === 'string' && value.trim() === '')) {
        return { ok: false, reason: `${field.key} must be a finite number, got ${JSON.stringify(value)}` };
      }
      // Plain decimal notation: HubSpot rejects exponents such as 1e-7.
      return { ok: true, text: Number.isInteger(number) ? String(number) : number.toFixed(6).replace(/\.?0+$/, '') };
    }
    case 'enumeration': {
      const text = String(value);
      if (!field.options.some((option) => option.value === text)) {
        const allowed = field.options.map((option) => option.value).join(', ');
        return { ok: false, reason: `${field.key} must be one of ${allowed}, got ${JSON.stringify(text)}` };
      }
      return { ok: true, text };
    }
    case 'text': {
      const text = String(value);
      if (text.length > field.maxLength) {
        return { ok: false, reason: `${field.key} is ${text.length} characters, longer than ${field.maxLength}` };
      }
      return { ok: true, text };
    }
    case 'datetime': {
      const ms = typeof value === 'number' ? value : /^-?\d+$/.test(value) ? Number(value) : Date.parse(value);
      if (!Number.isFinite(ms))
        return { ok: false, reason: `${field.key} must be a time, got ${JSON.stringify(value)}` };
      return { ok: true, text: String(Math.round(ms)) };
    }
  }
}
