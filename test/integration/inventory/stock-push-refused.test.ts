import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INVENTORY_CHANNEL } from '../../../activities/inventory/inventory';
import { inventorySync } from '../../../workflows/inventory/inventory-sync';
import { temporalHarness, type TemporalHarness } from '../../support/temporal';
import { stockFixture, type StockFixture } from '../../support/inventory/stock-fixture';

// Workflow ids product-publish/<pimId> are shared by every test file on the Temporal server: products 281–284
// are published by no other file.
const IDS = [281, 282, 283, 284];

// A location mapping can name a location the shop no longer has (a shop whose locations were re-created; the
// first npm start after a sandbox restart handed out new ids), and a variant mapping an inventory item the shop
// no longer knows. inventoryActivate answers both with a userError ("The specified location could not be found.",
// "The specified inventory item could not be found."). Before: pushSkuStock threw it as non-retryable and the
// inventory-sync/<sku> workflow failed; now the mappings are matched again, and what still can't be stocked is
// recorded in sync_errors while every other location is pushed.
describe('stock push refused by Shopify (stale location or inventory item)', () => {
  let t: TemporalHarness;
  let s: StockFixture;
  let skus: string[];

  beforeAll(async () => {
    t = await temporalHarness('stock-push-refused');
    s = await stockFixture(t, 284);
    await s.publish(IDS);
    skus = await s.publishedSkus();
  }, 300_000);
  afterAll(async () => {
    await s?.close();
    await t?.close();
  });

  const at = () => new Date().toISOString();
  const count = (sku: string, location: string, quantity: number, tag: string) =>
    s.ledger.applyMovements(
      [{ key: `count/${tag}/${sku}/${location}`, kind: 'count', sku, location, quantity, occurredAt: at() }],
      {
        source: 'test',
      },
    );
  const push = (sku: string, tag: string) =>
    t.withWorkers(s.activities, () =>
      t.client.workflow.execute(inventorySync, {
        taskQueue: t.queue('shopify'),
        workflowId: `inventory-sync/${sku}-${tag}-${t.queue('shopify')}`,
        args: [{ sku }],
      }),
    );
  const mappingOf = async (code: string) =>
    (
      await s.q<{ id: string }>('pim', 'SELECT shopify_location_id AS id FROM location_mappings WHERE store_code = ?', [
        code,
      ])
    )[0]?.id;

  // Stock can reach the ledger after its product was published (npm start and the change-visible bench publish
  // first, then the pickup counts the stores): before, a store with no mapping then stayed unmapped and no push
  // ever offered its stock (pushSkuStock matched stores only when Shopify refused a location).
  it('a store with stock and no mapping is matched to its location on the push, and its stock offered', async () => {
    const sku = skus[1]!;
    const real = await mappingOf('SUNSET');
    expect(real).toBeTruthy();
    await s.q('pim', "DELETE FROM location_mappings WHERE store_code = 'SUNSET'");
    await count(sku, 'SUNSET', 13, 'unmapped-store');

    const result = await push(sku, 'unmapped-store');
    expect(result.last?.status).toBe('Synced');
    expect(result.last?.unmappedLocations).toEqual([]);
    expect(await mappingOf('SUNSET')).toBe(real);
    const level = (await s.shopLevels()).find((l) => l.sku === sku && l.locationId === real);
    const [ledger] = (await s.reads.levelsOf([sku])).filter((l) => l.location === 'SUNSET');
    expect(level?.available).toBe(ledger!.availableToSell);
  }, 180_000);

  it('a mapping naming a location the shop lost is matched again and the SKU is pushed there', async () => {
    const sku = skus[0]!;
    const real = await mappingOf('C');
    expect(real).toBeTruthy();
    await s.q(
      'pim',
      "UPDATE location_mappings SET shopify_location_id = 'gid://shopify/Location/987654321' WHERE store_code = 'C'",
    );
    // A SKU not yet stocked at C, so the push must activate it there.
    await count(sku, 'C', 17, 'stale-location');

    const result = await push(sku, 'stale-location');
    expect(result.last?.status).toBe('Synced');
    expect(await mappingOf('C')).toBe(real);
    const level = (await s.shopLevels()).find((l) => l.sku === sku && l.locationId === real);
    const [ledger] = (await s.reads.levelsOf([sku])).filter((l) => l.location === 'C');
    expect(level?.available).toBe(ledger!.availableToSell);
  }, 180_000);

  // Every mapped location's level in one read (InventoryItem.inventoryLevels), not one request per location: the
  // first npm start pushes every SKU once, and four reads a SKU kept the shop's queue busy for many minutes.
  it('a push that finds Shopify already equal to the ledger costs one request, whatever the number of locations', async () => {
    const sku = skus[0]!;
    const requests = async () =>
      ((await (await fetch(`${s.f.sandbox.url}/_sandbox/stats`)).json()) as { requests: number }).requests;
    const before = await requests();
    const result = await push(sku, 'unchanged');
    expect(result.last?.status).toBe('Synced');
    expect(result.last?.writes).toBe(0);
    expect(result.last?.locations).toBeGreaterThanOrEqual(4);
    expect((await requests()) - before).toBe(1);
  }, 180_000);

  it('an inventory item the shop does not know is recorded in sync_errors and the workflow completes', async () => {
    const sku = skus.at(-1)!;
    const [row] = await s.q<{ productId: number; ids: string | Record<string, { inventoryItemId?: string }> }>(
      'pim',
      "SELECT v.product_id AS productId, cm.external_variant_ids AS ids FROM variants v JOIN channel_mappings cm ON cm.pim_product_id = v.product_id AND cm.channel = 'shopify' WHERE v.sku = ?",
      [sku],
    );
    const ids = typeof row!.ids === 'string' ? JSON.parse(row!.ids) : row!.ids;
    ids[sku] = { ...ids[sku], inventoryItemId: 'gid://shopify/InventoryItem/987654321' };
    await s.q(
      'pim',
      "UPDATE channel_mappings SET external_variant_ids = ? WHERE channel = 'shopify' AND pim_product_id = ?",
      [JSON.stringify(ids), row!.productId],
    );
    await count(sku, 'C', 9, 'stale-item');

    const result = await push(sku, 'stale-item');
    expect(result.last?.status).toBe('Skipped');
    expect(result.last?.skippedBecause).toBe('refused');
    const [error] = await s.q<{ code: string; reason: string; resolved_at: Date | null }>(
      'pim',
      'SELECT code, reason, resolved_at FROM sync_errors WHERE channel = ? AND pim_product_id = ?',
      [INVENTORY_CHANNEL, row!.productId],
    );
    expect(error?.code).toBe('INVENTORY_ITEM_UNKNOWN');
    expect(error?.reason).toContain(sku);
    expect(error?.reason).toContain('gid://shopify/InventoryItem/987654321');
    expect(error?.resolved_at).toBeNull();
  }, 180_000);
});
