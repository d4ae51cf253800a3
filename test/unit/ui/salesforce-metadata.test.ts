import { cp, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readManifest } from '../../../extension-ui/salesforce/generate-metadata.ts';
import {
  salesforceMetadataProblems,
  SALESFORCE_METADATA_DIR,
} from '../../../extension-ui/salesforce/metadata-check.ts';
import {
  salesforceMetadataFiles,
  TASK_KEY_FIELD as PACKAGED_TASK_KEY_FIELD,
  type SalesforceManifest,
} from '../../../extension-ui/salesforce/metadata-files.ts';
import { TASK_KEY_FIELD } from '../../../server/crm/salesforce/task-key-field.ts';

const FIELD_FILE = 'objects/Account/fields/Health_Score__c.field-meta.xml';
const copies: string[] = [];

async function metadataCopy(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sf-metadata-'));
  copies.push(dir);
  await cp(SALESFORCE_METADATA_DIR, dir, { recursive: true });
  return dir;
}
afterEach(async () => {
  await Promise.all(copies.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

const manifest = async () => (await readManifest()) as SalesforceManifest;

describe('Salesforce metadata against manifest.json', () => {
  it('the committed metadata is what the manifest generates', async () => {
    expect(await salesforceMetadataProblems(await manifest())).toEqual([]);
  });

  it('sees a field whose type was edited in the metadata', async () => {
    const dir = await metadataCopy();
    const file = path.join(dir, FIELD_FILE);
    await writeFile(file, (await readFile(file, 'utf8')).replace('<type>Number</type>', '<type>Text</type>'));
    expect(await salesforceMetadataProblems(await manifest(), dir)).toEqual([
      expect.stringMatching(
        /^Salesforce metadata objects\/Account\/fields\/Health_Score__c\.field-meta\.xml differs from manifest\.json \(line 10: expected "<type>Number<\/type>", found "<type>Text<\/type>"\)/,
      ),
    ]);
  });

  it('sees a manifest field type changed without regenerating', async () => {
    const changed = structuredClone(await manifest()) as any;
    changed.fields[0].type = 'currency';
    const problems = await salesforceMetadataProblems(changed);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('expected "<type>Currency</type>", found "<type>Number</type>"');
  });

  it('sees a missing file, a field added to the manifest and a file the manifest does not know', async () => {
    const dir = await metadataCopy();
    await unlink(path.join(dir, 'permissionsets/Bellwether_Health.permissionset-meta.xml'));
    await writeFile(path.join(dir, 'objects/Account/fields/Old_Field__c.field-meta.xml'), '<CustomField/>');
    const changed = structuredClone(await manifest());
    changed.fields.push({
      key: 'csm_note',
      label: 'CSM note',
      description: 'A note.',
      type: 'text',
      maxLength: 200,
      salesforce: { name: 'Csm_Note__c' },
    });
    const problems = await salesforceMetadataProblems(changed, dir);
    expect(problems).toEqual([
      expect.stringMatching(/^Salesforce metadata objects\/Account\/fields\/Csm_Note__c\.field-meta\.xml is missing/),
      expect.stringMatching(
        /^Salesforce metadata permissionsets\/Bellwether_Health\.permissionset-meta\.xml is missing/,
      ),
      // The placement note lists the fields too.
      expect.stringMatching(
        /^Salesforce metadata PLACEMENT\.md differs from manifest\.json \(line 12: .*`Csm_Note__c`/,
      ),
      'Salesforce metadata objects/Account/fields/Old_Field__c.field-meta.xml is not generated from manifest.json; remove it',
    ]);
  });

  it('says where the manifest itself is wrong', async () => {
    const changed = structuredClone(await manifest()) as any;
    changed.fields[1].salesforce.name = 'Health Band';
    expect(await salesforceMetadataProblems(changed)).toEqual([
      'manifest.json fields.1.salesforce.name: must be a custom field API name ending in __c',
    ]);
  });
});

describe('generated custom fields', () => {
  const base = { key: 'f', label: 'F', description: 'D.', salesforce: { name: 'F__c' } };
  const app = { id: 'a', name: 'A', description: 'd', supportEmail: 's@example.com', websiteUrl: 'https://a.example' };
  const crms = { salesforce: { namespace: 'ns', apiVersion: '66.0' } };

  it.each([
    [{ ...base, type: 'number' }, ['<type>Number</type>', '<precision>18</precision>', '<scale>0</scale>']],
    [
      { ...base, type: 'currency', salesforce: { name: 'F__c', precision: 16, scale: 2 } },
      ['<type>Currency</type>', '<precision>16</precision>', '<scale>2</scale>'],
    ],
    [{ ...base, type: 'text', maxLength: 255 }, ['<type>Text</type>', '<length>255</length>']],
    [{ ...base, type: 'text', maxLength: 256 }, ['<type>LongTextArea</type>', '<length>256</length>']],
    [{ ...base, type: 'text', maxLength: 80 }, ['<type>Text</type>', '<length>80</length>']],
    [{ ...base, type: 'datetime' }, ['<type>DateTime</type>']],
    [
      {
        ...base,
        type: 'enumeration',
        options: [
          { value: 'a&b', label: 'A & B' },
          { value: 'c', label: 'C' },
        ],
      },
      [
        '<type>Picklist</type>',
        '<restricted>true</restricted>',
        '<fullName>a&amp;b</fullName>',
        '<label>A &amp; B</label>',
      ],
    ],
  ])('%j → %j', (field, lines) => {
    const files = salesforceMetadataFiles({ app, crms, fields: [field], cards: [] } as unknown as SalesforceManifest);
    const xml = files.get('objects/Account/fields/F__c.field-meta.xml') ?? '';
    for (const line of lines) expect(xml).toContain(line);
    expect(files.get('permissionsets/Bellwether_Health.permissionset-meta.xml')).toContain(
      '<field>Account.F__c</field>',
    );
  });

  it('ships the Task key field the Salesforce adapter upserts tasks on, with access in the permission set', async () => {
    const { key: _key, ...adapterField } = TASK_KEY_FIELD;
    expect(PACKAGED_TASK_KEY_FIELD).toEqual(adapterField);
    const files = salesforceMetadataFiles(await manifest());
    const xml = files.get('objects/Activity/fields/Activity_Key__c.field-meta.xml') ?? '';
    for (const line of ['<externalId>true</externalId>', '<unique>true</unique>', '<length>80</length>']) {
      expect(xml).toContain(line);
    }
    expect(files.get('permissionsets/Bellwether_Health.permissionset-meta.xml')).toContain(
      '<field>Activity.Activity_Key__c</field>',
    );
  });

  it('hosts the manifest canvas app with the record id and the package namespace', async () => {
    const files = salesforceMetadataFiles(await manifest(), { canvasUrl: 'https://cards.example/canvas' });
    const component = files.get('aura/BellwetherHealthCard/BellwetherHealthCard.cmp') ?? '';
    expect(component).toContain('implements="flexipage:availableForRecordHome,force:hasRecordId"');
    expect(component).toContain('developerName="Bellwether_Health" namespacePrefix="bwhealth"');
    expect(component).toContain('parameters="{!v.canvasParameters}"');
    expect(files.get('aura/BellwetherHealthCard/BellwetherHealthCardController.js')).toContain(
      "JSON.stringify({ recordId: component.get('v.recordId') })",
    );
    const canvas = files.get('extlClntAppCanvasSettings/Bellwether_Health.ecaCanvas-meta.xml') ?? '';
    expect(canvas).toContain('<accessMethod>Post</accessMethod>');
    expect(canvas).toContain('<canvasUrl>https://cards.example/canvas</canvasUrl>');
  });
});
