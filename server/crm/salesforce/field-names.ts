import type { ManifestField } from '../../platform/manifest.ts';
import type { DescribeField, ObjectDescribe } from './describe.ts';

/**
 * A manifest field's name in one org: packaged fields carry the namespace (`bwhealth__Health_Score__c`,
 * reference §3.5); an org set up by hand (or through the Tooling fallback) has the bare name.
 */
export function findWriteField(
  describe: ObjectDescribe,
  field: ManifestField,
  namespace: string | undefined,
): DescribeField | undefined {
  const packaged = namespace ? describe.field(`${namespace}__${field.salesforce.name}`) : undefined;
  return packaged ?? describe.field(field.salesforce.name);
}

const FITTING_TYPES: Record<ManifestField['type'], readonly string[]> = {
  number: ['double', 'percent', 'int', 'currency'],
  currency: ['currency', 'double'],
  enumeration: ['picklist', 'string'],
  text: ['string', 'textarea'],
  datetime: ['datetime'],
};

/** Why a present field cannot take the app's writes, or undefined when it can. */
export function writeBlocker(field: ManifestField, found: DescribeField): string | undefined {
  if (!FITTING_TYPES[field.type].includes(found.type)) {
    return `${found.name} is of type ${found.type}, not one that holds a ${field.type}`;
  }
  if (found.updateable !== true) {
    return `${found.name} exists but the integration user cannot edit it (field-level security)`;
  }
  return undefined;
}
