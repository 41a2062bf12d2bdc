import { eq, inArray, isNull, sql } from 'drizzle-orm';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customIdentifier, productSet } from '../../../connectors/shopify';
import { channelMappings, storeAttributes, syncErrors, variants } from '../../../db/pim/schema';
import { toProductSetInput } from '../../../domain/catalog/shopify-product';
import { loadProducts } from '../../../activities/catalog/pim-reads';
import { saveProduct } from '../../../db/pim/catalog-writes';
import { stock } from '../../../db/store/schema';
import { catalogBackfill } from '../../../workflows/catalog';
import { catalogFixture, type CatalogFixture } from '../../support/catalog/catalog-fixture';
import { temporalHarness, type TemporalHarness } from '../../support/temporal';

const N = 40;

describe('seeded catalogue on a shop as strict as Shopify: metafield keys and variant identity', () => {
  let t: TemporalHarness;
  let f: CatalogFixture;
  beforeAll(async () => {
    t = await temporalHarness('identity');
    // The default seed: stores EMERALD, C, SUNSET and OISTINS, about half the products with store-C attributes.
    f = await catalogFixture({ products: N, temporal: async () => t.client });
  });
  afterAll(async () => {
    await f?.close();
    await t?.close();
  });

  const inShopify = (id: number) =>
    [...f.sandbox.state.products.values()].find((p) =>
      p.metafields.some((m) => m.key === 'pim_id' && m.value === String(id)),
    )!;
  // A product without store-C attributes, so these tests stand on their own whatever the key of store C.
  const withoutC = async (nth: number) => {
    const attrs = await f.pim.select().from(storeAttributes);
    const c = new Set(attrs.filter((a) => a.storeCode === 'C').map((a) => a.productId));
    return Array.from({ length: N }, (_, i) => i + 1).filter((id) => !c.has(id))[nth]!;
  };
  const push = (id: number, opts: { force?: boolean } = {}) =>
    (f.activities.shopify.pushProduct as (id: number, o: object) => Promise<{ status: string; problems?: unknown }>)(
      id,
      opts,
    );

  it('publishes the seeded catalogue, store-C attributes included, without a single Invalid', async () => {
    const withC = await f.pim.select().from(storeAttributes).where(eq(storeAttributes.storeCode, 'C'));
    expect(new Set(withC.map((a) => a.productId)).size).toBeGreaterThan(N / 4);
    // Bulk for the first 30 (as `npm start` publishes the demo), product by product for the rest.
    const result = await t.withWorkers(f.activities, () =>
      t.client.workflow.execute(catalogBackfill, {
        taskQueue: t.queue('shopify'),
        workflowId: `catalog-backfill/identity-seeded`,
        args: [{ name: 'seeded', filter: {}, bulkThreshold: 10, chunkSize: 30 }],
      }),
    );
    expect(result).toMatchObject({ phase: 'done', synced: N, failed: 0 });
    expect(await f.pim.select().from(syncErrors)).toEqual([]);
    const cProduct = inShopify(withC[0]!.productId);
    expect(cProduct.metafields.find((m) => m.key === 'store_c')?.namespace).toBe('store_attributes');
  }, 120_000);

  it('replaces metafields published under the old bare store-code key, so none is left stale', async () => {
    // What the earlier code published for a product without store-C attributes: keys like `emerald`.
    const attrs = await f.pim.select().from(storeAttributes);
    const id = attrs.find(
      (a) => a.storeCode === 'EMERALD' && !attrs.some((b) => b.productId === a.productId && b.storeCode === 'C'),
    )!.productId;
    const old = toProductSetInput((await loadProducts(f.pim, [id])).get(id)!) as {
      metafields: { namespace: string; key: string; type: string; value: string }[];
    };
    old.metafields = old.metafields.map((m) =>
      m.namespace === 'store_attributes' ? { ...m, key: m.key.replace(/^store_/, '') } : m,
    );
    await productSet(f.shopify, old, customIdentifier(id));
    expect(inShopify(id).metafields.some((m) => m.key === 'emerald')).toBe(true);

    expect((await push(id, { force: true })).status).toBe('Synced');
    const keys = inShopify(id)
      .metafields.filter((m) => m.namespace === 'store_attributes')
      .map((m) => m.key);
    expect(keys).toContain('store_emerald');
    expect(keys.every((k) => k.startsWith('store_'))).toBe(true);
  });

  it('a content change keeps every variant and inventory item (and its stock), as the mapping names them', async () => {
    const id = await withoutC(0);
    expect((await push(id, { force: true })).status).toBe('Synced');
    const before = inShopify(id);
    const ids = before.variants.map((v) => [v.sku, v.id, v.inventoryItemId]);
    const item = f.sandbox.state.inventoryItems.get(before.variants[0]!.inventoryItemId)!;
    const location = [...f.sandbox.state.locations.values()][0]!;
    item.levels.set(location.id, new Map([['available', 17]]));

    const [v] = await f.pim.select().from(variants).where(eq(variants.productId, id));
    await f.pim.update(variants).set({ price: '12.34' }).where(eq(variants.sku, v!.sku));
    expect((await push(id)).status).toBe('Synced');

    const after = inShopify(id);
    expect(after.variants.find((x) => x.sku === v!.sku)!.price).toBe('12.34');
    expect(after.variants.map((x) => [x.sku, x.id, x.inventoryItemId])).toEqual(ids);
    expect(f.sandbox.state.inventoryItems.get(ids[0]![2]!)?.levels.get(location.id)?.get('available')).toBe(17);
  });

  it('a product Shopify lost is published again although the mapping still names its old variants', async () => {
    const id = await withoutC(1);
    expect((await push(id, { force: true })).status).toBe('Synced');
    const gone = inShopify(id);
    f.sandbox.state.products.delete(gone.id);
    f.sandbox.state.index(
      { ...gone, handle: `deleted-${gone.id}`, metafields: [], variants: [] },
      { handle: gone.handle, metafields: gone.metafields },
    );
    expect((await push(id, { force: true })).status).toBe('Synced');
    const again = inShopify(id);
    expect(again.id).not.toBe(gone.id);
    const [mapping] = await f.pim.select().from(channelMappings).where(eq(channelMappings.pimProductId, id));
    expect(Object.values(mapping!.externalVariantIds!).map((x) => x.variantId)).toEqual(
      again.variants.map((x) => x.id),
    );
    const open = await f.pim.select().from(syncErrors).where(isNull(syncErrors.resolvedAt));
    expect(open).toEqual([]);
  });

  it('a bulk backfill of changed content keeps every variant id and inventory item', async () => {
    const ids = () =>
      [...f.sandbox.state.products.values()]
        .flatMap((p) => p.variants.map((v) => `${v.sku}=${v.id}/${v.inventoryItemId}`))
        .sort();
    const before = ids();
    await f.pim.update(variants).set({ price: sql`${variants.price} + 1` });
    const result = await t.withWorkers(f.activities, () =>
      t.client.workflow.execute(catalogBackfill, {
        taskQueue: t.queue('shopify'),
        workflowId: `catalog-backfill/identity-reprice`,
        args: [{ name: 'reprice', filter: {}, bulkThreshold: 10, chunkSize: 100 }],
      }),
    );
    expect(result).toMatchObject({ phase: 'done', synced: N, failed: 0 });
    expect(ids()).toEqual(before);
  }, 120_000);

  it('every variant of a product with dozens (a seeded one) or hundreds of variants keeps its mapping and stock', async () => {
    const wide = 7; // seeded with every size in 14 varieties
    await saveProduct(f.pim, {
      id: 1000,
      handle: 'spice-rack-1000',
      title: 'Spice rack',
      options: ['Blend'],
      variants: Array.from({ length: 300 }, (_, i) => ({
        id: 50_000_000 + i,
        sku: `SPICE-${i}`,
        optionValues: [`Blend ${i}`],
        price: '2.50',
      })),
    });
    await f.store.insert(stock).values({ storeCode: 'C', sku: 'SPICE-299', onHand: 23 });
    await f.pickUp(); // publication offers the ledger's stock: the store's count enters it first
    for (const id of [wide, 1000]) {
      const pimSkus = (await f.pim.select().from(variants).where(eq(variants.productId, id))).map((v) => v.sku);
      expect(pimSkus.length).toBeGreaterThan(20);
      expect((await push(id, { force: true })).status).toBe('Synced');
      const [mapping] = await f.pim.select().from(channelMappings).where(eq(channelMappings.pimProductId, id));
      expect(Object.keys(mapping!.externalVariantIds!).sort()).toEqual([...pimSkus].sort());
      // Run as an activity (it heartbeats): the SDK's activity environment, no worker needed.
      const publishInventory = f.activities.shopify.publishInventory as (id: number, op: string) => Promise<unknown>;
      await new MockActivityEnvironment().run(publishInventory, id, `identity-test/${id}`);
      // A stocked variant beyond the first ten (the old snapshot's page): its stock reached Shopify.
      const late = new Set(pimSkus.slice(10));
      const row = (await f.store.select().from(stock).where(inArray(stock.sku, pimSkus))).find(
        (r) => late.has(r.sku) && r.onHand > 0,
      )!;
      const url = `${f.sandbox.url}/_sandbox/inventory?sku=${encodeURIComponent(row.sku)}`;
      const levels = (await (await fetch(url)).json()) as { location: string; available?: number; on_hand?: number }[];
      const level = levels.find((l) => l.location === row.storeCode);
      expect([level?.available, level?.on_hand]).toContain(row.onHand);
    }
  }, 120_000);
});
