import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inventorySetQuantities } from '../../../connectors/shopify';
import { signalStockChanged, wakeStockPusher } from '../../../activities/inventory/stock-signals';
import { stockPickup } from '../../../workflows/inventory/stock-pickup';
import { temporalHarness, type TemporalHarness } from '../../support/temporal';
import { eventually, stockFixture, type StockFixture } from '../../support/inventory/stock-fixture';

// Workflow ids (product-publish/<pimId>, inventory-sync/<sku>) are shared by every test file on the Temporal
// server: products 201–210 are published by no other file.
const IDS = Array.from({ length: 10 }, (_, i) => 201 + i);

describe('ledger → Shopify per location (inventory-sync/<sku>, continuous store pickup)', () => {
  let t: TemporalHarness;
  let s: StockFixture;
  let skus: string[];
  let stop: (() => Promise<void>) | undefined;
  let nextSaleId = 0;

  beforeAll(async () => {
    t = await temporalHarness('stock-sync');
    s = await stockFixture(t, 210);
    await s.publish(IDS);
    skus = await s.publishedSkus();
    const [row] = await s.q<{ m: number }>('store', 'SELECT COALESCE(MAX(id), 0) AS m FROM pos_sales');
    nextSaleId = Number(row!.m) + 1;
    // Workers and the pickup run for the whole file.
    let release!: () => void;
    const done = new Promise<void>((r) => (release = r));
    const running = t.withWorkers(s.activities, async () => {
      await t.client.workflow.start(stockPickup, {
        taskQueue: t.queue('data'),
        workflowId: `inventory-pickup/${t.queue('data')}`,
        args: [{ pollMs: 100, runForMs: 5_000 }],
      });
      await done;
      await t.client.workflow.getHandle(`inventory-pickup/${t.queue('data')}`).terminate('test over');
    });
    stop = async () => {
      release();
      await running;
    };
    // The first passes import every store row as a count.
    await eventually(async () => {
      const [c] = await s.q<{ at: Date | null }>('inventory', 'SELECT stock_updated_at AS at FROM pickup_cursors');
      return !!c?.at;
    }, 120_000);
  }, 300_000);
  afterAll(async () => {
    await stop?.();
    await s?.close();
    await t?.close();
  });

  const offeredEverywhere = async (only?: string[]) => {
    const ledger = await s.reads.levelsOf(only ?? skus);
    const shop = await s.shopLevels();
    const bad = ledger.filter((l) => {
      const level = shop.find((x) => x.sku === l.sku && x.location === l.location);
      return level ? level.available !== l.availableToSell : l.onHand > 0;
    });
    return bad.length === 0 ? ledger : undefined;
  };
  const sell = async (sku: string, store: string, quantity: number) => {
    await s.q(
      'store',
      'INSERT INTO pos_sales (id, store_code, sku, quantity, amount, sold_at) VALUES (?, ?, ?, ?, ?, ?)',
      [nextSaleId++, store, sku, quantity, '1.00', new Date()],
    );
  };
  const inStock = async (min: number) => {
    const levels = await s.reads.levelsOf(skus);
    return levels.find((l) => l.location === 'C' && l.availableToSell >= min)!;
  };

  it('after the pickup, every mapped location offers exactly what the ledger can sell', async () => {
    await eventually(() => offeredEverywhere(), 60_000, 250);
  }, 90_000);

  it('a POS sale in the store DB is visible in Shopify within seconds', async () => {
    const level = await inStock(5);
    const started = Date.now();
    await sell(level.sku, 'C', 3);
    await eventually(async () => {
      const shop = (await s.shopLevels()).find((x) => x.sku === level.sku && x.location === 'C');
      return shop?.available === level.availableToSell - 3;
    }, 15_000);
    const [after] = (await s.reads.levelsOf([level.sku])).filter((l) => l.location === 'C');
    expect(after!.onHand).toBe(level.onHand - 3);
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 60_000);

  it('a burst of 50 movements on one SKU becomes one or two Shopify writes', async () => {
    await eventually(() => offeredEverywhere(), 30_000, 250);
    const level = await inStock(60);
    const before = await s.adjustments();
    for (let i = 0; i < 50; i++) await sell(level.sku, 'C', 1);
    await eventually(async () => {
      const shop = (await s.shopLevels()).find((x) => x.sku === level.sku && x.location === 'C');
      return shop?.available === level.availableToSell - 50;
    }, 20_000);
    await new Promise((r) => setTimeout(r, 1_000)); // a late extra push would show now
    expect(await s.adjustments()).toBeGreaterThanOrEqual(before + 1);
    expect(await s.adjustments()).toBeLessThanOrEqual(before + 2);
  }, 60_000);

  it('safety stock is never offered, and resync restores a level someone changed in Shopify', async () => {
    const level = await inStock(8);
    await s.q('inventory', "INSERT INTO safety_stock (scope, scope_key, quantity) VALUES ('sku', ?, 5)", [level.sku]);
    await signalStockChanged(t.client, t.queue('shopify'), level.sku);
    const shopAt = async () => (await s.shopLevels()).find((x) => x.sku === level.sku && x.location === 'C')!;
    await eventually(async () => (await shopAt()).available === level.availableToSell - 5, 15_000);
    // An admin recount in Shopify drifts the level; the resync signal puts the ledger's offer back.
    const now = await shopAt();
    await inventorySetQuantities(
      s.f.shopify,
      {
        name: 'on_hand',
        reason: 'correction',
        quantities: [
          {
            inventoryItemId: now.inventoryItemId,
            locationId: now.locationId,
            quantity: now.on_hand + 40,
            changeFromQuantity: now.on_hand,
          },
        ],
      },
      `drift-${Date.now()}`,
    );
    expect((await shopAt()).available).toBe(level.availableToSell - 5 + 40);
    await signalStockChanged(t.client, t.queue('shopify'), level.sku);
    await eventually(async () => (await shopAt()).available === level.availableToSell - 5, 15_000);
    const run = await t.client.workflow.getHandle(`inventory-sync/${level.sku}`).describe();
    expect(run.typedSearchAttributes.get({ name: 'Pipeline', type: 'KEYWORD' } as never)).toBe('inventory-sync');
  }, 60_000);

  const requests = async () =>
    ((await (await fetch(`${s.f.sandbox.url}/_sandbox/stats`)).json()) as { requests: number }).requests;
  const allPushed = async (only: string[]) => {
    const rows = await s.q<{ n: number }>(
      'inventory',
      'SELECT COUNT(*) AS n FROM sku_sync WHERE sku IN (?) AND pushed_version < ledger_version',
      [only],
    );
    return Number(rows[0]!.n) === 0;
  };

  // Before: every changed SKU had its own inventory-sync/<sku> workflow, one levels read and one write each (40
  // requests for these 20 SKUs); the batched pusher (inventory-push/<queue>) reads them together and writes once.
  it('POS sales on 20 SKU × store pairs in one commit reach Shopify in a few requests, not a read and a write per SKU', async () => {
    await eventually(() => offeredEverywhere(), 30_000, 250);
    // One unit at each of 20 SKU × store pairs, as many distinct SKUs as the fixture has.
    const levels = (await s.reads.levelsOf(skus)).filter((l) => l.availableToSell >= 2);
    const bySku = [...new Map(levels.map((l) => [l.sku, l])).values()];
    const twenty = [...bySku, ...levels.filter((l) => !bySku.includes(l))].slice(0, 20);
    expect(twenty.length).toBe(20);
    expect(new Set(twenty.map((l) => l.sku)).size).toBeGreaterThanOrEqual(10);
    const before = await requests();
    await s.q('store', 'INSERT INTO pos_sales (id, store_code, sku, quantity, amount, sold_at) VALUES ?', [
      twenty.map((l) => [nextSaleId++, l.location, l.sku, 1, '1.00', new Date()]),
    ]);
    await eventually(async () => {
      const shop = await s.shopLevels();
      return twenty.every(
        (l) => shop.find((x) => x.sku === l.sku && x.location === l.location)?.available === l.availableToSell - 1,
      );
    }, 20_000);
    expect(await requests()).toBeLessThanOrEqual(before + 6);
  }, 60_000);

  // Shopify has already taken an order's units out of its own `available`: the ledger's reservation of them (and
  // its release on a cancellation) changes nothing Shopify's quantities follow from, so it costs no request.
  it("a Shopify order's reservation and its release are pushed without a Shopify request", async () => {
    await eventually(() => offeredEverywhere(), 30_000, 250);
    const level = await inStock(4);
    await eventually(() => allPushed([level.sku]), 15_000);
    const before = await requests();
    const line = {
      channel: 'shopify',
      orderId: 'gid://shopify/Order/770001',
      orderLineId: 'gid://shopify/LineItem/770001',
    };
    const at = new Date().toISOString();
    // Each movement applied and pushed before the next, as an order and its cancellation would come.
    for (const kind of ['reserve', 'release'] as const) {
      await s.ledger.applyMovements(
        [{ key: `test/${kind}/770001`, kind, sku: level.sku, location: 'C', quantity: 2, occurredAt: at, ...line }],
        { source: 'test' },
      );
      await wakeStockPusher(t.client, t.queue('shopify'));
      await eventually(() => allPushed([level.sku]), 15_000);
    }
    expect(await requests()).toBe(before);
    const [after] = (await s.reads.levelsOf([level.sku])).filter((l) => l.location === 'C');
    expect(after!.reserved).toBe(level.reserved);
  }, 60_000);

  // Before: every pass took the oldest pending SKUs first, so a change waited behind a first start's, a rules
  // change's or a reconciliation's backlog (the channel bench: Shopify p95 13 s behind 10,000 pending SKUs).
  it('a fresh change is pushed ahead of a backlog of thousands of pending SKUs', async () => {
    await eventually(() => offeredEverywhere(), 30_000, 250);
    const level = await inStock(3);
    const hourAgo = new Date(Date.now() - 3_600_000);
    const backlog = Array.from({ length: 20_000 }, (_, i) => [`BACKLOG-${String(i).padStart(6, '0')}`, 1, 0, hourAgo]);
    for (let i = 0; i < backlog.length; i += 5_000)
      await s.q('inventory', 'INSERT INTO sku_sync (sku, ledger_version, pushed_version, changed_at) VALUES ?', [
        backlog.slice(i, i + 5_000),
      ]);
    await wakeStockPusher(t.client, t.queue('shopify'));
    await sell(level.sku, level.location, 1);
    await eventually(
      async () => {
        const shop = (await s.shopLevels()).find((x) => x.sku === level.sku && x.location === level.location);
        return shop?.available === level.availableToSell - 1;
      },
      20_000,
      50,
    );
    const [left] = await s.q<{ n: number }>(
      'inventory',
      "SELECT COUNT(*) AS n FROM sku_sync WHERE sku LIKE 'BACKLOG-%' AND pushed_version < ledger_version",
    );
    expect(Number(left!.n)).toBeGreaterThan(0);
    await eventually(
      async () => {
        const [rest] = await s.q<{ n: number }>(
          'inventory',
          "SELECT COUNT(*) AS n FROM sku_sync WHERE sku LIKE 'BACKLOG-%' AND pushed_version < ledger_version",
        );
        return Number(rest!.n) === 0;
      },
      120_000,
      500,
    );
  }, 180_000);
});
