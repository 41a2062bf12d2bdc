import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShopifyTransferActivities } from '../../../activities/extraction/shopify-transfers';
import { loadStockLocations } from '../../../activities/extraction/stock-locations';
import { ShopifyClient } from '../../../connectors/shopify';
import { createPool } from '../../../db/client';
import { DEMO_STORES } from '../../../db/seed/catalog';
import { STOCK_HISTORY_SQL } from '../../../domain/extraction/shopify-transfers';
import { listDeadLetters } from '../../../lake/dead-letters';
import type { Lake } from '../../../lake/lake-writer';
import { createS3Client, ensureBuckets } from '../../../lake/s3';
import { startShopifySandbox, type ShopifySandbox } from '../../../sandbox/shopify';
import { seedProduct } from '../../../sandbox/shopify/catalog-objects';
import { placeDemoTransfers } from '../../../scripts/demo-transfers';
import { loadConfig } from '../../../workers/config';
import { freshDatabases, type FreshDatabases } from '../../support/db';
import { temporalHarness, type TemporalHarness } from '../../support/temporal';
import { queryLake } from '../../support/extraction/shopify-lake';

// #14: npm start's demo had no inventory transfers, so the lake's stock.transfers stayed empty after a start. A new
// demo shop now gets months of transfers (scripts/demo-transfers.ts, called by scripts/start.ts) once the catalogue
// is in it, and a transfers extraction reads them into the lake; a restored shop keeps the transfers it had.
describe('npm start’s demo transfers: placed once in a new shop, extracted into stock.transfers', () => {
  const config = loadConfig();
  const s3 = createS3Client(config.aws);
  const prefix = `dtr-${randomUUID().slice(0, 8)}`;
  const shop = `${prefix}.myshopify.com`;
  const lake: Lake = { s3, bucket: `${prefix}-lake`, quarantineBucket: `${prefix}-q` };
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-transfers-'));
  let t: TemporalHarness;
  let dbs: FreshDatabases;
  let pools: { store: ReturnType<typeof createPool>; pim: ReturnType<typeof createPool> };
  let sb: ShopifySandbox | undefined;

  beforeAll(async () => {
    await ensureBuckets(s3, [lake.bucket, lake.quarantineBucket]);
    t = await temporalHarness('demo-transfers');
    dbs = await freshDatabases();
    pools = { store: createPool(dbs.store, 4), pim: createPool(dbs.pim, 4) };
    await pools.store.query('INSERT INTO stores (code, name, shopify_location_name) VALUES ?', [
      DEMO_STORES.map((s) => [s.code, s.name, s.shopifyLocationName]),
    ]);
  });
  afterAll(async () => {
    await sb?.close();
    await pools?.store.end();
    await pools?.pim.end();
    await dbs?.drop();
    await t?.close();
    s3.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const query = <T = Record<string, unknown>>(sql: string) => queryLake<T>(config.aws, s3, lake.bucket, sql);

  it('waits for the catalogue, places months of transfers, extracts them per store; a restored shop gets none', async () => {
    sb = await startShopifySandbox({ shop, dataDir });
    expect(sb.restored).toBe(false);
    const shopify = new ShopifyClient({ shop, accessToken: sb.accessToken, adminUrl: sb.adminGraphqlUrl });
    const acts = createShopifyTransferActivities({
      shopify,
      lake,
      shop,
      locations: () => loadStockLocations({ ...pools, shopify }),
      lagMs: 0,
    });
    const placed = await t.withWorkers({ shopify: acts }, async () => {
      const placing = placeDemoTransfers(sb!, t.client, { taskQueue: t.queue('shopify'), minItems: 120, pollMs: 50 });
      // Nothing is placed while the shop has no catalogue to move.
      await new Promise((r) => setTimeout(r, 300));
      expect(sb!.state.transfers.size).toBe(0);
      for (let i = 1; i <= 120; i++)
        seedProduct(sb!.state, {
          handle: `p-${i}`,
          title: `Product ${i}`,
          sku: `DT-${String(i).padStart(4, '0')}`,
          price: '1.99',
          levels: new Map(),
        });
      const p = (await placing)!;
      await t.client.workflow.getHandle(p.workflowId).result();
      return p;
    });
    expect(placed.transfers).toBeGreaterThan(50); // 17 weeks or more × 3 stores, and swaps
    expect(placed.received).toBeGreaterThan(0);
    expect(placed.inTransit).toBeGreaterThan(0);

    // Every transfer line the shop holds is in the lake, each end resolved to a demo store; nothing quarantined.
    const shopLines = new Set(
      [...sb.state.transfers.values()].flatMap((tr) =>
        tr.lineItems.map((l) => `${tr.name}|${sb!.state.inventoryItems.get(l.inventoryItemId)?.sku}`),
      ),
    );
    const [lakeRows] = await query<{ n: number; stores: string[] }>(
      `SELECT count(*)::INT AS n, list_sort(list_distinct(list(origin_store) || list(destination_store))) AS stores FROM stock.transfers`,
    );
    expect(lakeRows!.n).toBe(shopLines.size);
    expect(lakeRows!.stores).toEqual(['C', 'EMERALD', 'OISTINS', 'SUNSET']);
    expect(await listDeadLetters(lake)).toEqual([]);
    const history = await query<{ location: string }>(`SELECT DISTINCT location FROM (${STOCK_HISTORY_SQL})`);
    expect(history.map((h) => h.location).sort()).toEqual(['C', 'EMERALD', 'OISTINS', 'SUNSET']);

    // The next start restores the shop: its transfers are kept, none are added.
    const before = sb.state.transfers.size;
    await sb.close();
    sb = await startShopifySandbox({ shop, dataDir });
    expect(sb.restored).toBe(true);
    expect(sb.state.transfers.size).toBe(before);
    expect(await placeDemoTransfers(sb, t.client, { taskQueue: t.queue('shopify'), minItems: 1 })).toBeUndefined();
    expect(sb.state.transfers.size).toBe(before);
  }, 240_000);
});
