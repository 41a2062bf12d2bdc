import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INVENTORY_CHANNEL } from '../../../activities/inventory/inventory';
import { channelMappings, syncErrors } from '../../../db/pim/schema';
import { stock } from '../../../db/store/schema';
import { catalogBackfill } from '../../../workflows/catalog';
import { catalogFixture, type CatalogFixture } from '../../support/catalog/catalog-fixture';
import { temporalHarness, type TemporalHarness } from '../../support/temporal';

const N = 30;

interface Level {
  sku: string;
  inventoryItemId: string;
  on_hand: number;
}

// A mapping can name an inventory item the shop no longer knows (deleted in Shopify's admin, a shop that lost
// its products). inventoryActivate answers "The specified inventory item could not be found." as a userError:
// the backfill's stock pass records that product's problem and publishes everyone else's stock.
describe('stock pass with an inventory item the shop does not know', () => {
  let t: TemporalHarness;
  let f: CatalogFixture;
  beforeAll(async () => {
    t = await temporalHarness('inventory-unknown');
    f = await catalogFixture({ products: N, temporal: async () => t.client });
  });
  afterAll(async () => {
    await f?.close();
    await t?.close();
  });

  const backfill = (name: string) =>
    t.withWorkers(f.activities, () =>
      t.client.workflow.execute(catalogBackfill, {
        taskQueue: t.queue('shopify'),
        workflowId: `catalog-backfill/${name}-${t.queue('shopify')}`,
        args: [{ name, filter: {}, bulkThreshold: 10, chunkSize: 1000 }],
      }),
    );
  const levels = async () => (await (await fetch(`${f.sandbox.url}/_sandbox/inventory`)).json()) as Level[];

  it('records a sync_errors row for that product and publishes the stock of every other product', async () => {
    expect((await backfill('first')).phase).toBe('done');
    // Product 7's first variant now names an inventory item Shopify never issued, and every store's stock changes.
    const [mapping] = await f.pim.select().from(channelMappings).where(eq(channelMappings.pimProductId, 7));
    const variants = { ...mapping!.externalVariantIds! };
    const [sku] = Object.keys(variants);
    variants[sku!] = { ...variants[sku!]!, inventoryItemId: 'gid://shopify/InventoryItem/987654321' };
    await f.pim
      .update(channelMappings)
      .set({ externalVariantIds: variants })
      .where(and(eq(channelMappings.channel, 'shopify'), eq(channelMappings.pimProductId, 7)));
    const rows = await f.store.select().from(stock);
    for (const r of rows)
      await f.store
        .update(stock)
        .set({ onHand: r.onHand + 3 })
        .where(and(eq(stock.storeCode, r.storeCode), eq(stock.sku, r.sku)));
    await f.pickUp(); // the new counts enter the ledger, which the backfill publishes

    const result = await backfill('second');
    expect(result.phase).toBe('done');

    const [error] = await f.pim
      .select()
      .from(syncErrors)
      .where(and(eq(syncErrors.channel, INVENTORY_CHANNEL), eq(syncErrors.pimProductId, 7)));
    expect(error).toMatchObject({ code: 'INVENTORY_ITEM_UNKNOWN' });
    expect(error!.reason).toContain('gid://shopify/InventoryItem/987654321');
    expect(error!.resolvedAt).toBeNull();
    // Every other published level carries the new count (product 7's other variants included).
    const wanted = new Map(rows.map((r) => [r.sku, r]));
    const published = (await levels()).filter((l) => l.sku !== sku && wanted.has(l.sku));
    expect(published.length).toBeGreaterThan(N);
    const onHandBySkuSum = new Map<string, number>();
    for (const l of published) onHandBySkuSum.set(l.sku, (onHandBySkuSum.get(l.sku) ?? 0) + l.on_hand);
    for (const [s, total] of onHandBySkuSum) {
      const expected = rows.filter((r) => r.sku === s).reduce((n, r) => n + Math.max(0, r.onHand + 3), 0);
      expect(total, s).toBe(expected);
    }
  }, 240_000);
});
