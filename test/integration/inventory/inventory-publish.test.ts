import { and, eq, isNull, sql } from 'drizzle-orm';
import type { RowDataPacket } from 'mysql2/promise';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signalProductChanged } from '../../../activities/platform/outbox';
import { INVENTORY_CHANNEL } from '../../../activities/inventory/inventory';
import { inventorySetQuantities, ShopifyUserError } from '../../../connectors/shopify';
import { createPool } from '../../../db/client';
import { channelMappings, locationMappings, syncErrors, variants } from '../../../db/pim/schema';
import { posSales, stock, stores } from '../../../db/store/schema';
import { catalogBackfill } from '../../../workflows/catalog';
import { catalogFixture, type CatalogFixture } from '../../support/catalog/catalog-fixture';
import { temporalHarness, type TemporalHarness } from '../../support/temporal';

// Workflow ids are product-publish/<pimId> on the one Temporal server every test file shares: publish ids
// no other file publishes (product-publish.test.ts uses 1–25).
const N = 41;
const FIRST_ID = 30;

interface Level {
  sku: string;
  location: string;
  locationId: string;
  inventoryItemId: string;
  available: number;
  on_hand: number;
  committed?: number;
}

// Issue 11 items 5 and 6: stock reaches Shopify on a stack without test-made mappings, committed units are not
// counted twice, and an inventory idempotency key identifies one operation.
describe('inventory publish (ledger stock → Shopify levels)', () => {
  let t: TemporalHarness;
  let f: CatalogFixture;
  let inventory: ReturnType<typeof createPool>;
  const ids = Array.from({ length: N - FIRST_ID + 1 }, (_, i) => FIRST_ID + i);
  beforeAll(async () => {
    t = await temporalHarness('inventory');
    f = await catalogFixture({ products: N, temporal: async () => t.client });
    inventory = createPool(f.urls.inventory);
    // As on the `npm start` stack: nothing but the pipeline itself creates location mappings.
    await f.pim.delete(locationMappings);
  });
  afterAll(async () => {
    await inventory?.end();
    await f?.close();
    await t?.close();
  });

  const publish = (pimIds: number[], force = false) =>
    t.withWorkers(f.activities, async () => {
      for (const id of pimIds) await signalProductChanged(t.client, t.queue('shopify'), id, force);
      return Promise.all(pimIds.map((id) => t.client.workflow.getHandle(`product-publish/${id}`).result()));
    });
  const levels = async () => (await (await fetch(`${f.sandbox.url}/_sandbox/inventory`)).json()) as Level[];
  const pimIdOfSku = async (sku: string) =>
    (await f.pim.select().from(channelMappings)).find((m) => sku in (m.externalVariantIds ?? {}))!.pimProductId;
  /** The ledger's on_hand per sku@location of the published SKUs: what publication offers (nothing is reserved). */
  const ledgerStock = async () => {
    const published = new Set(
      (await f.pim.select().from(channelMappings)).flatMap((m) => Object.keys(m.externalVariantIds ?? {})),
    );
    const [rows] = await inventory.query<RowDataPacket[]>('SELECT sku, location, on_hand FROM stock_levels');
    return new Map(
      rows.filter((r) => published.has(r.sku)).map((r) => [`${r.sku}@${r.location}`, r.on_hand as number]),
    );
  };

  it('first publication offers the ledger stock, not the store DB count (a POS sale after the last count)', async () => {
    const skus = (await f.pim.select().from(variants).where(eq(variants.productId, FIRST_ID))).map((v) => v.sku);
    const row = (await f.store.select().from(stock).where(eq(stock.storeCode, 'C'))).find(
      (r) => skus.includes(r.sku) && r.onHand >= 5,
    )!;
    const [top] = await f.store.select({ id: sql<number>`max(${posSales.id})` }).from(posSales);
    // Sold in the store after its last count: the store DB's stock row still says the count, the ledger doesn't.
    await f.store.insert(posSales).values({
      id: Number(top!.id) + 1,
      storeCode: 'C',
      sku: row.sku,
      quantity: 4,
      amount: '8.00',
      soldAt: new Date(),
    });
    await f.pickUp();
    await publish([FIRST_ID]);
    const level = (await levels()).find((l) => l.sku === row.sku && l.location === 'C')!;
    expect(level.on_hand).toBe(row.onHand - 4);
    expect((await ledgerStock()).get(`${row.sku}@C`)).toBe(row.onHand - 4);
  }, 120_000);

  it('publishes every ledger level, matching locations itself (no fixture-made mappings)', async () => {
    await publish(ids);
    const expected = await ledgerStock();
    const got = await levels();
    const published = got.filter((l) => expected.has(`${l.sku}@${l.location}`));
    expect(published.length).toBe(expected.size); // every stock row has a level in Shopify
    for (const l of published) expect(l.on_hand).toBe(Math.max(0, expected.get(`${l.sku}@${l.location}`)!));
    expect((await f.pim.select().from(locationMappings)).map((m) => m.storeCode).sort()).toEqual(
      ['C', 'EMERALD', 'OISTINS', 'SUNSET'].sort(),
    );
  }, 120_000);

  it('reports a store with stock that no Shopify location matches, instead of reporting it synced silently', async () => {
    const row = { sku: [...(await ledgerStock()).keys()][0]!.split('@')[0]! };
    await f.store.insert(stores).values({ code: 'ZZ', name: 'Nowhere', shopifyLocationName: 'Nowhere' });
    await f.store.insert(stock).values({ sku: row.sku, storeCode: 'ZZ', onHand: 7 });
    await f.pickUp();
    const pimId = await pimIdOfSku(row.sku);
    const [state] = await publish([pimId], true);
    expect(state.inventory?.unmappedStores).toEqual(['ZZ']);
    const open = await f.pim
      .select()
      .from(syncErrors)
      .where(and(eq(syncErrors.channel, INVENTORY_CHANNEL), isNull(syncErrors.resolvedAt)));
    expect(open.map((e) => [e.pimProductId, e.code])).toEqual([[pimId, 'LOCATION_UNMAPPED']]);
    expect(open[0]!.reason).toContain('ZZ');
  }, 120_000);

  it('never counts units committed to unfulfilled orders twice: available = on_hand − committed', async () => {
    f.sandbox.storefront.placeOrders({ count: 30, seed: 3, refundRate: 0, malformedRate: 0, highRiskRate: 0 });
    const committed = (await levels()).filter((l) => (l.committed ?? 0) > 0);
    expect(committed.length).toBeGreaterThan(0);
    await publish(ids, true); // the next stock push (the store's counts have not changed)
    const expected = await ledgerStock();
    for (const l of (await levels()).filter((x) => expected.has(`${x.sku}@${x.location}`))) {
      expect(l.on_hand).toBe(Math.max(0, expected.get(`${l.sku}@${l.location}`)!));
      expect(l.available).toBe(l.on_hand - (l.committed ?? 0));
    }
  }, 120_000);

  it('a bulk backfill (what npm start runs) publishes the stock of the whole population, not only the content', async () => {
    const result = await t.withWorkers(f.activities, () =>
      t.client.workflow.execute(catalogBackfill, {
        taskQueue: t.queue('shopify'),
        workflowId: `catalog-backfill/inventory-${Date.now()}`,
        args: [{ name: 'all', filter: {}, bulkThreshold: 10, chunkSize: 20 }],
      }),
    );
    expect(result).toMatchObject({ phase: 'done', total: N, failed: 0 });
    expect(result.stockCursor).toBe(N);
    const expected = await ledgerStock(); // every product is mapped now
    const got = (await levels()).filter((l) => expected.has(`${l.sku}@${l.location}`));
    expect(got.length).toBe([...expected.keys()].filter((k) => !k.endsWith('@ZZ')).length);
    for (const l of got) expect(l.on_hand).toBe(Math.max(0, expected.get(`${l.sku}@${l.location}`)!));
  }, 180_000);

  // The stock of a product's publication is the stock pusher's own push: the pushed version and signature are
  // recorded (so the pusher does not read and write the SKU again), and its levels are read in batches (aliased
  // inventoryItem reads of 50 items), not one request per level. Before: sku_sync had no pushed rows for these
  // SKUs, and the stock of a page cost a levels request per SKU × location.
  it("publication is the pusher's push: pushed versions recorded, levels read in batches", async () => {
    const stats = async () =>
      ((await (await fetch(`${f.sandbox.url}/_sandbox/stats`)).json()) as { requests: number }).requests;
    const before = await stats();
    const page = f.activities.shopify.publishInventoryPage as (
      filter: object,
      afterId: number,
      limit: number,
      op: string,
    ) => Promise<{ processed: number }>;
    const done = (await new MockActivityEnvironment().run(page, {}, 0, N, `page-${Date.now()}`)) as {
      processed: number;
    };
    expect(done.processed).toBe(N);
    const requests = (await stats()) - before;
    const expected = await ledgerStock();
    const skus = new Set([...expected.keys()].map((k) => k.split('@')[0]!));
    expect(skus.size).toBeGreaterThan(100);
    // One levels read per 50 SKUs and one write per 250 quantities, with room for a stale read's re-read.
    expect(requests).toBeLessThanOrEqual(Math.ceil(skus.size / 50) + Math.ceil(expected.size / 250) + 4);
    const [rows] = await inventory.query<RowDataPacket[]>(
      'SELECT sku, ledger_version, pushed_version, pushed_signature FROM sku_sync WHERE sku IN (?)',
      [[...skus]],
    );
    expect(rows.length).toBe(skus.size);
    for (const r of rows) {
      expect(Number(r.pushed_version)).toBe(Number(r.ledger_version));
      expect(r.pushed_signature).not.toBeNull();
    }
  }, 120_000);

  it('applies the same correction again on another day (a new operation id, not a replay)', async () => {
    const [level] = (await levels()).filter((l) => l.location === 'C' && l.on_hand > 0);
    const pimId = await pimIdOfSku(level!.sku);
    const drift = async () => {
      // Someone recounts in Shopify's admin: the level drifts from the store's count by +5.
      const now = (await levels()).find((l) => l.inventoryItemId === level!.inventoryItemId && l.location === 'C')!;
      await inventorySetQuantities(
        f.shopify,
        {
          name: 'on_hand',
          reason: 'correction',
          quantities: [{ ...pick(now), quantity: level!.on_hand + 5, changeFromQuantity: now.on_hand }],
        },
        `admin-${Math.random()}`,
      );
    };
    const current = async () =>
      (await levels()).find((l) => l.inventoryItemId === level!.inventoryItemId && l.location === 'C')!.on_hand;
    await drift();
    await publish([pimId], true);
    expect(await current()).toBe(level!.on_hand);
    await drift(); // the same drift the next day: the same correction is due again
    const [state] = await publish([pimId], true);
    expect(await current()).toBe(level!.on_hand);
    expect(state.inventory?.changed).toBe(1);
  }, 120_000);
});

const pick = (l: Level) => ({ inventoryItemId: l.inventoryItemId, locationId: l.locationId });

// The sandbox's @idempotent follows Shopify's InventorySetQuantitiesUserErrorCode descriptions:
// IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED "A previous request with this idempotency key failed. Retry with a new
// idempotency key."; IDEMPOTENCY_KEY_PARAMETER_MISMATCH "The same idempotency key cannot be used with different
// operation parameters."
describe('sandbox @idempotent for inventory mutations', () => {
  let f: CatalogFixture;
  let t: TemporalHarness;
  beforeAll(async () => {
    t = await temporalHarness('inventory-keys');
    f = await catalogFixture({ products: 1, temporal: async () => t.client });
  });
  afterAll(async () => {
    await f?.close();
    await t?.close();
  });

  it('rejects a key whose first attempt failed, and forgets keys after the retention window', async () => {
    const item = [...f.sandbox.state.inventoryItems.values()][0];
    const locationId = [...f.sandbox.state.locations.keys()][0]!;
    // No product published yet in this shop: create one stocked item through the sandbox's own products.
    expect(item).toBeUndefined();
    const shopItem = { id: 'gid://shopify/InventoryItem/1', variantId: 'v', sku: 'X', tracked: true, weight: null };
    f.sandbox.state.inventoryItems.set(shopItem.id, {
      ...shopItem,
      levels: new Map([
        [
          locationId,
          new Map([
            ['on_hand', 4],
            ['available', 4],
          ]),
        ],
      ]),
    });
    const input = (from: number, q = 9) => ({
      name: 'on_hand' as const,
      reason: 'correction',
      quantities: [{ inventoryItemId: shopItem.id, locationId, quantity: q, changeFromQuantity: from }],
    });
    const stale = await inventorySetQuantities(f.shopify, input(3), 'k-1').catch((e: unknown) => e);
    expect((stale as ShopifyUserError).codes).toEqual(['CHANGE_FROM_QUANTITY_STALE']);
    const again = await inventorySetQuantities(f.shopify, input(3), 'k-1').catch((e: unknown) => e);
    expect((again as ShopifyUserError).codes).toEqual(['IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED']);
    const other = await inventorySetQuantities(f.shopify, input(4), 'k-1').catch((e: unknown) => e);
    expect((other as ShopifyUserError).codes).toEqual(['IDEMPOTENCY_KEY_PARAMETER_MISMATCH']);
    await inventorySetQuantities(f.shopify, input(4), 'k-2');
    await inventorySetQuantities(f.shopify, input(4), 'k-2'); // a retry: replayed, not applied twice
    expect(f.sandbox.state.inventoryItems.get(shopItem.id)!.levels.get(locationId)!.get('on_hand')).toBe(9);
    f.sandbox.state.idempotencyRetentionMs = 0;
    await new Promise((r) => setTimeout(r, 5));
    await inventorySetQuantities(f.shopify, input(9, 2), 'k-1'); // past the window the key is new again
    expect(f.sandbox.state.inventoryItems.get(shopItem.id)!.levels.get(locationId)!.get('on_hand')).toBe(2);
  });

  it('refuses quantities at a location where the item is not stocked until inventoryActivate', async () => {
    const item = [...f.sandbox.state.inventoryItems.values()][0]!;
    const unstocked = [...f.sandbox.state.locations.keys()][1]!;
    const err = await inventorySetQuantities(
      f.shopify,
      [{ inventoryItemId: item.id, locationId: unstocked, quantity: 3, changeFromQuantity: null }],
      'k-unstocked',
    ).catch((e: unknown) => e);
    expect((err as ShopifyUserError).message).toContain('not stocked at the location');
  });
});
