import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  availableQuantity,
  customIdentifier,
  ensureCustomIdDefinition,
  inventorySetQuantities,
  listLocations,
  activateInventory,
  createWebhookSubscription,
  deleteWebhookSubscription,
  listWebhookSubscriptions,
  paginate,
  PRODUCT_SET_BULK,
  PRODUCTS_PAGE,
  productByCustomId,
  productByHandle,
  productSet,
  runBulkMutation,
  runBulkQuery,
  ShopifyClient,
  ShopifyGraphqlError,
  ShopifyUserError,
  stageJsonl,
  startBulkMutation,
  startBulkQuery,
  streamBulkResults,
  waitForBulkOperation,
} from '../../../connectors/shopify';
import { startShopifySandbox, type ShopifySandbox } from '../../../sandbox/shopify';

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

  it('reaches the sandbox through adminUrl alone, and a wrong token is a non-retryable error', async () => {
    expect((await listLocations(client)).length).toBeGreaterThan(0);
    const wrong = new ShopifyClient({
      shop: 'other.myshopify.com',
      accessToken: 'shpat_wrong',
      adminUrl: sb.adminGraphqlUrl,
    });
    const err = await listLocations(wrong).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShopifyGraphqlError);
    expect((err as ShopifyGraphqlError).status).toBe(401);
    expect((err as Error).message).not.toContain('shpat_wrong');
  });

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
    await activateInventory(client, item, location!.id, 0, 'inv-activate-1');
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

  it('pages through products by cursor, from the start and from a saved cursor', async () => {
    const pages: string[][] = [];
    for await (const page of paginate(client, PRODUCTS_PAGE, { first: 20 }, 'products'))
      pages.push(page.map((p) => (p as { id: string }).id));
    const ids = pages.flat();
    expect(pages.length).toBeGreaterThan(4);
    expect(new Set(ids).size).toBe(211);
    const first = await client.request(PRODUCTS_PAGE, { first: 20 });
    const rest: string[] = [];
    for await (const page of paginate(
      client,
      PRODUCTS_PAGE,
      { first: 20, after: first.products.pageInfo.endCursor },
      (d) => d.products,
    ))
      rest.push(...page.map((p) => p.id));
    expect(rest).toEqual(ids.slice(20));
  });

  it('recovers from THROTTLED replies and 5xx under load without errors or duplicates', async () => {
    sb.setFaults({ throttledRate: 0.3, http5xxRate: 0.1, seed: 5 });
    const before = sb.state.counters.throttled;
    const own = new ShopifyClient({
      shop: client.config.shop,
      accessToken: sb.accessToken,
      adminUrl: sb.adminGraphqlUrl,
    });
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        productSet(own, product(5000 + i, `Throttle ${i}`), customIdentifier(5000 + i)),
      ),
    );
    sb.setFaults({});
    expect(own.stats.throttled).toBeGreaterThan(0);
    expect(sb.state.counters.throttled - before).toBe(own.stats.throttled);
    expect((await productByHandle(client, (await productByCustomId(client, 5029))!.handle))?.title).toBe('Throttle 29');
    expect(sb.state.products.size).toBe(241);
  });

  it('end-to-end bulk helpers: a mutation from streamed lines, then a query', async () => {
    async function* lines() {
      for (let i = 0; i < 25; i++)
        yield { identifier: customIdentifier(7000 + i), input: product(7000 + i, `Streamed ${i}`) };
    }
    const results: { __lineNumber: number }[] = [];
    for await (const line of runBulkMutation<{ __lineNumber: number }>(client, PRODUCT_SET_BULK, lines(), {
      intervalMs: 50,
    }))
      results.push(line);
    expect(results.map((r) => r.__lineNumber).sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    let count = 0;
    for await (const _ of runBulkQuery(client, '{ products { edges { node { id } } } }', { intervalMs: 50 })) count++;
    expect(count).toBe(266);
  });

  it('manages webhook subscriptions: create, list, delete', async () => {
    const uri = 'https://hooks.example.com/webhooks/test';
    const created = await createWebhookSubscription(client, 'ORDERS_RISK_ASSESSMENT_CHANGED', uri);
    expect(created.topic).toBe('ORDERS_RISK_ASSESSMENT_CHANGED');
    expect((await listWebhookSubscriptions(client)).map((s) => s.id)).toContain(created.id);
    await deleteWebhookSubscription(client, created.id);
    expect((await listWebhookSubscriptions(client)).map((s) => s.id)).not.toContain(created.id);
  });

  it('creates a subscription idempotently: one for the same topic and address is adopted, not an error', async () => {
    const uri = 'https://hooks.example.com/webhooks/again';
    const first = await createWebhookSubscription(client, 'ORDERS_CREATE', uri);
    const second = await createWebhookSubscription(client, 'ORDERS_CREATE', uri);
    expect(second.id).toBe(first.id);
    expect((await listWebhookSubscriptions(client)).filter((s) => s.uri === uri)).toHaveLength(1);
  });

  // WebhookSubscriptionInput.uri: "Supports an HTTPS URL, a Google Pub/Sub URI (pubsub://{project-id}:{topic-id}) or
  // an Amazon EventBridge event source ARN." An http address is refused with a userError.
  it('accepts only https addresses, as Shopify does; http only on loopback and only with the dev flag', async () => {
    const refused = await createWebhookSubscription(client, 'ORDERS_UPDATED', 'http://hooks.example.com/x').catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(ShopifyUserError);
    expect((refused as ShopifyUserError).userErrors[0]).toMatchObject({
      field: ['webhookSubscription', 'uri'],
      message: expect.stringMatching(/protocol http:\/\/ is not supported/),
    });
    await expect(createWebhookSubscription(client, 'ORDERS_UPDATED', 'http://127.0.0.1:1/x')).rejects.toThrow(
      /not supported/,
    );
    const dev = await startShopifySandbox({ allowHttpLoopbackWebhooks: true });
    try {
      const devClient = new ShopifyClient({
        shop: dev.shop,
        accessToken: dev.accessToken,
        adminUrl: dev.adminGraphqlUrl,
      });
      expect((await createWebhookSubscription(devClient, 'ORDERS_UPDATED', 'http://127.0.0.1:1/x')).uri).toBe(
        'http://127.0.0.1:1/x',
      );
      await expect(
        createWebhookSubscription(devClient, 'ORDERS_UPDATED', 'http://hooks.example.com/x'),
      ).rejects.toThrow(/not supported/);
    } finally {
      await dev.close();
    }
  });

  it('runs a bulk query and joins children by __parentId', async () => {
    const op = await startBulkQuery(
      client,
      '{ products { edges { node { id variants { edges { node { id sku } } } } } } }',
    );
    const done = await waitForBulkOperation(client, op.id, { intervalMs: 50 });
    let parents = 0;
    let children = 0;
    for await (const line of streamBulkResults<{ __parentId?: string }>(done.url!)) {
      if (line.__parentId) children++;
      else parents++;
    }
    expect(parents).toBe(266);
    expect(children).toBe(266);
    let resumed = 0;
    for await (const _ of streamBulkResults(done.url!, { fromLine: 500 })) resumed++;
    expect(resumed).toBe(532 - 500); // a resumed reader skips the lines it already handled
  });
});
