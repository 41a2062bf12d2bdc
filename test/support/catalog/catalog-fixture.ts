import { randomUUID } from 'node:crypto';
import { createBackfillActivities } from '../../../activities/catalog/backfill';
import { createCatalogActivities } from '../../../activities/catalog/catalog';
import { createCatalogSyncActivities } from '../../../activities/catalog/catalog-sync';
import { createS3Client } from '../../../lake/s3';
import { loadConfig } from '../../../workers/config';
import { withTemporalFailures } from '../../../activities/platform/failures';
import { createInventoryActivities } from '../../../activities/inventory/inventory';
import { createStockPushActivities } from '../../../activities/inventory/stock-push';
import { createLedger } from '../../../activities/inventory/ledger';
import { createLedgerReads } from '../../../activities/inventory/ledger-reads';
import { pickUpPass } from '../../../activities/inventory/stock-pickup';
import { createOutboxActivities } from '../../../activities/platform/outbox';
import { ShopifyClient } from '../../../connectors/shopify';
import { createPool, pimDb, storeDb, type PimDb, type StoreDb } from '../../../db/client';
import { seedDemoData } from '../../../db/seed';
import { startShopifySandbox, type SandboxOptions, type ShopifySandbox } from '../../../sandbox/shopify';
import type { Client } from '@temporalio/client';
import { freshDatabases } from '../db';

export interface CatalogFixture {
  sandbox: ShopifySandbox;
  shopify: ShopifyClient;
  pim: PimDb;
  store: StoreDb;
  urls: Awaited<ReturnType<typeof freshDatabases>>;
  activities: { shopify: Record<string, (...a: never[]) => unknown>; data: Record<string, (...a: never[]) => unknown> };
  /**
   * Runs the store pickup (store DB → stock ledger) until it has nothing new, as the stack's continuous pickup
   * would: publication offers the ledger's stock. The fixture runs it once after seeding; a test that edits the
   * store DB's stock runs it again.
   */
  pickUp(): Promise<void>;
  close(): Promise<void>;
}

/** Fresh databases seeded with `products` demo products, a sandbox shop, and the catalogue activities wired to both. */
export async function catalogFixture(opts: {
  products: number;
  /** Id of the first product (default 1). */
  firstId?: number;
  sandbox?: SandboxOptions;
  temporal: () => Promise<Client>;
}): Promise<CatalogFixture> {
  const urls = await freshDatabases();
  const pools = [createPool(urls.pim), createPool(urls.store), createPool(urls.inventory)] as const;
  const pim = pimDb(pools[0]);
  const store = storeDb(pools[1]);
  await seedDemoData({ pim, store }, { products: opts.products, seed: 5, firstId: opts.firstId });
  const sandbox = await startShopifySandbox({ plan: 'plus', ...opts.sandbox });
  // A shop name of its own: the cost budget is per shop and per process.
  const shopify = new ShopifyClient({
    shop: `t-${randomUUID().slice(0, 8)}.myshopify.com`,
    accessToken: sandbox.accessToken,
    adminUrl: sandbox.adminGraphqlUrl,
  });
  const config = loadConfig();
  const s3 = createS3Client(config.aws);
  const ledgerPools = { pim: pools[0], store: pools[1], inventory: pools[2] };
  const pickUp = async () => {
    // A ledger per call: its store list is cached, and a test may add a store between calls.
    const ledger = createLedger({ ...ledgerPools, s3, quarantineBucket: config.aws.buckets.quarantine });
    while ((await pickUpPass({ ...ledgerPools, ledger })).applied > 0);
  };
  await pickUp();
  const push = createStockPushActivities({ ...ledgerPools, shopify, reads: createLedgerReads(ledgerPools) });
  const inventory = createInventoryActivities({ pim, store, shopify, push: push.pushSkus });
  // No location mappings made here: the inventory activity matches Shopify locations itself, as on a real stack.
  return {
    sandbox,
    shopify,
    pim,
    store,
    urls,
    activities: {
      shopify: withTemporalFailures({
        ...createCatalogActivities({ pim, shopify }),
        ...inventory,
        ...createCatalogSyncActivities({ pim, shopify, temporal: opts.temporal }),
        ...createBackfillActivities({ pim, shopify, s3, bucket: config.aws.buckets.lake }),
      }),
      data: withTemporalFailures(createOutboxActivities({ pim, temporal: opts.temporal })),
    },
    pickUp,
    async close() {
      await sandbox.close();
      s3.destroy();
      await Promise.all(pools.map((p) => p.end()));
      await urls.drop();
    },
  };
}
