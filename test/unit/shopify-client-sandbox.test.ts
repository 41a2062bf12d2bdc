import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  availableQuantity,
  customIdentifier,
  ensureCustomIdDefinition,
  inventorySetQuantities,
  listLocations,
  PRODUCT_SET_BULK,
  productByCustomId,
  productSet,
  ShopifyClient,
  ShopifyUserError,
  stageJsonl,
  startBulkMutation,
  startBulkQuery,
  streamBulkResults,
  waitForBulkOperation,
} from '../../connectors/shopify';
import { startShopifySandbox, type ShopifySandbox } from '../../sandbox/shopify';

const product = (pimId: number, title: string) => ({
  title,
  productOptions: [{ name: 'Size', values: [{ name: '1 L' }] }],
  variants: [{ sku: `SKU-${pimId}`, price: '3.25', optionValues: [{ optionName: 'Size', name: '1 L' }] }],
});

describe('Shopify client against the sandbox', () => {
  let sb: ShopifySandbox;
  let client: ShopifyClient;
  beforeAll(async () => {
    sb = await startShopifySandbox({ plan: 'plus', bulkRowsPerSecond: 5000 });
    client = new ShopifyClient({
      shop: `client-test-${Date.now()}.myshopify.com`,
      accessToken: sb.accessToken,
      adminUrl: sb.adminGraphqlUrl,
    });
    await ensureCustomIdDefinition(client);
    await ensureCustomIdDefinition(client); // idempotent
  });
  afterAll(() => sb.close());

  it('upserts by customId through retries, 5xx, THROTTLED and committed-but-dropped replies without duplicates', async () => {
    sb.setFaults({ http5xxRate: 0.2, throttledRate: 0.2, dropAfterCommitRate: 0.3, seed: 11 });
    for (let i = 1; i <= 10; i++) await productSet(client, product(i, `Product ${i}`), customIdentifier(i));
    for (let i = 1; i <= 10; i++) await productSet(client, product(i, `Product ${i} v2`), customIdentifier(i));
    sb.setFaults({});
    expect(sb.state.products.size).toBe(10);
    expect((await productByCustomId(client, 7))?.title).toBe('Product 7 v2');
    expect(client.stats.retries).toBeGreaterThan(0);
    const counters = sb.state.counters;
    expect(counters.dropped + counters.faults5xx + counters.throttled).toBeGreaterThan(0);
  });

  it('surfaces userErrors as a typed, non-retryable error with codes and field paths', async () => {
    await productSet(client, { ...product(100, 'Owner'), handle: 'unique-handle' }, customIdentifier(100));
    const err = await productSet(
      client,
      { ...product(101, 'Clash'), handle: 'unique-handle' },
      customIdentifier(101),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShopifyUserError);
    expect((err as ShopifyUserError).codes).toEqual(['HANDLE_NOT_UNIQUE']);
    expect((err as ShopifyUserError).userErrors[0]!.field).toEqual(['input', 'handle']);
    expect((err as ShopifyUserError).retryable).toBe(false);
  });

  it('sets inventory once per idempotency key even when replies are dropped, and compare-and-sets', async () => {
    const p = (await productByCustomId(client, 1))!;
    const [location] = await listLocations(client);
    const item = p.variants.nodes[0]!.inventoryItem.id;
    sb.setFaults({ dropAfterCommitRate: 0.5, seed: 3 });
    await inventorySetQuantities(
      client,
      [{ inventoryItemId: item, locationId: location!.id, quantity: 12, changeFromQuantity: 0 }],
      'inv-test-1',
    );
    sb.setFaults({});
    expect(await availableQuantity(client, item, location!.id)).toBe(12);
    const stale = await inventorySetQuantities(
      client,
      [{ inventoryItemId: item, locationId: location!.id, quantity: 5, changeFromQuantity: 0 }],
      'inv-test-2',
    ).catch((e: unknown) => e);
    expect((stale as ShopifyUserError).codes).toEqual(['CHANGE_FROM_QUANTITY_STALE']);
  });

  it('runs a bulk mutation end to end and streams the results by line number', async () => {
    const lines = Array.from({ length: 200 }, (_, i) =>
      JSON.stringify({ identifier: customIdentifier(1000 + i), input: product(1000 + i, `Bulk ${i}`) }),
    );
    const path = await stageJsonl(client, 'backfill.jsonl', new Blob([lines.join('\n')]));
    const op = await startBulkMutation(client, PRODUCT_SET_BULK, path);
    const done = await waitForBulkOperation(client, op.id, { intervalMs: 50 });
    expect(done.status).toBe('COMPLETED');
    const seen = new Set<number>();
    for await (const line of streamBulkResults<{
      __lineNumber: number;
      data: { productSet: { product: { id: string } } };
    }>(done.url!)) {
      expect(line.data.productSet.product.id).toMatch(/^gid:\/\/shopify\/Product\//);
      seen.add(line.__lineNumber);
    }
    expect(seen.size).toBe(200);
    expect(sb.state.products.size).toBe(211);
  });

  it('runs a bulk query and joins children by __parentId', async () => {
    const op = await startBulkQuery(
      client,
      '{ products { edges { node { id variants { edges { node { id sku } } } } } } }',
    );
    const done = await waitForBulkOperation(client, op.id, { intervalMs: 50 });
    let parents = 0;
    let children = 0;
    for await (const line of streamBulkResults<{ __parentId?: string }>(done.url!))
      line.__parentId ? children++ : parents++;
    expect(parents).toBe(211);
    expect(children).toBe(211);
  });
});
