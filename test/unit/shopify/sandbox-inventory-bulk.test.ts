import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShopifySandbox, type ShopifySandbox } from '../../../sandbox/shopify';
import { rawAdmin } from '../../support/sandbox-client';

const SET_QTY = `mutation Q($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { changes { name delta quantityAfterChange } }
    userErrors { field code message }
  }
}`;

describe('sandbox: inventory, bulk operations, webhooks', () => {
  let sb: ShopifySandbox;
  let gql: ReturnType<typeof rawAdmin>;
  let itemId: string;
  let locationId: string;
  beforeAll(async () => {
    sb = await startShopifySandbox({
      plan: 'plus',
      bulkRowsPerSecond: 2000,
      webhookRetryDelaysMs: [50, 50],
      allowHttpLoopbackWebhooks: true,
    });
    gql = rawAdmin(sb);
    const { json } = await gql(
      `mutation { productSet(synchronous: true, input: { title: "Rice", productOptions: [{ name: "Size", values: [{ name: "1 kg" }] }], variants: [{ sku: "RICE-1", price: "4.00", optionValues: [{ optionName: "Size", name: "1 kg" }] }] }) { product { variants(first: 1) { nodes { inventoryItem { id } } } } userErrors { code } } }`,
    );
    itemId = json.data.productSet.product.variants.nodes[0].inventoryItem.id;
    locationId = (await gql('{ locations(first: 5) { nodes { id name } } }')).json.data.locations.nodes[0].id;
    // Shopify: an item is stocked at a location by inventoryActivate before quantities can be set there.
    const activated = await gql(
      `mutation($i: ID!, $l: ID!) { inventoryActivate(inventoryItemId: $i, locationId: $l) @idempotent(key: "act-1") { inventoryLevel { id } userErrors { message } } }`,
      { i: itemId, l: locationId },
    );
    expect(activated.json.data.inventoryActivate.userErrors).toEqual([]);
  });
  afterAll(() => sb.close());

  const qty = (quantity: number, changeFromQuantity: number | null) => ({
    name: 'available',
    reason: 'correction',
    quantities: [{ inventoryItemId: itemId, locationId, quantity, changeFromQuantity }],
  });

  it('requires @idempotent on inventory mutations', async () => {
    const { json } = await gql(
      `mutation($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input) { userErrors { code } } }`,
      { input: qty(5, 0) },
    );
    expect(json.errors[0].message).toMatch(/@idempotent directive is required/);
  });

  it('applies a repeated idempotency key once and returns the first result', async () => {
    const first = await gql(SET_QTY, { input: qty(10, 0), key: 'k-1' });
    expect(first.json.data.inventorySetQuantities.inventoryAdjustmentGroup.changes[0]).toMatchObject({
      delta: 10,
      quantityAfterChange: 10,
    });
    const again = await gql(SET_QTY, { input: qty(10, 0), key: 'k-1' });
    expect(again.json.data).toEqual(first.json.data);
    const level = await gql(
      `query($i: ID!, $l: ID!) { inventoryItem(id: $i) { inventoryLevel(locationId: $l) { quantities(names: ["available"]) { quantity } } } }`,
      { i: itemId, l: locationId },
    );
    expect(level.json.data.inventoryItem.inventoryLevel.quantities[0].quantity).toBe(10);
    const mismatch = await gql(SET_QTY, { input: qty(11, 10), key: 'k-1' });
    expect(mismatch.json.data.inventorySetQuantities.userErrors[0].code).toBe('IDEMPOTENCY_KEY_PARAMETER_MISMATCH');
  });

  it('rejects a stale changeFromQuantity (compare-and-set) and applies nothing', async () => {
    const stale = await gql(SET_QTY, { input: qty(3, 7), key: 'k-2' });
    expect(stale.json.data.inventorySetQuantities.userErrors[0].code).toBe('CHANGE_FROM_QUANTITY_STALE');
    // "A previous request with this idempotency key failed. Retry with a new idempotency key."
    const reused = await gql(SET_QTY, { input: qty(3, 7), key: 'k-2' });
    expect(reused.json.data.inventorySetQuantities.userErrors[0].code).toBe('IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED');
    const fresh = await gql(SET_QTY, { input: qty(3, 10), key: 'k-3' });
    expect(fresh.json.data.inventorySetQuantities.userErrors).toEqual([]);
  });

  it('runs a bulk mutation from a staged upload, with __lineNumber results', async () => {
    const staged = await gql(
      `mutation { stagedUploadsCreate(input: [{ resource: BULK_MUTATION_VARIABLES, filename: "vars.jsonl", mimeType: "text/jsonl", httpMethod: POST }]) { stagedTargets { url parameters { name value } } userErrors { message } } }`,
    );
    const target = staged.json.data.stagedUploadsCreate.stagedTargets[0];
    const form = new FormData();
    for (const p of target.parameters) form.append(p.name, p.value);
    const lines = Array.from({ length: 30 }, (_, i) =>
      JSON.stringify({
        input: {
          title: `Bulk ${i}`,
          productOptions: [{ name: 'Size', values: [{ name: 'x' }] }],
          variants: [{ sku: `B-${i}`, price: '1.00', optionValues: [{ optionName: 'Size', name: 'x' }] }],
        },
      }),
    );
    form.append('file', new Blob([lines.join('\n')]), 'vars.jsonl');
    const upload = await fetch(target.url, { method: 'POST', body: form });
    expect(upload.status).toBe(201);
    const key = target.parameters.find((p: { name: string }) => p.name === 'key').value;
    const run = await gql(
      `mutation($m: String!, $p: String!) { bulkOperationRunMutation(mutation: $m, stagedUploadPath: $p) { bulkOperation { id status } userErrors { code message } } }`,
      {
        m: 'mutation call($input: ProductSetInput!) { productSet(input: $input) { product { id } userErrors { message } } }',
        p: key,
      },
    );
    const id = run.json.data.bulkOperationRunMutation.bulkOperation.id;
    let op;
    for (let i = 0; i < 100; i++) {
      op = (await gql(`query($id: ID!) { bulkOperation(id: $id) { status objectCount url } }`, { id })).json.data
        .bulkOperation;
      if (op.status === 'COMPLETED') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(op.status).toBe('COMPLETED');
    const results = (await (await fetch(op.url)).text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(results.map((r) => r.__lineNumber)).toEqual([...Array(30).keys()]);
    expect(results.every((r) => r.data.productSet.product.id)).toBe(true);
  });

  it('runs a bulk query with nested connections flattened by __parentId', async () => {
    const run = await gql(
      `mutation($q: String!) { bulkOperationRunQuery(groupObjects: false, query: $q) { bulkOperation { id } userErrors { message } } }`,
      { q: '{ products { edges { node { id title variants { edges { node { id sku } } } } } } }' },
    );
    const id = run.json.data.bulkOperationRunQuery.bulkOperation.id;
    let op;
    for (let i = 0; i < 100; i++) {
      op = (await gql(`query($id: ID!) { bulkOperation(id: $id) { status url } }`, { id })).json.data.bulkOperation;
      if (op.status === 'COMPLETED') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const lines = (await (await fetch(op.url)).text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const products = lines.filter((l) => !l.__parentId);
    const variants = lines.filter((l) => l.__parentId);
    expect(products.length).toBe(31);
    expect(variants.length).toBe(31);
    expect(new Set(variants.map((v) => v.__parentId))).toEqual(new Set(products.map((p) => p.id)));
  });

  it('allows at most five concurrent bulk mutations per shop', async () => {
    const key = 'tmp/bulk/limit.jsonl';
    sb.state.files.set(key, Buffer.from(Array.from({ length: 5000 }, () => '{"input":{"title":"L"}}').join('\n')));
    const start = () =>
      gql(
        `mutation($p: String!) { bulkOperationRunMutation(mutation: "mutation m($input: ProductSetInput!) { productSet(input: $input) { userErrors { message } } }", stagedUploadPath: $p) { bulkOperation { id } userErrors { code } } }`,
        { p: key },
      );
    const results = [];
    for (let i = 0; i < 6; i++) results.push((await start()).json.data.bulkOperationRunMutation);
    expect(results.slice(0, 5).every((r) => r.bulkOperation)).toBe(true);
    expect(results[5].userErrors[0].code).toBe('LIMIT_REACHED');
    for (const r of results.slice(0, 5))
      await gql(`mutation($id: ID!) { bulkOperationCancel(id: $id) { userErrors { message } } }`, {
        id: r.bulkOperation.id,
      });
  });

  it('delivers webhooks with a verifiable HMAC and Shopify headers, retrying failures', async () => {
    const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
    let failFirst = true;
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (failFirst) {
          failFirst = false;
          res.writeHead(500).end();
          return;
        }
        received.push({ headers: req.headers, body });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
    const sub = await gql(
      `mutation($u: String!) { webhookSubscriptionCreate(topic: ORDERS_CREATE, webhookSubscription: { uri: $u }) { webhookSubscription { id topic } userErrors { message } } }`,
      { u: uri },
    );
    expect(sub.json.data.webhookSubscriptionCreate.webhookSubscription.topic).toBe('ORDERS_CREATE');
    sb.storefront.placeOrder();
    await sb.webhooks.drain();
    server.close();
    expect(received).toHaveLength(1);
    const { headers, body } = received[0]!;
    expect(headers['x-shopify-topic']).toBe('orders/create');
    expect(headers['x-shopify-hmac-sha256']).toBe(createHmac('sha256', sb.webhookSecret).update(body).digest('base64'));
    for (const h of [
      'x-shopify-webhook-id',
      'x-shopify-event-id',
      'x-shopify-shop-domain',
      'x-shopify-api-version',
      'x-shopify-triggered-at',
    ])
      expect(headers[h]).toBeTruthy();
    expect(JSON.parse(body).line_items.length).toBeGreaterThan(0);
  });
});
