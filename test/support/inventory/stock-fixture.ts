import type { Pool, RowDataPacket } from 'mysql2/promise';
import { signalProductChanged } from '../../../activities/platform/outbox';
import { createLedger, type Ledger } from '../../../activities/inventory/ledger';
import { createLedgerActivities } from '../../../activities/inventory/ledger-activities';
import { createLedgerReads, type LedgerReads } from '../../../activities/inventory/ledger-reads';
import { createStockPushActivities } from '../../../activities/inventory/stock-push';
import { withTemporalFailures } from '../../../activities/platform/failures';
import { createPool } from '../../../db/client';
import { createS3Client } from '../../../lake/s3';
import { loadConfig } from '../../../workers/config';
import { catalogFixture, type CatalogFixture } from '../catalog/catalog-fixture';
import type { TemporalHarness } from '../temporal';
import type { SandboxOptions } from '../../../sandbox/shopify';

export interface ShopLevel {
  sku: string;
  location: string;
  locationId: string;
  inventoryItemId: string;
  available: number;
  on_hand: number;
  committed?: number;
}

export interface StockFixture {
  f: CatalogFixture;
  pools: { pim: Pool; store: Pool; inventory: Pool };
  ledger: Ledger;
  reads: LedgerReads;
  activities: CatalogFixture['activities'];
  /** Publishes products 1..n through product-publish (mappings, inventory items, location mappings). */
  publish(ids: number[]): Promise<void>;
  shopLevels(): Promise<ShopLevel[]>;
  adjustments(): Promise<number>;
  /** SKUs of published products with their inventory item. */
  publishedSkus(): Promise<string[]>;
  q<T = RowDataPacket>(pool: keyof StockFixture['pools'], sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/** A seeded catalogue and sandbox shop (catalogFixture) plus the ledger, its data-queue and push activities. */
export async function stockFixture(
  t: TemporalHarness,
  products: number,
  sandbox?: SandboxOptions,
  opts: { firstId?: number } = {},
): Promise<StockFixture> {
  const f = await catalogFixture({
    products,
    firstId: opts.firstId,
    temporal: async () => t.client,
    ...(sandbox ? { sandbox } : {}),
  });
  const pools = {
    pim: createPool(f.urls.pim),
    store: createPool(f.urls.store),
    inventory: createPool(f.urls.inventory),
  };
  const config = loadConfig();
  const s3 = createS3Client(config.aws);
  const ledger = createLedger({ ...pools, s3, quarantineBucket: config.aws.buckets.quarantine });
  const reads = createLedgerReads(pools);
  const push = createStockPushActivities({
    inventory: pools.inventory,
    pim: pools.pim,
    store: pools.store,
    shopify: f.shopify,
    reads,
  });
  const activities = {
    shopify: {
      ...f.activities.shopify,
      ...withTemporalFailures({ pushSkuStock: push.pushSkuStock, pushPendingStock: push.pushPendingStock }),
    },
    data: {
      ...f.activities.data,
      ...withTemporalFailures(
        createLedgerActivities({
          store: pools.store,
          inventory: pools.inventory,
          ledger,
          temporal: async () => t.client,
          laggingSkus: push.laggingSkus,
        }),
      ),
    },
  };
  const q = async <T>(pool: keyof typeof pools, sql: string, params: unknown[] = []) =>
    (await pools[pool].query(sql, params))[0] as T[];
  return {
    f,
    pools,
    ledger,
    reads,
    activities,
    async publish(ids) {
      await t.withWorkers(f.activities, async () => {
        for (const id of ids) await signalProductChanged(t.client, t.queue('shopify'), id);
        await Promise.all(ids.map((id) => t.client.workflow.getHandle(`product-publish/${id}`).result()));
      });
    },
    async shopLevels() {
      return (await (await fetch(`${f.sandbox.url}/_sandbox/inventory`)).json()) as ShopLevel[];
    },
    async adjustments() {
      return ((await (await fetch(`${f.sandbox.url}/_sandbox/stats`)).json()) as { inventoryAdjustments: number })
        .inventoryAdjustments;
    },
    async publishedSkus() {
      const rows = await q<{ ids: Record<string, unknown> | string }>(
        'pim',
        "SELECT external_variant_ids AS ids FROM channel_mappings WHERE channel = 'shopify'",
      );
      return rows.flatMap((r) => Object.keys(typeof r.ids === 'string' ? JSON.parse(r.ids) : (r.ids ?? {}))).sort();
    },
    q,
    async close() {
      s3.destroy();
      await Promise.all(Object.values(pools).map((p) => p.end()));
      await f.close();
    },
  };
}

/** Polls `fn` until it returns a truthy value (or throws after `timeoutMs`). */
export async function eventually<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 30_000, stepMs = 50) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
