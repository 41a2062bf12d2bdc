import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShopifySandbox, type ShopifySandbox } from '../../../sandbox/shopify';
import { activate, rawAdmin } from '../../support/sandbox-client';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('sandbox: queries, search syntax, async productSet, bulk validation and failures', () => {
  let sb: ShopifySandbox;
  let gql: ReturnType<typeof rawAdmin>;
  beforeAll(async () => {
    sb = await startShopifySandbox({ bulkRowsPerSecond: 200 });
    gql = rawAdmin(sb);
  });
  afterAll(() => sb.close());

  const waitForBulk = async (id: string) => {
    for (let i = 0; i < 200; i++) {
      const op = (
        await gql(
          `query($id: ID!) { bulkOperation(id: $id) { status errorCode objectCount rootObjectCount fileSize url partialDataUrl } }`,
          { id },
        )
      ).json.data.bulkOperation;
      if (!['CREATED', 'RUNNING', 'CANCELING'].includes(op.status)) return op;
      await sleep(25);
    }
    throw new Error('bulk operation did not finish');
  };

  it('filters orders by updated_at with strict and inclusive bounds, sorted and paged by cursor', async () => {
    const orders = sb.storefront.placeOrders({ count: 6, spreadDays: 0 });
    orders.forEach((o, i) => {
      o.updatedAt = new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString();
      o.processedAt = new Date(Date.UTC(2026, 0, 1, 0, 10 - i)).toISOString();
    });
    const pivot = orders[2]!.updatedAt;
    const page = (q: string, after?: string) =>
      gql(
        `query($q: String, $after: String) { orders(first: 2, after: $after, query: $q, sortKey: UPDATED_AT) { nodes { id updatedAt } pageInfo { hasNextPage endCursor } } }`,
        { q, after },
      );
    const strict = await page(`updated_at:>'${pivot}'`);
    expect(strict.json.data.orders.nodes.map((o: { id: string }) => o.id)).toEqual([orders[3]!.id, orders[4]!.id]);
    const next = await page(`updated_at:>'${pivot}'`, strict.json.data.orders.pageInfo.endCursor);
    expect(next.json.data.orders.nodes.map((o: { id: string }) => o.id)).toEqual([orders[5]!.id]);
    expect(next.json.data.orders.pageInfo.hasNextPage).toBe(false);
    const inclusive = await page(`updated_at:>='${pivot}'`);
    expect(inclusive.json.data.orders.nodes[0].id).toBe(orders[2]!.id);
    // Without sortKey Shopify sorts by PROCESSED_AT (the schema default).
    const byDefault = await gql(`{ orders(first: 1) { nodes { id } } }`);
    expect(byDefault.json.data.orders.nodes[0].id).toBe(orders[5]!.id);
  });

  it('lists customers with the non-deprecated email and phone fields', async () => {
    const { json } = await gql(
      `{ customers(first: 3, sortKey: CREATED_AT) { nodes { id displayName numberOfOrders defaultEmailAddress { emailAddress } defaultPhoneNumber { phoneNumber } } } }`,
    );
    const c = json.data.customers.nodes[0];
    expect(c.defaultEmailAddress.emailAddress).toMatch(/@example\.com$/);
    expect(c.defaultPhoneNumber.phoneNumber).toMatch(/^\+1246/);
    expect(c.numberOfOrders).toBe('1'); // UnsignedInt64 is a string on the wire
  });

  it('answers productSet(synchronous: false) with the operation, and finds variants and archived products', async () => {
    const { json } = await gql(
      `mutation { productSet(synchronous: false, input: { title: "Oats", productOptions: [{ name: "Size", values: [{ name: "1 kg" }] }], variants: [{ sku: "OATS-1", price: "3.50", optionValues: [{ optionName: "Size", name: "1 kg" }] }] }) { product { id } productSetOperation { id status product { id variants(first: 1) { nodes { id } } } } userErrors { code } } }`,
    );
    const op = json.data.productSet.productSetOperation;
    expect(json.data.productSet.product).toBeNull();
    expect(op.status).toBe('COMPLETE');
    const variantId = op.product.variants.nodes[0].id;
    const variant = await gql(`query($id: ID!) { productVariant(id: $id) { sku product { id } } }`, { id: variantId });
    expect(variant.json.data.productVariant).toEqual({ sku: 'OATS-1', product: { id: op.product.id } });
    const archived = await gql(
      `mutation($id: ID!) { productUpdate(product: { id: $id, status: ARCHIVED }) { product { status } userErrors { field message } } }`,
      { id: op.product.id },
    );
    expect(archived.json.data.productUpdate.product.status).toBe('ARCHIVED');
    const list = await gql(`{ products(first: 5, query: "status:archived AND sku:OATS-1") { nodes { id } } }`);
    expect(list.json.data.products.nodes).toEqual([{ id: op.product.id }]);
    const missing = await gql(
      `mutation { productUpdate(product: { id: "gid://shopify/Product/999999", title: "x" }) { product { id } userErrors { field message } } }`,
    );
    expect(missing.json.data.productUpdate.userErrors).toEqual([{ field: ['id'], message: 'Product does not exist' }]);
  });

  it('requires changeFromQuantity on every quantity (2026-04): omitted is an error, null opts out', async () => {
    const item = [...sb.state.inventoryItems.values()][0]!;
    const locationId = [...sb.state.locations.keys()][0]!;
    await activate(gql, item.id, locationId);
    const set = (quantity: Record<string, unknown>, key: string) =>
      gql(
        `mutation($q: [InventoryQuantityInput!]!, $k: String!) { inventorySetQuantities(input: { name: "available", reason: "correction", quantities: $q }) @idempotent(key: $k) { inventoryAdjustmentGroup { id } userErrors { field code } } }`,
        { q: [{ inventoryItemId: item.id, locationId, ...quantity }], k: key },
      );
    const omitted = await set({ quantity: 3 }, 'cfq-1');
    expect(omitted.json.data.inventorySetQuantities.userErrors[0].field).toEqual([
      'input',
      'quantities',
      '0',
      'changeFromQuantity',
    ]);
    const optedOut = await set({ quantity: 3, changeFromQuantity: null }, 'cfq-2');
    expect(optedOut.json.data.inventorySetQuantities.userErrors).toEqual([]);
    const tooHigh = await set({ quantity: 2_000_000_000, changeFromQuantity: 3 }, 'cfq-3');
    expect(tooHigh.json.data.inventorySetQuantities.userErrors[0].code).toBe('INVALID_QUANTITY_TOO_HIGH');
  });

  it('rejects bulk queries Shopify would reject, before creating an operation', async () => {
    const run = (q: string) =>
      gql(
        `mutation($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id } userErrors { field code message } } }`,
        { q },
      );
    const noConnection = await run('{ shop { name } }');
    expect(noConnection.json.data.bulkOperationRunQuery.userErrors[0]).toMatchObject({
      field: ['query'],
      code: 'INVALID',
    });
    const noParentId = await run('{ products { edges { node { title variants { edges { node { sku } } } } } } }');
    expect(noParentId.json.data.bulkOperationRunQuery.userErrors[0].message).toMatch(/must select the 'id' field/);
    const invalid = await run('{ products { edges { node { nope } } } }');
    expect(invalid.json.data.bulkOperationRunQuery.bulkOperation).toBeNull();
  });

  it('counts root objects apart from nested ones and lists operations with bulkOperations(query:)', async () => {
    const run = await gql(
      `mutation { bulkOperationRunQuery(query: "{ products { edges { node { id variants { edges { node { id } } } } } } }") { bulkOperation { id status } } }`,
    );
    const op = await waitForBulk(run.json.data.bulkOperationRunQuery.bulkOperation.id);
    expect(op.status).toBe('COMPLETED');
    const products = sb.state.products.size;
    const variants = [...sb.state.products.values()].reduce((n, p) => n + p.variants.length, 0);
    expect(op.rootObjectCount).toBe(String(products));
    expect(op.objectCount).toBe(String(products + variants));
    expect(Number(op.fileSize)).toBeGreaterThan(0);
    const listed = await gql(
      `{ bulkOperations(first: 10, query: "status:completed operation_type:query") { nodes { id } } }`,
    );
    expect(listed.json.data.bulkOperations.nodes.map((n: { id: string }) => n.id)).toContain(
      run.json.data.bulkOperationRunQuery.bulkOperation.id,
    );
  });

  it('fails a bulk mutation midway on demand, keeping the lines done so far at partialDataUrl', async () => {
    sb.state.files.set(
      'tmp/fail.jsonl',
      Buffer.from(Array.from({ length: 20 }, (_, i) => JSON.stringify({ input: { title: `Fail ${i}` } })).join('\n')),
    );
    sb.setFaults({ bulkFailAfterObjects: 7 });
    const run = await gql(
      `mutation { bulkOperationRunMutation(mutation: "mutation m($input: ProductSetInput!) { productSet(input: $input) { product { id } } }", stagedUploadPath: "tmp/fail.jsonl") { bulkOperation { id } userErrors { code } } }`,
    );
    sb.setFaults({});
    const op = await waitForBulk(run.json.data.bulkOperationRunMutation.bulkOperation.id);
    expect(op).toMatchObject({ status: 'FAILED', errorCode: 'INTERNAL_SERVER_ERROR', url: null, objectCount: '7' });
    const lines = (await (await fetch(op.partialDataUrl)).text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.__lineNumber)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('rejects a bulk mutation that does not validate, with INVALID_MUTATION', async () => {
    sb.state.files.set('tmp/one.jsonl', Buffer.from('{"input":{"title":"x"}}'));
    const { json } = await gql(
      `mutation { bulkOperationRunMutation(mutation: "mutation { productSet(input: $input) { nope } }", stagedUploadPath: "tmp/one.jsonl") { bulkOperation { id } userErrors { field code } } }`,
    );
    expect(json.data.bulkOperationRunMutation.userErrors[0]).toEqual({ field: ['mutation'], code: 'INVALID_MUTATION' });
  });
});
