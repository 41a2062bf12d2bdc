import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fold, levelKey } from '../../../domain/inventory/ledger';
import type { Movement } from '../../../domain/inventory/movements';
import { createDynamoClient } from '../../../lake/dynamo-tables';
import { loadConfig } from '../../../workers/config';
import { stockPickup } from '../../../workflows/inventory/stock-pickup';
import { startChildWorker } from '../../support/child-worker';
import { freshTables } from '../../support/customers/customers-fixture';
import { eventually, stockFixture, type StockFixture } from '../../support/inventory/stock-fixture';
import { temporalHarness, type TemporalHarness } from '../../support/temporal';

// Products 9101–9104, seeded by no other test file: workflow ids product-publish/<id> and inventory-sync/<sku> are
// shared by every file on the Temporal server, and files seeding products 1..N (catalog tests publish 1,500) start
// inventory-sync/<sku> for the same SKUs on their own queues (CI: pushes of 231–234's SKUs never came back).
const IDS = [9101, 9102, 9103, 9104];
const STORES = ['C', 'EMERALD'];
const START = 400;
const SALES = 900;

interface MovementRow {
  movement_key: string;
  kind: Movement['kind'];
  sku: string;
  location: string;
  quantity: number;
  occurred_at: Date;
}

// #12 "kill -9 of the worker during a burst of movements and pushes: afterwards the ledger and Shopify agree and
// no movement is counted twice". The pickup and the inventory-sync pushes run in a production worker process.
describe('stock ledger: a worker killed with SIGKILL during a burst of POS sales and stock pushes', () => {
  let t: TemporalHarness;
  let s: StockFixture;
  let skus: string[];
  const dynamo = createDynamoClient(loadConfig().aws);

  beforeAll(async () => {
    t = await temporalHarness('ledger-kill');
    s = await stockFixture(t, IDS.length, undefined, { firstId: IDS[0] });
    await s.publish(IDS);
    skus = await s.publishedSkus();
  }, 300_000);
  afterAll(async () => {
    dynamo.destroy();
    await s?.close();
    await t?.close();
  });

  const burstMovements = async (firstId: number) =>
    Number(
      (
        await s.q<{ n: number }>(
          'inventory',
          "SELECT COUNT(*) AS n FROM movements WHERE kind = 'pos_sale' AND CAST(SUBSTRING_INDEX(movement_key, '/', -1) AS UNSIGNED) >= ?",
          [firstId],
        )
      )[0]!.n,
    );

  it('the ledger equals the fold of the distinct movements, each sale counted once, and Shopify offers the ledger', async () => {
    expect(skus.length).toBeGreaterThan(3);
    // Every published SKU starts at START units at both stores (store counts, picked up as count movements).
    await s.q('store', 'INSERT INTO stock (store_code, sku, on_hand) VALUES ? ON DUPLICATE KEY UPDATE on_hand = ?', [
      STORES.flatMap((store) => skus.map((sku) => [store, sku, START])),
      START,
    ]);
    const [top] = await s.q<{ m: number }>('store', 'SELECT COALESCE(MAX(id), 0) AS m FROM pos_sales');
    const firstId = Number(top!.m) + 1;

    const prefix = t.queue('data').slice(0, -'.data'.length);
    const env = {
      PIM_DATABASE_URL: s.f.urls.pim,
      STORE_DATABASE_URL: s.f.urls.store,
      ORDERS_DATABASE_URL: s.f.urls.orders,
      INVENTORY_DATABASE_URL: s.f.urls.inventory,
      CHANNELS_DATABASE_URL: s.f.urls.channels,
      EXTRACTION_DATABASE_URL: s.f.urls.extraction,
      SHOPIFY_SHOP: s.f.sandbox.shop,
      SHOPIFY_ACCESS_TOKEN: s.f.sandbox.accessToken,
      SHOPIFY_WEBHOOK_SECRET: s.f.sandbox.webhookSecret,
      SHOPIFY_ADMIN_URL: s.f.sandbox.adminGraphqlUrl,
      DYNAMODB_TABLE_PREFIX: await freshTables(dynamo, 'lk'),
    };
    let worker = await startChildWorker(prefix, env);
    const pickup = await t.client.workflow.start(stockPickup, {
      taskQueue: t.queue('data'),
      workflowId: `inventory-pickup/${t.queue('data')}`,
      args: [{ pollMs: 100, runForMs: 3_000 }],
    });

    // The burst: SALES POS sales of 1–2 units over the SKUs at both stores, 15 every 40 ms, while the pickup
    // moves them into the ledger and inventory-sync pushes the SKUs to Shopify. The second half waits for the
    // kill, so sales arrive before it, while no worker runs, and after.
    const sold = new Map<string, number>();
    let inserted = 0;
    let killed!: () => void;
    const kill = new Promise<void>((r) => (killed = r));
    const burst = (async () => {
      for (let i = 0; i < SALES; i += 15) {
        if (i >= SALES / 2) await kill;
        const rows = Array.from({ length: Math.min(15, SALES - i) }, (_, j) => {
          const n = i + j;
          const sku = skus[(n * 7) % skus.length]!;
          const store = STORES[n % STORES.length]!;
          const quantity = 1 + (n % 2);
          sold.set(levelKey(sku, store), (sold.get(levelKey(sku, store)) ?? 0) + quantity);
          return [firstId + n, store, sku, quantity, '1.00', new Date()];
        });
        await s.q('store', 'INSERT INTO pos_sales (id, store_code, sku, quantity, amount, sold_at) VALUES ?', [rows]);
        inserted += rows.length;
        await new Promise((r) => setTimeout(r, 40));
      }
    })();

    // Killed once a third of the burst is in the ledger and pushes have reached Shopify.
    await eventually(
      async () => {
        const [pushed] = await s.q<{ n: number }>(
          'inventory',
          'SELECT COUNT(*) AS n FROM sku_sync WHERE pushed_version > 0 AND sku IN (?)',
          [skus],
        );
        return (await burstMovements(firstId)) >= SALES / 3 && Number(pushed!.n) > 0;
      },
      120_000,
      20,
    );
    await worker.kill();
    killed();
    expect(await burstMovements(firstId)).toBeLessThan(SALES);
    await new Promise((r) => setTimeout(r, 1_000)); // sales keep arriving with no worker
    expect(inserted).toBeGreaterThan(SALES / 2);
    worker = await startChildWorker(prefix, env);
    try {
      await burst;
      // The new worker finishes: the pickup passes the last sale, and every SKU's last change is pushed.
      let waitingFor = '';
      await eventually(
        async () => {
          const [c] = await s.q<{ id: number }>('inventory', 'SELECT pos_sale_id AS id FROM pickup_cursors');
          waitingFor = `pickup at ${c?.id} of ${firstId + SALES - 1}`;
          if (Number(c?.id ?? 0) < firstId + SALES - 1) return false;
          const lagging = await s.q<{ sku: string }>(
            'inventory',
            'SELECT sku FROM sku_sync WHERE pushed_version < ledger_version AND sku IN (?)',
            [skus],
          );
          waitingFor = `pushes of ${lagging.map((l) => l.sku).join(', ')}`;
          if (lagging.length) return false;
          const ledger = await s.reads.levelsOf(skus);
          const shop = await s.shopLevels();
          const off = ledger.filter((l) => {
            const level = shop.find((x) => x.sku === l.sku && x.location === l.location);
            return level ? level.available !== l.availableToSell : l.onHand > 0;
          });
          waitingFor = `Shopify at ${off.map((l) => `${l.sku}@${l.location}`).join(', ')}`;
          return off.length === 0;
        },
        300_000,
        250,
      ).catch((err: unknown) => {
        throw new Error(`${(err as Error).message}: waiting for ${waitingFor}`);
      });
    } finally {
      await pickup.terminate('test over').catch(() => undefined);
      await worker.kill();
    }

    // Each sale is one movement: none lost to the kill, none applied twice by the retried pickup.
    expect(await burstMovements(firstId)).toBe(SALES);
    const history = await s.q<MovementRow>('inventory', 'SELECT * FROM movements WHERE sku IN (?) ORDER BY id', [skus]);
    expect(new Set(history.map((h) => h.movement_key)).size).toBe(history.length);
    // The levels are the fold of the ledger's own distinct movements …
    const { state } = fold(
      history.map((r) => ({
        key: r.movement_key,
        kind: r.kind,
        sku: r.sku,
        location: r.location,
        quantity: r.quantity,
        occurredAt: r.occurred_at.toISOString(),
      })),
    );
    const levels = await s.reads.levelsOf(skus);
    for (const l of levels) expect(l.onHand, `${l.sku}@${l.location}`).toBe(state.level(l.sku, l.location).onHand);
    // … and, independently, the store's count minus every burst sale exactly once.
    for (const [k, units] of sold) {
      const [sku, store] = k.split('\u0000') as [string, string];
      expect(levels.find((l) => l.sku === sku && l.location === store)?.onHand, k).toBe(START - units);
    }
    // Shopify offers what the ledger can sell at every location of every SKU.
    const shop = await s.shopLevels();
    for (const l of levels.filter((x) => STORES.includes(x.location)))
      expect(shop.find((x) => x.sku === l.sku && x.location === l.location)?.available, `${l.sku}@${l.location}`).toBe(
        l.availableToSell,
      );
  }, 600_000);
});
