import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PortalStore } from '../../../sandbox/hubspot/index.ts';
import type { CrmConnection, WriteBackRow } from '../../../server/crm/types.ts';
import { contractProblems } from '../../support/hubspot-harness.ts';
import { HubspotContract } from '../../support/hubspot-openapi.ts';
import { syntheticCrmBook } from '../../support/synthetic-crm-book.ts';
import { FIELDS, startAdapterHarness, type AdapterHarness } from './adapter-harness.ts';

const PORTAL = 1000001;

describe('HubSpot adapter: schema, write-back, tasks, notes, deletes and reads by id', () => {
  let h: AdapterHarness;
  let conn: CrmConnection;
  let store: PortalStore;
  let companyIds: string[];

  beforeAll(async () => {
    h = await startAdapterHarness();
    h.hub.sandbox.loadBook(PORTAL, syntheticCrmBook(250, 1));
    store = h.hub.sandbox.portals.get(String(PORTAL)) as PortalStore;
    companyIds = store.table('companies').order.map((record) => record.id);
    conn = h.connect(PORTAL);
  });

  afterAll(async () => {
    await h.close();
  });

  it('ensureSchema creates the group and properties once, then finds them present', async () => {
    const first = await h.adapter.ensureSchema(conn, FIELDS);
    expect(first.created.sort()).toEqual(FIELDS.map((field) => field.key).sort());
    expect(first.present).toEqual([]);
    const group = store.groupMap('companies').get('bellwether');
    expect(group?.label).toBe('Bellwether');
    const band = store.propertyMap('companies').get('bellwether_health_band');
    expect(band).toMatchObject({ type: 'enumeration', groupName: 'bellwether' });
    expect(band?.options.map((option) => option.value)).toEqual(['red', 'yellow', 'green']);
    expect(store.propertyMap('companies').get('bellwether_last_scored_at')?.type).toBe('datetime');

    const requestsBefore = h.hub.exchanges.length;
    const second = await h.adapter.ensureSchema(conn, FIELDS);
    expect(second.created).toEqual([]);
    expect(second.present.sort()).toEqual(FIELDS.map((field) => field.key).sort());
    // Steady state costs one read.
    expect(h.hub.exchanges.length - requestsBefore).toBe(1);
  });

  it('reports a property of another type as blocked and leaves it alone', async () => {
    const other = await startAdapterHarness();
    try {
      const otherConn = other.connect(PORTAL);
      const writer = other.hub.client(other.hub.sandbox.issueTokens(PORTAL).accessToken);
      await writer.crm.properties.coreApi.create('companies', {
        name: 'bellwether_health_score',
        label: 'Health score (text)',
        type: 'string' as never,
        fieldType: 'text' as never,
        groupName: 'companyinformation',
      });
      const report = await other.adapter.ensureSchema(otherConn, FIELDS);
      expect(report.blocked).toEqual([{ key: 'health_score', reason: expect.stringContaining('type string') }]);
      expect(report.created).toHaveLength(FIELDS.length - 1);
      const store2 = other.hub.sandbox.portals.get(String(PORTAL)) as PortalStore;
      expect(store2.propertyMap('companies').get('bellwether_health_score')?.type).toBe('string');
    } finally {
      await other.close();
    }
  });

  it('writes back in HubSpot formats, 100 rows a call, with an outcome for every row', async () => {
    const scoredAt = Date.parse('2026-07-01T08:30:00Z');
    const rows: WriteBackRow[] = companyIds.map((id, index) => ({
      id,
      values: {
        health_score: 40 + (index % 50),
        health_band: index % 2 === 0 ? 'green' : 'red',
        renewal_probability: 0.5,
        revenue_at_risk: 1234.5,
        last_scored_at: scoredAt,
        health_drivers: null,
      },
    }));
    rows.push({ id: companyIds[0] as string, values: { health_band: 'purple' } });
    const before = h.hub.exchanges.length;
    const outcomes = await h.adapter.writeBack(conn, 'accounts', [
      ...rows.slice(0, -1),
      { id: '999999999', values: { health_score: 1 } },
    ]);
    expect(outcomes).toHaveLength(companyIds.length + 1);
    expect(outcomes.slice(0, -1).every((outcome) => outcome.ok)).toBe(true);
    expect(outcomes.at(-1)).toMatchObject({ id: '999999999', ok: false, error: { code: 'NOT_FOUND' } });
    expect(h.hub.exchanges.length - before).toBe(3);
    const stored = store.get('companies', companyIds[1] as string)?.properties;
    expect(stored).toMatchObject({
      bellwether_health_score: '41',
      bellwether_health_band: 'red',
      bellwether_renewal_probability: '0.5',
      bellwether_revenue_at_risk: '1234.5',
    });
    expect(Date.parse(stored?.bellwether_last_scored_at ?? '') || Number(stored?.bellwether_last_scored_at)).toBe(
      scoredAt,
    );

    // A value the manifest does not allow fails its row only, before any call.
    const [bad] = await h.adapter.writeBack(conn, 'accounts', [rows.at(-1) as WriteBackRow]);
    expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });

  it('a partial batch failure gives per-row outcomes and does not throw', async () => {
    h.hub.sandbox.faults.add({
      tenant: String(PORTAL),
      route: 'crm.objects.batch.update',
      fault: { kind: 'partial_batch', rate: 0.3 },
      times: 1,
    });
    const rows = companyIds.slice(0, 100).map((id) => ({ id, values: { health_score: 7 } }));
    const outcomes = await h.adapter.writeBack(conn, 'accounts', rows);
    const failed = outcomes.filter((outcome) => !outcome.ok);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.length).toBeLessThan(100);
    for (const outcome of outcomes) {
      const value = store.get('companies', outcome.id)?.properties.bellwether_health_score;
      if (outcome.ok) expect(value).toBe('7');
      else {
        expect(value).not.toBe('7');
        expect(outcome.error.code).toBe('TEMPORARY');
      }
    }
    // A rate limit fails the rows it reaches and the rest without sending them.
    h.hub.sandbox.faults.add({
      tenant: String(PORTAL),
      route: 'crm.objects.batch.update',
      fault: { kind: 'rate_limit' },
      times: 1,
    });
    const before = h.hub.exchanges.length;
    const limited = await h.adapter.writeBack(
      conn,
      'accounts',
      companyIds.map((id) => ({ id, values: { health_score: 8 } })),
    );
    expect(limited.every((outcome) => !outcome.ok && outcome.error.code === 'RATE_LIMITED')).toBe(true);
    expect(h.hub.exchanges.length - before).toBe(1);
  });

  it('creates tasks and a note associated to their companies', async () => {
    const owner = [...store.owners.values()][0];
    const outcomes = await h.adapter.createTasks(conn, [
      {
        key: 'bw-writes-task-0001',
        accountId: companyIds[3] as string,
        ownerId: owner?.id ?? null,
        subject: 'Health dropped to red',
        body: 'Usage fell 40% in 30 days.',
        dueAt: Date.parse('2026-07-03T09:00:00Z'),
        priority: 'high',
      },
      {
        key: 'bw-writes-task-0002',
        accountId: companyIds[4] as string,
        ownerId: null,
        subject: 'Renewal in 60 days',
        body: 'Prepare the QBR.',
        dueAt: Date.parse('2026-07-04T09:00:00Z'),
        priority: 'low',
      },
    ]);
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    const task = store.get('tasks', outcomes[0]?.id as string);
    expect(task?.properties).toMatchObject({ hs_task_subject: 'Health dropped to red', hs_task_priority: 'HIGH' });
    expect(store.associations(task!, 'companies').map((link) => link.id)).toEqual([companyIds[3]]);

    const note = await h.adapter.createNote(conn, companyIds[5] as string, {
      key: 'bw-writes-note-0001',
      title: 'QBR brief',
      body: 'A <b> & c',
    });
    const stored = store.get('notes', note.id);
    expect(stored?.properties.hs_note_body).toContain('QBR brief');
    expect(stored?.properties.hs_note_body).toContain('A &lt;b&gt; &amp; c');
    expect(store.associations(stored!, 'companies').map((link) => link.id)).toEqual([companyIds[5]]);
  });

  it('lists archived ids since an instant, and reads records by id with associations', async () => {
    const writer = h.hub.client(h.hub.sandbox.issueTokens(PORTAL).accessToken);
    const early = companyIds.slice(10, 12);
    for (const id of early) await writer.crm.companies.basicApi.archive(id);
    h.clock.advance(60_000);
    const since = h.clock.now();
    const late = companyIds.slice(20, 23);
    for (const id of late) await writer.crm.companies.basicApi.archive(id);
    expect((await h.adapter.listDeleted(conn, 'accounts', since)).sort()).toEqual([...late].sort());
    expect((await h.adapter.listDeleted(conn, 'accounts', 0)).sort()).toEqual([...early, ...late].sort());

    const contactIds = store
      .table('contacts')
      .order.slice(0, 150)
      .map((record) => record.id);
    const contacts = await h.adapter.fetchByIds(conn, 'contacts', [...contactIds, '424242424']);
    expect(contacts.map((record) => record.id)).toEqual(contactIds);
    for (const contact of contacts) {
      const linked = store.associations(store.get('contacts', contact.id)!, 'companies').map((link) => link.id);
      expect(contact.associations.accounts).toEqual(linked);
      expect(contact.properties.email).toBe(store.get('contacts', contact.id)?.properties.email);
    }
    const owners = await h.adapter.fetchByIds(conn, 'owners', [...store.owners.keys()].slice(0, 2));
    expect(owners.map((owner) => owner.properties.email)).toEqual(
      [...store.owners.values()].slice(0, 2).map((owner) => owner.email),
    );
  });

  it('called only operations the HubSpot OpenAPI files name, and got answers they describe', async () => {
    const contract = await HubspotContract.load();
    expect(contractProblems(contract, h.hub.exchanges)).toEqual([]);
  });
});
