import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrderActivities } from '../../../activities/orders/orders';
import { withTemporalFailures } from '../../../activities/platform/failures';
import { ShopifyClient } from '../../../connectors/shopify';
import { createPool, ordersDb, type OrdersDb } from '../../../db/client';
import { snapshot } from '../../../ops/server';
import { startShopifySandbox, type ShopifySandbox } from '../../../sandbox/shopify';
import { orderUpsert, ordersIngest } from '../../../workflows';
import { freshDatabases } from '../../support/db';
import { temporalHarness, type TemporalHarness } from '../../support/temporal';

const num = (gid: string) => Number(gid.split('/').pop());

/**
 * A shop that hands out an id twice (the sandbox restarted without its data dir did) sends orders whose ids
 * belong to orders already stored. Such a write is refused, recorded in order_write_conflicts, shown on the ops
 * console, and fails once (single-order paths) or flags the run (windows); it is never retried forever
 * (before: ER_DUP_ENTRY on a line item id, retried by every attempt) and never overwrites the stored order.
 */
describe('conflicting order writes (ids reused by the source)', () => {
  let t: TemporalHarness;
  let first: ShopifySandbox;
  let dbs: Awaited<ReturnType<typeof freshDatabases>>;
  let pool: ReturnType<typeof createPool>;
  let pim: ReturnType<typeof createPool>;
  let db: OrdersDb;
  const shop = `conflict-${randomUUID().slice(0, 6)}.myshopify.com`;
  const restarted: ShopifySandbox[] = [];
  const client = (sb: ShopifySandbox) =>
    new ShopifyClient({ shop, accessToken: sb.accessToken, adminUrl: sb.adminGraphqlUrl, maxAttempts: 2 });
  /** The shop "restarted" without its data dir: ids and order numbers start again at 1000. */
  const restart = async () => {
    const sb = await startShopifySandbox({ plan: 'plus', shop });
    restarted.push(sb);
    return sb;
  };
  const conflicts = async () =>
    (
      (await pool.query(
        'SELECT order_id AS orderId, reason FROM order_write_conflicts ORDER BY reason',
      )) as unknown as [{ orderId: number; reason: string }[]]
    )[0].map((r) => ({ orderId: Number(r.orderId), reason: r.reason }));
  const stored = async (id: number) =>
    (
      (await pool.query(
        'SELECT name, created_at_shopify AS createdAt, (SELECT count(*) FROM line_items WHERE order_id = o.id) AS n FROM orders o WHERE id = ?',
        [id],
      )) as unknown as [{ name: string; createdAt: Date; n: number }[]]
    )[0][0];

  beforeAll(async () => {
    t = await temporalHarness('orders-conflicts');
    first = await startShopifySandbox({ plan: 'plus', shop });
    dbs = await freshDatabases();
    pool = createPool(dbs.orders);
    pim = createPool(dbs.pim);
    db = ordersDb(pool);
  });
  afterAll(async () => {
    await first?.close();
    for (const sb of restarted) await sb.close();
    await pool?.end();
    await pim?.end();
    await dbs?.drop();
    await t?.close();
  });

  it('a line item id another order owns: the order workflow fails at once (non-retryable), recorded and shown', async () => {
    const original = first.storefront.placeOrder({ lines: 20, refundRate: 0, highRiskRate: 0 });
    await createOrderActivities({ orders: db, shopify: client(first), shop }).upsertOrderById(original.id);
    const before = await stored(num(original.id));
    expect(Number(before!.n)).toBe(20);

    // After the restart a bigger basket takes ids 1001…: its lines reuse the stored order's line item ids.
    const sb = await restart();
    const clash = sb.storefront.placeOrder({ lines: 30, refundRate: 0, highRiskRate: 0 });
    expect(clash.id).not.toBe(original.id);
    const acts = withTemporalFailures(createOrderActivities({ orders: db, shopify: client(sb), shop }));
    const started = Date.now();
    const err = await t
      .withWorkers({ shopify: acts }, () =>
        t.client.workflow.execute(orderUpsert, {
          taskQueue: t.queue('shopify'),
          workflowId: `order/${shop}/${num(clash.id)}`,
          args: [{ shop, orderGid: clash.id }],
        }),
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause?.cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe('OrderWriteConflict');
    expect((cause as ApplicationFailure).message).toMatch(/LINE_ITEM_ID_OWNED/);
    expect(Date.now() - started).toBeLessThan(15_000); // one attempt, not a retry loop

    expect(await conflicts()).toContainEqual({ orderId: num(clash.id), reason: 'LINE_ITEM_ID_OWNED' });
    expect(await stored(num(clash.id))).toBeUndefined();
    expect(await stored(num(original.id))).toEqual(before); // the stored order keeps its lines

    const ops = await snapshot({ client: t.client, pim, orders: pool, benchDir: os.tmpdir() });
    expect(ops.syncErrors).toContainEqual(
      expect.objectContaining({ channel: 'shopify-orders', productId: num(clash.id), reason: 'LINE_ITEM_ID_OWNED' }),
    );
  }, 60_000);

  it('an order id reused by a different order: the window completes, the stored order is kept, the reuse recorded', async () => {
    const sb = await restart();
    // Same ids as the first shop's first order (same start, same storefront seed), placed a day later.
    const later = sb.storefront.placeOrder({ lines: 20, refundRate: 0, highRiskRate: 0 });
    const original = [...first.state.orders.values()][0]!;
    expect(later.id).toBe(original.id);
    later.createdAt = later.updatedAt = later.processedAt = new Date(Date.now() + 86_400_000).toISOString();
    const before = await stored(num(original.id));
    const acts = withTemporalFailures(createOrderActivities({ orders: db, shopify: client(sb), shop }));
    const result = await t.withWorkers({ shopify: acts }, () =>
      t.client.workflow.execute(ordersIngest, {
        taskQueue: t.queue('shopify'),
        workflowId: `orders-ingest/${shop}/${randomUUID()}`,
        args: [
          {
            shop,
            window: {
              from: new Date(Date.now() - 3_600_000).toISOString(),
              to: new Date(Date.now() + 2 * 86_400_000).toISOString(),
            },
          },
        ],
      }),
    );
    expect(result.count).toBeGreaterThanOrEqual(1);
    expect(result.flagged).toContain(num(original.id));
    expect(await stored(num(original.id))).toEqual(before);
    expect(await conflicts()).toContainEqual({ orderId: num(original.id), reason: 'ORDER_ID_REUSED' });
  }, 60_000);
});
