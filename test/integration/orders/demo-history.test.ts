import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrdersBulkActivities } from '../../../activities/orders/orders-bulk';
import { withTemporalFailures } from '../../../activities/platform/failures';
import { ShopifyClient } from '../../../connectors/shopify';
import { createPool, ordersDb, type OrdersDb } from '../../../db/client';
import { startShopifySandbox, type ShopifySandbox } from '../../../sandbox/shopify';
import { placeDemoHistory } from '../../../scripts/demo-history';
import { ordersBackfill } from '../../../workflows/orders';
import { freshDatabases } from '../../support/db';
import { temporalHarness, type TemporalHarness } from '../../support/temporal';

// #11: npm start's demo shop had no order older than 60 days, so the bulk history and the read_all_orders rule were
// never exercised by it. Its storefront now starts with 120 days of history, which the demo's orders backfill reads.
describe('the demo shop has months of order history, read by the bulk history', () => {
  let t: TemporalHarness;
  let sb: ShopifySandbox;
  let dbs: Awaited<ReturnType<typeof freshDatabases>>;
  let pool: ReturnType<typeof createPool>;
  let db: OrdersDb;
  const shop = `history-${randomUUID().slice(0, 6)}.myshopify.com`;
  beforeAll(async () => {
    t = await temporalHarness('demo-history');
    sb = await startShopifySandbox({ plan: 'plus', shop, bulkRowsPerSecond: 50_000 });
    dbs = await freshDatabases();
    pool = createPool(dbs.orders);
    db = ordersDb(pool);
  });
  afterAll(async () => {
    await sb?.close();
    await pool?.end();
    await dbs?.drop();
    await t?.close();
  });

  it('places orders older than 60 days and the demo window brings every one into the orders database', async () => {
    const history = placeDemoHistory(sb.storefront, 40);
    expect(history.orders).toBe(40);
    expect(history.olderThan60Days).toBeGreaterThan(5);
    const shopify = new ShopifyClient({ shop, accessToken: sb.accessToken, adminUrl: sb.adminGraphqlUrl });
    const result = await t.withWorkers(
      { shopify: withTemporalFailures(createOrdersBulkActivities({ orders: db, shopify, shop })) },
      () =>
        t.client.workflow.execute(ordersBackfill, {
          taskQueue: t.queue('shopify'),
          workflowId: `orders-backfill/${shop}/${randomUUID()}`,
          args: [{ from: history.from, to: history.to }],
        }),
    );
    expect(result.orders).toBe(40);
    const [old] = await db.execute(
      sql`SELECT count(*) AS n FROM orders WHERE created_at_shopify < ${new Date(Date.now() - 60 * 86_400_000)}`,
    );
    expect(Number((old as unknown as { n: number }[])[0]!.n)).toBe(history.olderThan60Days);
  }, 120_000);
});
