import { z } from 'zod';
import type { ManifestField } from '../../platform/manifest.ts';
import type { CrmConnection, SchemaReport } from '../types.ts';
import type { CallMeter } from './transport.ts';
import { hubspotRequest, parseAnswer } from './transport.ts';

export interface PropertyGroup {
  name: string;
  label: string;
}

const propertiesSchema = z.object({
  results: z.array(z.object({ name: z.string(), type: z.string(), groupName: z.string().optional() })),
});

/** The HubSpot property type each manifest type is stored as, and how it is shown. */
export function propertyDefinition(field: ManifestField, groupName: string) {
  const base = {
    name: field.hubspot.name,
    label: field.label,
    description: field.description,
    groupName,
    displayOrder: -1,
    hasUniqueValue: false,
    hidden: false,
    formField: false,
  };
  switch (field.type) {
    case 'number':
      return { ...base, type: 'number', fieldType: 'number', numberDisplayHint: 'unformatted' };
    case 'currency':
      return { ...base, type: 'number', fieldType: 'number', numberDisplayHint: 'currency', showCurrencySymbol: true };
    case 'enumeration':
      return {
        ...base,
        type: 'enumeration',
        fieldType: 'select',
        options: field.options.map((option, index) => ({
          label: option.label,
          value: option.value,
          displayOrder: index,
          hidden: false,
        })),
      };
    case 'text':
      return { ...base, type: 'string', fieldType: 'textarea' };
    case 'datetime':
      return { ...base, type: 'datetime', fieldType: 'date' };
  }
}

/**
 * The property group and the manifest's properties on companies, idempotent: one read of the
 * existing properties, then a create for each one missing (409, created meanwhile by someone else,
 * counts as present). A property that exists with another type is reported as blocked and left as
 * it is: changing a type would destroy the portal's data.
 */
export async function ensureCompanySchema(
  conn: CrmConnection,
  fields: readonly ManifestField[],
  group: PropertyGroup,
  meter: CallMeter,
): Promise<SchemaReport> {
  const report: SchemaReport = { present: [], created: [], blocked: [] };
  const listed = await hubspotRequest(conn, meter, {
    method: 'GET',
    path: '/crm/v3/properties/companies',
    what: 'list company properties',
  });
  const existing = new Map(
    parseAnswer(propertiesSchema, listed.body, 'company properties').results.map((property) => [
      property.name,
      property,
    ]),
  );
  const missing = fields.filter((field) => !existing.has(field.hubspot.name));
  if (missing.length > 0) {
    await hubspotRequest(
      conn,
      meter,
      {
        method: 'POST',
        path: '/crm/v3/properties/companies/groups',
        body: { name: group.name, label: group.label, displayOrder: -1 },
        what: 'create the property group',
      },
      [409],
    );
  }
  for (const field of fields) {
    const wanted = propertyDefinition(field, group.name);
    const found = existing.get(field.hubspot.name);
    if (found !== undefined) {
      if (found.type === wanted.type) report.present.push(field.key);
      else {
        report.blocked.push({
          key: field.key,
          reason: `company property ${field.hubspot.name} exists with type ${found.type}, not ${wanted.type}; left unchanged`,
        });
      }
      continue;
    }
    const answer = await hubspotRequest(
      conn,
      meter,
      { method: 'POST', path: '/crm/v3/properties/companies', body: wanted, what: `create ${field.hubspot.name}` },
      [409],
    );
    if (answer.status === 409) report.present.push(field.key);
    else report.created.push(field.key);
  }
  return report;
}
