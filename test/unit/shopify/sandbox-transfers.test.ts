import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShopifySandbox, type ShopifySandbox } from '../../../sandbox/shopify';
import { activate, rawAdmin } from '../../support/sandbox-client';

const TRANSFER = `query($id: ID!) { inventoryTransfer(id: $id) {
  name status referenceName totalQuantity receivedQuantity dateCreated
  origin { name location { id } } destination { name }
  lineItems(first: 10) { nodes { totalQuantity shippedQuantity shippableQuantity inventoryItem { sku } } }
  shipments(first: 5) { nodes { id status dateShipped dateReceived totalAcceptedQuantity totalReceivedQuantity totalRejectedQuantity
    lineItems(first: 10) { nodes { quantity acceptedQuantity rejectedQuantity unreceivedQuantity inventoryItem { sku } } } } } } }`;

// Schema 2026-10, InventoryTransfer: "Tracks the movement of InventoryItem objects between Location objects. A
// transfer includes origin and destination information, InventoryTransferLineItem objects with quantities, and
// shipment details."
describe('sandbox: native inventory transfers and shipments (Stocky’s successor)', () => {
  let sb: ShopifySandbox;
  let gql: ReturnType<typeof rawAdmin>;
  const loc: Record<string, string> = {};
  const post = async (path: string, body: unknown = {}) => {
    const res = await fetch(`${sb.url}/_sandbox${path}`, { method: 'POST', body: JSON.stringify(body) });
    return { status: res.status, json: (await res.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const level = async (sku: string, code: string) =>
    ((await (await fetch(`${sb.url}/_sandbox/inventory?sku=${sku}`)).json()) as Record<string, number | string>[]).find(
      (r) => r.location === code,
    );
  beforeAll(async () => {
    sb = await startShopifySandbox({
      locations: [
        { name: 'Warehouse', code: 'W' },
        { name: 'C', code: 'C' },
        { name: 'EM', code: 'EM' },
      ],
    });
    gql = rawAdmin(sb);
    for (const l of (await gql('{ locations(first: 10) { nodes { id name } } }')).json.data.locations.nodes)
      loc[l.name] = l.id;
    for (const sku of ['SKU-0001', 'SKU-0002']) {
      const { json } = await gql(
        `mutation($sku: String!) { productSet(synchronous: true, input: { title: $sku, productOptions: [{ name: "Size", values: [{ name: "1" }] }], variants: [{ sku: $sku, price: "2.00", optionValues: [{ optionName: "Size", name: "1" }] }] }) { product { variants(first: 1) { nodes { inventoryItem { id } } } } } }`,
        { sku },
      );
      const item = json.data.productSet.product.variants.nodes[0].inventoryItem.id;
      await activate(gql, item, loc.Warehouse!);
      await activate(gql, item, loc.C!);
      await gql(
        `mutation($i: ID!, $l: ID!, $k: String!) { inventorySetQuantities(input: { name: "on_hand", reason: "correction", quantities: [{ inventoryItemId: $i, locationId: $l, quantity: 500, changeFromQuantity: null }] }) @idempotent(key: $k) { userErrors { message } } }`,
        { i: item, l: loc.Warehouse, k: `set-${sku}` },
      );
    }
  });
  afterAll(() => sb.close());

  it('follows a transfer from draft to transferred: shipping takes units off the origin, receiving puts accepted units in', async () => {
    const created = await post('/transfers', {
      origin: 'W',
      destination: 'C',
      referenceName: 'T-502',
      at: '2026-09-02T10:00:00.000Z',
      lines: [
        { sku: 'SKU-0001', quantity: 40 },
        { sku: 'SKU-0002', quantity: 12 },
      ],
    });
    expect(created).toMatchObject({ status: 201, json: { name: '#T0001', status: 'DRAFT' } });
    const n = created.json.id.split('/').pop();
    const read = async () => (await gql(TRANSFER, { id: created.json.id })).json.data.inventoryTransfer;
    // DRAFT: "The inventory transfer has been created but not yet finalized." It cannot be shipped yet.
    expect((await post(`/transfers/${n}/ship`)).status).toBe(422);
    expect((await read()).lineItems.nodes[0].shippableQuantity).toBe(0);
    await post(`/transfers/${n}/ready`);
    // READY_TO_SHIP: "created, but not yet shipped". A first shipment carries part of the units.
    const first = await post(`/transfers/${n}/ship`, {
      at: '2026-09-03T08:00:00.000Z',
      lines: [{ sku: 'SKU-0001', quantity: 30 }],
    });
    expect(first.status).toBe(201);
    // IN_PROGRESS: "with a shipment currently underway or received".
    expect(await read()).toMatchObject({
      status: 'IN_PROGRESS',
      totalQuantity: 52,
      receivedQuantity: 0,
      origin: { name: 'Warehouse', location: { id: loc.Warehouse } },
      destination: { name: 'C' },
    });
    expect(await level('SKU-0001', 'W')).toMatchObject({ on_hand: 470 });
    expect(await level('SKU-0001', 'C')).toMatchObject({ incoming: 30, on_hand: 0 });
    const second = await post(`/transfers/${n}/ship`, { at: '2026-09-03T09:00:00.000Z' });
    expect(second.json.lineItems.map((l: { quantity: number }) => l.quantity)).toEqual([10, 12]);
    // A shipment "partially received" until every unit is accepted or rejected; dateReceived is "the date the
    // shipment was initially received".
    const s1 = first.json.id.split('/').pop();
    await post(`/shipments/${s1}/receive`, {
      at: '2026-09-04T12:00:00.000Z',
      lines: [{ sku: 'SKU-0001', accepted: 20, rejected: 2 }],
    });
    let t = await read();
    expect(t.shipments.nodes[0]).toMatchObject({
      status: 'PARTIALLY_RECEIVED',
      dateReceived: '2026-09-04T12:00:00.000Z',
      totalAcceptedQuantity: 20,
      totalRejectedQuantity: 2,
      totalReceivedQuantity: 22,
    });
    expect(t.shipments.nodes[0].lineItems.nodes[0]).toMatchObject({ unreceivedQuantity: 8 });
    await post(`/shipments/${s1}/receive`, { at: '2026-09-05T12:00:00.000Z' });
    await post(`/shipments/${second.json.id.split('/').pop()}/receive`, { at: '2026-09-05T13:00:00.000Z' });
    t = await read();
    // TRANSFERRED: "The inventory transfer has been completely received at the destination."
    expect(t).toMatchObject({ status: 'TRANSFERRED', receivedQuantity: 52 });
    expect(t.shipments.nodes.map((s: { status: string; dateReceived: string }) => [s.status, s.dateReceived])).toEqual([
      ['RECEIVED', '2026-09-04T12:00:00.000Z'],
      ['RECEIVED', '2026-09-05T13:00:00.000Z'],
    ]);
    expect(t.lineItems.nodes.map((l: { shippedQuantity: number }) => l.shippedQuantity)).toEqual([40, 12]);
    // 40 shipped, 2 rejected: 38 arrive on the shelf, nothing is left incoming.
    expect(await level('SKU-0001', 'C')).toMatchObject({ incoming: 0, on_hand: 38, available: 38 });
    expect((await post(`/shipments/${s1}/receive`)).status).toBe(422);
  });

  it('filters inventoryTransfers by the query fields the schema lists (created_at, status, origin_id) and pages them', async () => {
    const draft = await post('/transfers', {
      origin: 'C',
      destination: 'EM',
      at: '2026-10-01T10:00:00.000Z',
      lines: [{ sku: 'SKU-0002', quantity: 3 }],
    });
    const canceled = await post('/transfers', {
      origin: 'W',
      destination: 'EM',
      at: '2026-10-02T10:00:00.000Z',
      lines: [{ sku: 'SKU-0002', quantity: 9 }],
    });
    await post(`/transfers/${canceled.json.id.split('/').pop()}/cancel`);
    const names = async (query: string, first = 10) =>
      (
        await gql(
          `query($q: String, $f: Int) { inventoryTransfers(first: $f, query: $q, sortKey: CREATED_AT) { nodes { name status } pageInfo { hasNextPage } } }`,
          { q: query, f: first },
        )
      ).json.data.inventoryTransfers;
    expect((await names(`created_at:>='2026-10-01T00:00:00Z'`)).nodes).toEqual([
      { name: draft.json.name, status: 'DRAFT' },
      { name: canceled.json.name, status: 'CANCELED' },
    ]);
    expect((await names('status:draft')).nodes.map((t: { name: string }) => t.name)).toEqual([draft.json.name]);
    expect((await names(`origin_id:${loc.C!.split('/').pop()}`)).nodes.map((t: { name: string }) => t.name)).toEqual([
      draft.json.name,
    ]);
    // There is no updated_at filter in the schema's list; like every unknown field, it is ignored.
    expect((await names(`updated_at:>='2030-01-01'`)).nodes).toHaveLength(3);
    expect(await names('', 1)).toMatchObject({ nodes: [{ name: '#T0001' }], pageInfo: { hasNextPage: true } });
    const unpaged = await gql('{ inventoryTransfers { nodes { id } } }');
    expect(unpaged.json.errors[0].message).toBe('you must provide one of first or last');
  });

  it('refuses a transfer with neither origin nor destination (changelog 2026-01: at least one is required)', async () => {
    expect(await post('/transfers', { lines: [{ sku: 'SKU-0001', quantity: 1 }] })).toMatchObject({
      status: 422,
      json: { error: 'a transfer needs an origin or a destination location' },
    });
    expect(
      (await post('/transfers', { origin: 'W', destination: 'C', lines: [{ sku: 'NOPE', quantity: 1 }] })).status,
    ).toBe(422);
  });

  it('generates a grocery chain’s months of weekly trucks: big baskets, rejected units, cancellations, trucks in transit', async () => {
    const counts = (await post('/transfers/demo', { from: '2026-06-01', to: '2026-09-30', warehouse: 'W' })).json;
    expect(counts.transfers).toBeGreaterThan(30);
    expect(counts.received).toBeGreaterThan(20);
    expect(counts.rejectedUnits).toBeGreaterThan(0);
    const all = (await (await fetch(`${sb.url}/_sandbox/transfers`)).json()) as {
      lineItems: unknown[];
      status: string;
    }[];
    expect(new Set(all.map((t) => t.status))).toEqual(new Set(['TRANSFERRED', 'IN_PROGRESS', 'DRAFT', 'CANCELED']));
  });
});

// A restarted shop keeps its transfers (persist.ts) and must not name a new one like an old one: the lake keys
// stock.transfers rows by the transfer's name.
describe('sandbox restart: transfers kept, names never reused', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-transfers-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('names the first transfer after a restart #T0002 when #T0001 exists', async () => {
    const locations = [
      { name: 'Warehouse', code: 'W' },
      { name: 'C', code: 'C' },
    ];
    let sb = await startShopifySandbox({ dataDir, locations });
    const { json } = await rawAdmin(sb)(
      `mutation { productSet(synchronous: true, input: { title: "Rice", productOptions: [{ name: "Size", values: [{ name: "1" }] }], variants: [{ sku: "SKU-0003", price: "2.00", optionValues: [{ optionName: "Size", name: "1" }] }] }) { product { id } } }`,
    );
    expect(json.data.productSet.product.id).toBeTruthy();
    expect(sb.transfers.create({ origin: 'W', destination: 'C', lines: [{ sku: 'SKU-0003', quantity: 4 }] }).name).toBe(
      '#T0001',
    );
    await sb.close();
    sb = await startShopifySandbox({ dataDir, locations });
    try {
      expect([...sb.state.transfers.values()].map((t) => t.name)).toEqual(['#T0001']);
      expect(
        sb.transfers.create({ origin: 'W', destination: 'C', lines: [{ sku: 'SKU-0003', quantity: 2 }] }).name,
      ).toBe('#T0002');
    } finally {
      await sb.close();
    }
  });
});
