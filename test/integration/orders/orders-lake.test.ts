import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { MockActivityEnvironment } from '@temporalio/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrdersLakeActivities } from '../../../activities/orders/orders-lake';
import { createPool, ordersDb, type OrdersDb } from '../../../db/client';
import { lineItems, orders } from '../../../db/orders/schema';
import { createDynamoClient, ensureTables } from '../../../lake/dynamo-tables';
import { mysqlLakeLock } from '../../../lake/lake-lock';
import { openLakeQuery } from '../../../lake/lake-query';
import { createS3Client, ensureBuckets } from '../../../lake/s3';
import { loadConfig } from '../../../workers/config';
import { freshDatabases } from '../../support/db';

/** The orders DB → lake export (Parquet): catch-up of days no run exported, late updates re-exported into their day. */
describe('orders to lake (Parquet, catch-up)', () => {
  const config = loadConfig();
  const s3 = createS3Client(config.aws);
  const dynamo = createDynamoClient(config.aws);
  const bucket = `orders-lake-${randomUUID().slice(0, 8)}`;
  const prefix = `${config.aws.tablePrefix}ol${randomUUID().slice(0, 6)}-`;
  let dbs: Awaited<ReturnType<typeof freshDatabases>>;
  let pool: ReturnType<typeof createPool>;
  let db: OrdersDb;
  let acts: ReturnType<typeof createOrdersLakeActivities>;
  let nextId = 1;

  beforeAll(async () => {
    dbs = await freshDatabases();
    pool = createPool(dbs.orders);
    db = ordersDb(pool);
    await ensureBuckets(s3, [bucket]);
    await ensureTables(dynamo, prefix);
    acts = createOrdersLakeActivities({
      orders: db,
      lake: { s3, bucket, quarantineBucket: config.aws.buckets.quarantine, lock: mysqlLakeLock(pool) },
      dynamo,
      tablePrefix: prefix,
    });
  });
  afterAll(async () => {
    await pool?.end();
    await dbs?.drop();
    s3.destroy();
    dynamo.destroy();
  });

  /** `count` orders created on `day`, each with a grocery basket of 20 lines. */
  async function place(day: string, count: number) {
    for (let i = 0; i < count; i++) {
      const id = nextId++;
      const at = new Date(`${day}T${String(8 + (i % 12)).padStart(2, '0')}:00:00.000Z`);
      await db.insert(orders).values({
        id,
        shop: 'lake.myshopify.com',
        name: `#${1000 + id}`,
        currency: 'BBD',
        subtotal: '10.00',
        totalTax: '1.75',
        total: '11.75',
        createdAtShopify: at,
        updatedAtShopify: at,
      });
      await db.insert(lineItems).values(
        Array.from({ length: 20 }, (_, l) => ({
          id: id * 100 + l,
          orderId: id,
          sku: `SKU-${l}`,
          title: 'Bananas',
          quantity: 1,
          price: '0.50',
        })),
      );
    }
  }
  const env = new MockActivityEnvironment();
  const exportChanged = () => env.run(acts.exportOrdersChanged) as ReturnType<typeof acts.exportOrdersChanged>;
  async function lake(sql: string) {
    const q = await openLakeQuery({ aws: config.aws, s3, bucket, cacheDir: os.tmpdir() });
    try {
      return await q.query(sql);
    } finally {
      q.close();
    }
  }

  it('exports every day not yet exported, re-exports a late update into its day, never duplicates', async () => {
    await place('2026-11-01', 3);
    await place('2026-11-02', 2);
    expect((await exportChanged()).days).toEqual(['2026-11-01', '2026-11-02']);
    // Two days pass without a run: both are caught up by the next one.
    await place('2026-11-03', 2);
    await place('2026-11-04', 1);
    const caughtUp = await exportChanged();
    expect(caughtUp.days).toEqual(expect.arrayContaining(['2026-11-03', '2026-11-04']));
    // A late refund on an order of the 1st re-exports that day.
    await db
      .update(orders)
      .set({ totalRefunded: '11.75', financialStatus: 'REFUNDED', updatedAtShopify: new Date('2026-11-05T09:00:00Z') })
      .where(eq(orders.id, 2));
    const late = await exportChanged();
    expect(late.days).toContain('2026-11-01');
    await exportChanged(); // nothing new: only the overlap again
    expect(
      await lake(`SELECT dt::VARCHAR AS dt, count(*)::INT AS n FROM orders_db.orders GROUP BY dt ORDER BY dt`),
    ).toEqual([
      { dt: '2026-11-01', n: 3 },
      { dt: '2026-11-02', n: 2 },
      { dt: '2026-11-03', n: 2 },
      { dt: '2026-11-04', n: 1 },
    ]);
    expect(
      await lake(`SELECT financial_status AS s, total_refunded::VARCHAR AS r FROM orders_db.orders WHERE order_id = 2`),
    ).toEqual([{ s: 'REFUNDED', r: '11.75' }]);
    expect(
      await lake(`SELECT count(*)::INT AS n, count(DISTINCT line_item_id)::INT AS d FROM orders_db.line_items`),
    ).toEqual([{ n: 160, d: 160 }]);
  });

  it('re-exporting one day by name writes the same rows', async () => {
    const first = await (env.run(acts.exportOrdersDay, '2026-11-01') as ReturnType<typeof acts.exportOrdersDay>);
    const again = await (env.run(acts.exportOrdersDay, '2026-11-01') as ReturnType<typeof acts.exportOrdersDay>);
    expect({ ...again, timings: null }).toEqual({ ...first, timings: null });
    expect(first.orders).toBe(3);
    expect(await lake(`SELECT count(*)::INT AS n FROM orders_db.orders WHERE dt = '2026-11-01'`)).toEqual([{ n: 3 }]);
  });
});
