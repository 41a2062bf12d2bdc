import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLedger } from '../../../activities/inventory/ledger';
import { createLedgerReads } from '../../../activities/inventory/ledger-reads';
import { createReconActivities, type StockReconSummary } from '../../../activities/inventory/recon';
import { createStockPushActivities } from '../../../activities/inventory/stock-push';
import { withTemporalFailures } from '../../../activities/platform/failures';
import { inventorySetQuantities } from '../../../connectors/shopify';
import { createPool } from '../../../db/client';
import type { ReconDifference } from '../../../domain/inventory/recon';
import { catalogBackfill } from '../../../workflows/catalog';
import { stockReconcile } from '../../../workflows/inventory/recon';
import { renderOpsPage } from '../../../ops/page';
import { snapshot } from '../../../ops/server';
import { loadConfig } from '../../../workers/config';
import { createDeps } from '../../../workers/deps';
import { catalogFixture, type CatalogFixture } from '../../support/catalog/catalog-fixture';
import { temporalHarness, type TemporalHarness } from '../../support/temporal';

const config = loadConfig();
const deps = createDeps(config);
// Products (and so SKUs, product-publish/<id> and inventory-sync/<sku> ids) no other test file has.
const FIRST_ID = 731_000;
const N = 14;

interface SandboxLevel {
  sku: string;
  location: string;
  locationId: string;
  inventoryItemId: string;
  on_hand: number;
}

describe('stock reconciliation (store DB × ledger × Shopify)', () => {
  let t: TemporalHarness;
  let f: CatalogFixture;
  let inventory: ReturnType<typeof createPool>;
  let pools: { pim: ReturnType<typeof createPool>; store: ReturnType<typeof createPool> };
  let activities: { shopify: Record<string, unknown>; data: Record<string, unknown> };
  let ledger: ReturnType<typeof createLedger>;

  beforeAll(async () => {
    t = await temporalHarness('stock-recon');
    f = await catalogFixture({ products: N, firstId: FIRST_ID, temporal: async () => t.client });
    inventory = createPool(f.urls.inventory);
    pools = { pim: createPool(f.urls.pim), store: createPool(f.urls.store) };
    ledger = createLedger({ ...pools, inventory, s3: deps.s3, quarantineBucket: config.aws.buckets.quarantine });
    const reads = createLedgerReads({ inventory, pim: pools.pim });
    activities = {
      shopify: {
        ...f.activities.shopify,
        ...withTemporalFailures(createStockPushActivities({ inventory, ...pools, shopify: f.shopify, reads })),
      },
      data: {
        ...f.activities.data,
        ...createReconActivities({
          ...pools,
          inventory,
          shopify: f.shopify,
          s3: deps.s3,
          buckets: config.aws.buckets,
          ledger,
          reads,
          temporal: async () => t.client,
          pageSize: 25,
        }),
      },
    };
    // Published with their store stock (the catalogue's own stock pass: Shopify on_hand = the store's count).
    await t.withWorkers(activities, () =>
      t.client.workflow.execute(catalogBackfill, {
        taskQueue: t.queue('shopify'),
        workflowId: `catalog-backfill/stock-recon-${Date.now()}`,
        args: [{ name: 'all', filter: {}, bulkThreshold: 10, chunkSize: 20 }],
      }),
    );
    // A store no Shopify location matches (the ledger knows it as a location all the same).
    await pools.store.query("INSERT INTO stores (code, name) VALUES ('XB', 'Bridgetown Express')");
    // The ledger starts from the store's counts, at the time the store DB recorded them.
    const [stock] = await pools.store.query<RowDataPacket[]>('SELECT * FROM stock WHERE on_hand >= 0');
    const r = await ledger.applyMovements(
      stock.map((s) => ({
        key: `seed/${s.store_code}/${s.sku}`,
        kind: 'count' as const,
        sku: s.sku as string,
        location: s.store_code as string,
        quantity: s.on_hand as number,
        occurredAt: (s.updated_at as Date).toISOString(),
      })),
      { source: 'test-seed' },
    );
    expect(r.applied).toBeGreaterThan(20);
  }, 180_000);
  afterAll(async () => {
    await inventory?.end();
    await Promise.all(Object.values(pools ?? {}).map((p) => p.end()));
    await f?.close();
    await t?.close();
    await deps.close();
  });

  const levels = async () => (await (await fetch(`${f.sandbox.url}/_sandbox/inventory`)).json()) as SandboxLevel[];
  const run = (id: string, correct = true) =>
    t.withWorkers(activities, () =>
      t.client.workflow.execute(stockReconcile, {
        taskQueue: t.queue('data'),
        workflowId: `stock-reconcile/${id}/${t.queue('data')}`,
        args: [{ day: '2026-12-01', correct }],
      }),
    );
  const differences = async (s: StockReconSummary) =>
    (
      await (
        await deps.s3.send(new GetObjectCommand({ Bucket: config.aws.buckets.lake, Key: s.keys.differences }))
      ).Body!.transformToString()
    )
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as ReconDifference);

  let behindSku: string;
  let aheadSku: string;
  let driftSku: string;

  it('classifies each kind of difference, values it at shelf price, and corrects what has a clear rule', async () => {
    const [rows] = await pools.store.query<RowDataPacket[]>(
      "SELECT s.store_code, s.sku, s.on_hand, p.shelf_price FROM stock s JOIN store_products p ON p.store_code = s.store_code AND p.sku = s.sku AND p.pos_sku = CONCAT(s.store_code, '-', s.sku) WHERE s.store_code = 'C' AND s.on_hand > 3 ORDER BY s.sku",
    );
    const published = new Set((await levels()).filter((l) => l.location === 'C').map((l) => l.sku));
    const cRows = rows.filter((r) => published.has(r.sku));
    const [behind, ahead] = [cRows[0]!, cRows[1]!];
    behindSku = behind.sku;
    aheadSku = ahead.sku;
    // The store counted again (updated_at moves): the ledger has not seen that count.
    await pools.store.query("UPDATE stock SET on_hand = on_hand + 5 WHERE store_code = 'C' AND sku = ?", [behindSku]);
    // The ledger saw a sale after the store's row was written: the store DB is the one behind.
    const [[aheadRow]] = (await pools.store.query("SELECT updated_at FROM stock WHERE store_code = 'C' AND sku = ?", [
      aheadSku,
    ])) as unknown as [RowDataPacket[]];
    await ledger.applyMovements(
      [
        {
          key: `pos/C/test-${aheadSku}`,
          kind: 'pos_sale',
          sku: aheadSku,
          location: 'C',
          quantity: 2,
          occurredAt: new Date((aheadRow!.updated_at as Date).getTime() + 60_000).toISOString(),
        },
      ],
      { source: 'test' },
    );
    // Someone edited Shopify by hand at Emerald City.
    const emerald = (await levels()).find(
      (l) => l.location === 'EMERALD' && l.sku !== behindSku && l.sku !== aheadSku,
    )!;
    driftSku = emerald.sku;
    await inventorySetQuantities(
      f.shopify,
      {
        name: 'on_hand',
        reason: 'correction',
        quantities: [
          {
            inventoryItemId: emerald.inventoryItemId,
            locationId: emerald.locationId,
            quantity: emerald.on_hand + 40,
            changeFromQuantity: emerald.on_hand,
          },
        ],
      },
      `recon-test-drift-${FIRST_ID}`,
    );
    // A SKU the PIM does not know, and a store no Shopify location matches.
    await pools.store.query("INSERT INTO stock (store_code, sku, on_hand) VALUES ('C', 'ZZZ-999999-1', 7)");
    await pools.store.query("INSERT INTO stock (store_code, sku, on_hand) VALUES ('XB', ?, 9)", [behindSku]);

    const bulkBefore = f.sandbox.state.bulkOperations.size;
    const s = await run('first');

    const diff = await differences(s);
    expect(diff).toHaveLength(s.counts.differences);
    expect(s.counts.compared).toBe(s.counts.inSync + s.counts.differences);
    const at = (sku: string, location: string) => diff.find((d) => d.sku === sku && d.location === location);

    const b = at(behindSku, 'C')!;
    expect(b.classes).toContain('ledger-behind-store');
    expect(b).toMatchObject({ store: behind.on_hand + 5, ledger: behind.on_hand, units: 5 });
    expect(b.value).toBeCloseTo(5 * Number(behind.shelf_price), 2);
    expect(b.correction?.ledgerCountTo).toBe(behind.on_hand + 5);

    const a = at(aheadSku, 'C')!;
    expect(a.classes).toEqual(['store-behind-ledger', 'shopify-drifted']);
    expect(a.correction?.ledgerCountTo).toBeUndefined();
    expect(a.correction?.shopifyOnHandTo).toBe(ahead.on_hand - 2);

    expect(at(driftSku, 'EMERALD')).toMatchObject({ classes: ['shopify-drifted'], units: 40 });
    expect(at('ZZZ-999999-1', 'C')!.classes).toEqual(['unknown-sku']);
    // The seeded new item (no draft in this PIM) is unknown too, in every store.
    expect(diff.filter((d) => d.sku === 'NEW-900001-1').map((d) => d.classes)).toEqual(Array(4).fill(['unknown-sku']));
    // The ledger follows the store's count there too; Shopify has nowhere to show it.
    expect(at(behindSku, 'XB')!.classes).toEqual(['ledger-behind-store', 'unmapped-location']);
    expect(s.counts.byClass['unknown-sku'].rows).toBe(5);
    expect(s.counts.byClass['unmapped-location'].rows).toBe(1);
    expect(s.counts.byClass['ledger-behind-store'].rows).toBe(2);
    expect(s.counts.byClass['store-behind-ledger'].rows).toBe(1);
    // The seeded negative counts are rejected with their reason, not compared: good + rejected = read.
    expect(s.rejected).toMatchObject({ rejected: 4, byCode: { NEGATIVE_COUNT: 4 } });

    // Read in bulk: one bulk operation, a handful of requests for the whole shop.
    expect(f.sandbox.state.bulkOperations.size).toBe(bulkBefore + 1);
    expect(s.shopify.levelsRead).toBe((await levels()).length);
    expect(s.shopify.requests).toBeLessThan(20);

    // Corrections: the ledger took the newer store count; Shopify was set back to the ledger in one CAS write.
    expect(s.corrections.ledgerCounts).toBe(2);
    expect(s.corrections.shopifySet).toBeGreaterThanOrEqual(2);
    expect(s.corrections.pushesSignalled).toBeGreaterThanOrEqual(1);
    const [[lvl]] = (await inventory.query("SELECT on_hand FROM stock_levels WHERE sku = ? AND location = 'C'", [
      behindSku,
    ])) as unknown as [RowDataPacket[]];
    expect(lvl!.on_hand).toBe(behind.on_hand + 5);
    const after = await levels();
    expect(after.find((l) => l.sku === driftSku && l.location === 'EMERALD')!.on_hand).toBe(emerald.on_hand);
    expect(after.find((l) => l.sku === aheadSku && l.location === 'C')!.on_hand).toBe(ahead.on_hand - 2);
  });

  it('a second run finds only what has no clear rule, and applies nothing twice', async () => {
    // The ledger-corrected SKU reaches Shopify through its push (inventory-sync/<sku>).
    const want = (await levels()).find((l) => l.sku === behindSku && l.location === 'C');
    expect(want).toBeDefined();
    const s = await t.withWorkers(activities, async () => {
      for (let i = 0; i < 100; i++) {
        const lvl = (await levels()).find((l) => l.sku === behindSku && l.location === 'C')!;
        if (lvl.on_hand === want!.on_hand + 5) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      return t.client.workflow.execute(stockReconcile, {
        taskQueue: t.queue('data'),
        workflowId: `stock-reconcile/second/${t.queue('data')}`,
        args: [{ day: '2026-12-01' }],
      });
    });
    expect(s.counts.byClass['ledger-behind-store'].rows).toBe(0);
    expect(s.counts.byClass['shopify-drifted'].rows).toBe(0);
    expect(s.counts.byClass['store-behind-ledger'].rows).toBe(1);
    expect(s.counts.byClass['unknown-sku'].rows).toBe(5);
    expect(s.counts.byClass['unmapped-location'].rows).toBe(1);
    expect(s.corrections).toEqual({ ledgerCounts: 0, shopifySet: 0, pushesSignalled: 0 });

    // The ops console shows the latest summary (the workflow's result).
    const orders = createPool(f.urls.orders);
    try {
      const snap = await snapshot({ client: t.client, pim: pools.pim, orders, benchDir: '/nonexistent' });
      expect(snap.stockReconcile).toMatchObject({ runId: s.runId, counts: { differences: s.counts.differences } });
      expect(renderOpsPage(snap)).toContain(`unknown-sku</td><td>5</td>`);
    } finally {
      await orders.end();
    }
  });
});
