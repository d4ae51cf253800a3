import { z } from 'zod';

/**
 * The Salesforce metadata generated from manifest.json, as (path → content) pairs in SFDX source
 * format: a custom field on Account per manifest field, the task key field on Activity, a permission
 * set granting read and edit on them, the Aura wrapper that hosts the Canvas app with the record id,
 * the External Client App with its Canvas plugin, and where to place the card. Pure: the generator writes these, the drift check
 * compares them, and both read the same manifest.
 */

const field = z.looseObject({
  key: z.string(),
  label: z.string(),
  description: z.string(),
  salesforce: z.looseObject({
    name: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*__c$/, 'must be a custom field API name ending in __c'),
    precision: z.int().optional(),
    scale: z.int().optional(),
  }),
});

/** The parts of manifest.json the Salesforce metadata comes from (the platform schema checks the rest). */
export const salesforceManifestSchema = z.looseObject({
  app: z.looseObject({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    supportEmail: z.string(),
    websiteUrl: z.string(),
  }),
  crms: z.looseObject({
    salesforce: z.looseObject({ namespace: z.string(), apiVersion: z.string().regex(/^\d+\.0$/) }),
  }),
  fields: z.array(
    z.discriminatedUnion('type', [
      field.extend({ type: z.enum(['number', 'currency']) }),
      field.extend({
        type: z.literal('enumeration'),
        options: z.array(z.looseObject({ value: z.string(), label: z.string() })),
      }),
      field.extend({ type: z.literal('text'), maxLength: z.int() }),
      field.extend({ type: z.literal('datetime') }),
    ]),
  ),
  cards: z.array(
    z.looseObject({
      id: z.string(),
      title: z.string(),
      description: z.string(),
      salesforce: z.looseObject({ object: z.string(), canvasApp: z.string() }).optional(),
    }),
  ),
});
export type SalesforceManifest = z.infer<typeof salesforceManifestSchema>;
type Field = SalesforceManifest['fields'][number];

export const PERMISSION_SET = 'Bellwether_Health';
const AURA_COMPONENT = 'BellwetherHealthCard';
// Salesforce's Text holds at most 255 characters; longer text is a LongTextArea.
const TEXT_MAX = 255;
const LONG_TEXT_MIN = 256;

const escapeXml = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const xml = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>\n${body}\n`;
const tag = (name: string, value: string | number | boolean, indent = '    ') =>
  `${indent}<${name}>${escapeXml(String(value))}</${name}>`;

function fieldTypeLines(item: Field): string[] {
  switch (item.type) {
    case 'number':
    case 'currency':
      return [
        tag('type', item.type === 'number' ? 'Number' : 'Currency'),
        tag('precision', item.salesforce.precision ?? 18),
        tag('scale', item.salesforce.scale ?? 0),
      ];
    case 'enumeration':
      return [
        tag('type', 'Picklist'),
        '    <valueSet>',
        tag('restricted', true, '        '),
        '        <valueSetDefinition>',
        tag('sorted', false, '            '),
        ...item.options.flatMap((option) => [
          '            <value>',
          tag('fullName', option.value, '                '),
          tag('default', false, '                '),
          tag('label', option.label, '                '),
          '            </value>',
        ]),
        '        </valueSetDefinition>',
        '    </valueSet>',
      ];
    case 'text':
      return item.maxLength <= TEXT_MAX
        ? [tag('type', 'Text'), tag('length', item.maxLength)]
        : [tag('type', 'LongTextArea'), tag('length', Math.max(item.maxLength, LONG_TEXT_MIN)), tag('visibleLines', 3)];
    case 'datetime':
      return [tag('type', 'DateTime')];
  }
}

function customField(item: Field): string {
  return xml(
    [
      '<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">',
      tag('fullName', item.salesforce.name),
      tag('label', item.label),
      tag('description', item.description),
      tag('inlineHelpText', item.description),
      tag('externalId', false),
      tag('required', false),
      tag('trackHistory', false),
      ...fieldTypeLines(item),
      '</CustomField>',
    ].join('\n'),
  );
}

/**
 * The field that carries a warning task's key on Task, so each task is created once (an upsert on an
 * external id). Mirrors TASK_KEY_FIELD in server/crm/salesforce/task-key-field.ts, which the UI may
 * not import; a unit test keeps the two equal. Task custom fields are defined on Activity.
 */
export const TASK_KEY_FIELD = {
  name: 'Activity_Key__c',
  label: 'Bellwether key',
  description: 'Set by Bellwether on the tasks it creates, so that each task is created exactly once.',
  length: 80,
} as const;

function taskKeyField(): string {
  return xml(
    [
      '<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">',
      tag('fullName', TASK_KEY_FIELD.name),
      tag('label', TASK_KEY_FIELD.label),
      tag('description', TASK_KEY_FIELD.description),
      tag('caseSensitive', false),
      tag('externalId', true),
      tag('length', TASK_KEY_FIELD.length),
      tag('required', false),
      tag('trackTrending', false),
      tag('type', 'Text'),
      tag('unique', true),
      '</CustomField>',
    ].join('\n'),
  );
}

function permissionSet(manifest: SalesforceManifest): string {
  return xml(
    [
      '<PermissionSet xmlns="http://soap.sforce.com/2006/04/metadata">',
      tag('label', `${manifest.app.name} health fields`),
      tag('description', `Read and edit the ${manifest.app.name} fields on Account and Task, and see the health card.`),
      tag('hasActivationRequired', false),
      ...[
        `Activity.${TASK_KEY_FIELD.name}`,
        ...manifest.fields.map((item) => `Account.${item.salesforce.name}`),
      ].flatMap((name) => [
        '    <fieldPermissions>',
        tag('editable', true, '        '),
        tag('field', name, '        '),
        tag('readable', true, '        '),
        '    </fieldPermissions>',
      ]),
      '</PermissionSet>',
    ].join('\n'),
  );
}

function auraFiles(manifest: SalesforceManifest, card: SalesforceCard): Record<string, string> {
  const dir = `aura/${AURA_COMPONENT}`;
  const { namespace, apiVersion } = manifest.crms.salesforce;
  return {
    [`${dir}/${AURA_COMPONENT}.cmp`]: `<!-- ${card.title}: hosts the ${card.canvasApp} Canvas app on the ${card.object} page and passes the record id. -->
<aura:component implements="flexipage:availableForRecordHome,force:hasRecordId" access="global">
    <aura:attribute name="recordId" type="Id" />
    <aura:attribute name="canvasParameters" type="String" />
    <aura:handler name="init" value="{!this}" action="{!c.doInit}" />
    <aura:handler name="change" value="{!v.recordId}" action="{!c.doInit}" />
    <force:canvasApp developerName="${escapeXml(card.canvasApp)}" namespacePrefix="${escapeXml(namespace)}" parameters="{!v.canvasParameters}" width="100%" height="720px" border="0" scrolling="auto" />
</aura:component>
`,
    [`${dir}/${AURA_COMPONENT}Controller.js`]: `/* eslint-disable @typescript-eslint/no-unused-expressions -- an Aura controller is a bare object literal */
({
  // The Canvas app reads it as environment.parameters.recordId.
  doInit: function (component) {
    component.set('v.canvasParameters', JSON.stringify({ recordId: component.get('v.recordId') }));
  },
});
`,
    [`${dir}/${AURA_COMPONENT}.cmp-meta.xml`]: xml(
      [
        '<AuraDefinitionBundle xmlns="http://soap.sforce.com/2006/04/metadata">',
        tag('apiVersion', apiVersion),
        tag('description', card.description),
        '</AuraDefinitionBundle>',
      ].join('\n'),
    ),
    [`${dir}/${AURA_COMPONENT}.design`]: `<design:component label="${escapeXml(`${manifest.app.name}: ${card.title}`)}">
    <sfdc:objects>
        <sfdc:object>${escapeXml(card.object)}</sfdc:object>
    </sfdc:objects>
</design:component>
`,
  };
}

function externalClientApp(
  manifest: SalesforceManifest,
  card: SalesforceCard,
  canvasUrl: string,
): Record<string, string> {
  const appName = card.canvasApp;
  return {
    [`externalClientApps/${appName}.eca-meta.xml`]: xml(
      [
        '<ExternalClientApplication xmlns="http://soap.sforce.com/2006/04/metadata">',
        tag('contactEmail', manifest.app.supportEmail),
        tag('description', manifest.app.description),
        tag('distributionState', 'Packaged'),
        tag('isProtected', false),
        tag('label', manifest.app.name),
        '</ExternalClientApplication>',
      ].join('\n'),
    ),
    // The Canvas plugin: Salesforce posts the signed request to the canvas URL.
    [`extlClntAppCanvasSettings/${appName}.ecaCanvas-meta.xml`]: xml(
      [
        '<ExtlClntAppCanvasSettings xmlns="http://soap.sforce.com/2006/04/metadata">',
        tag('accessMethod', 'Post'),
        tag('canvasUrl', canvasUrl),
        tag('canvasLocationOptions', 'Visualforce'),
        tag('externalClientApplication', appName),
        tag('label', `${manifest.app.name} ${card.title}`),
        '</ExtlClntAppCanvasSettings>',
      ].join('\n'),
    ),
  };
}

function placementNote(manifest: SalesforceManifest, card: SalesforceCard): string {
  return `# Placing the ${manifest.app.name} card

Generated from manifest.json by extension-ui/salesforce/generate-metadata.ts; do not edit by hand.

1. Install the managed package (namespace \`${manifest.crms.salesforce.namespace}\`), which holds the fields,
   the permission set \`${PERMISSION_SET}\`, the External Client App \`${card.canvasApp}\` and the Aura
   component \`${AURA_COMPONENT}\`.
2. Assign the permission set \`${PERMISSION_SET}\` to the people who see the card.
3. Open an ${card.object} record, Setup → Edit Page, drag "${manifest.app.name}: ${card.title}" (Custom –
   Managed) onto the page, Save and Activate. The component passes the record id to the Canvas app.

Fields on ${card.object}: ${manifest.fields.map((item) => `\`${item.salesforce.name}\``).join(', ')}.
`;
}

type SalesforceCard = NonNullable<SalesforceManifest['cards'][number]['salesforce']> &
  Pick<SalesforceManifest['cards'][number], 'title' | 'description'>;

export interface MetadataOptions {
  /** Where Salesforce posts the signed request; by default the app's website with /canvas. */
  canvasUrl?: string;
}

/** Every generated file, by path under extension-ui/salesforce/metadata/. */
export function salesforceMetadataFiles(
  manifest: SalesforceManifest,
  options: MetadataOptions = {},
): Map<string, string> {
  const files = new Map<string, string>();
  for (const item of manifest.fields) {
    files.set(`objects/Account/fields/${item.salesforce.name}.field-meta.xml`, customField(item));
  }
  files.set(`objects/Activity/fields/${TASK_KEY_FIELD.name}.field-meta.xml`, taskKeyField());
  files.set(`permissionsets/${PERMISSION_SET}.permissionset-meta.xml`, permissionSet(manifest));
  const canvasUrl = options.canvasUrl ?? new URL('/canvas', manifest.app.websiteUrl).toString();
  for (const entry of manifest.cards) {
    if (!entry.salesforce) continue;
    const card = { ...entry.salesforce, title: entry.title, description: entry.description };
    for (const [file, content] of Object.entries({
      ...auraFiles(manifest, card),
      ...externalClientApp(manifest, card, canvasUrl),
      'PLACEMENT.md': placementNote(manifest, card),
    })) {
      files.set(file, content);
    }
  }
  return files;
}
