import { ApplicationFailure, Context } from '@temporalio/activity';
import type { OrdersDb } from '../../db/client';
import {
  getOrderRefunds,
  ShopifyClient,
  startBulkQuery,
  streamBulkResults,
  waitForBulkOperation,
  type BulkOperationInfo,
} from '../../connectors/shopify';
import { BulkOrderAssembler, ordersBulkQueryFor } from '../../domain/orders/orders-bulk';
import { toOrderRows, type GqlOrder } from '../../domain/orders/orders';
import { CURRENT_BULK_QUERY } from './orders-documents';
import { upsertOrders } from './orders-store';

export interface BulkIngestProgress {
  /** JSONL lines of whole orders already written: where a retried attempt starts reading. */
  line: number;
  orders: number;
  inserted: number;
  updated: number;
  stale: number;
  lineItems: number;
  flagged: number[];
  /** Orders refused as conflicting writes (recorded in order_write_conflicts). */
  conflicts?: number;
}

const BATCH = 500;
/** Refund reads in flight at once while a batch is completed (each waits its turn in the shop's cost budget). */
const REFUND_READS = 4;

/** Historical backfill: one Shopify bulk query per date range, streamed from its JSONL into the orders database. */
export function createOrdersBulkActivities(deps: { orders: OrdersDb; shopify: ShopifyClient; shop: string }) {
  // bulkOperationRunQuery is not idempotent: a client-side retry after a lost reply would start a second
  // operation. This client never retries; the activity decides, after asking Shopify what exists.
  const once = new ShopifyClient({ ...deps.shopify.config, maxAttempts: 1 });
  const adopt = async (query: string, notBefore: number) => {
    const { currentBulkOperation: cur } = await deps.shopify.request(CURRENT_BULK_QUERY, {});
    return cur && cur.query === query && Date.parse(cur.createdAt) >= notBefore && cur.status !== 'CANCELED'
      ? cur.id
      : null;
  };

  /**
   * A bulk query cannot select a connection inside a list field (`Order.refunds` is a list), so its orders carry
   * refunds without their lines. Those are read per order before the write; an order that can no longer be
   * read keeps its refunds without lines, which the write treats as partial (it deletes no refund line).
   */
  const withRefundLines = async (orders: GqlOrder[]) => {
    const todo = orders.filter((o) => o.refunds?.length);
    const next = async (): Promise<void> => {
      const o = todo.pop();
      if (!o) return;
      const refunds = await getOrderRefunds(deps.shopify, o.id);
      if (refunds) o.refunds = refunds as unknown as GqlOrder['refunds'];
      return next();
    };
    await Promise.all(Array.from({ length: REFUND_READS }, next));
    return orders;
  };

  return {
    /** Starts the bulk query for orders created in [from, to); a retried attempt adopts the one it already started. */
    async startOrdersBulk(from: string, to: string): Promise<string> {
      const query = ordersBulkQueryFor(from, to);
      const notBefore = Context.current().info.scheduledTimestampMs - 5_000;
      if (Context.current().info.attempt > 1) {
        const existing = await adopt(query, notBefore);
        if (existing) return existing;
      }
      try {
        return (await startBulkQuery(once, query)).id;
      } catch (err) {
        const existing = await adopt(query, notBefore).catch(() => null);
        if (existing) return existing;
        throw err;
      }
    },

    /**
     * Waits for the operation, then streams its result into the database in batches, heartbeating the
     * line reached after each durable write; a retry (new worker) skips what was written and goes on.
     */
    async ingestOrdersBulk(
      operationId: string,
      batchSize = BATCH,
    ): Promise<BulkIngestProgress & { operationId: string }> {
      const ctx = Context.current();
      const p: BulkIngestProgress = (ctx.info.heartbeatDetails as BulkIngestProgress | undefined) ?? {
        line: 0,
        orders: 0,
        inserted: 0,
        updated: 0,
        stale: 0,
        lineItems: 0,
        flagged: [],
      };
      const op: BulkOperationInfo = await waitForBulkOperation(deps.shopify, operationId, {
        intervalMs: 300,
        onPoll: () => ctx.heartbeat(p),
      });
      if (op.status !== 'COMPLETED')
        throw ApplicationFailure.nonRetryable(
          `bulk operation ${operationId} ended ${op.status} (${op.errorCode ?? 'no error code'})`,
          'BulkOperationFailed',
        );
      if (!op.url) return { ...p, operationId };
      const assembler = new BulkOrderAssembler();
      let batch: GqlOrder[] = [];
      let batchEnd = p.line;
      // One batch is written while the next is read and joined; writes stay in order, so a checkpoint
      // (the end line of the last written batch) never covers an order that is not in the database.
      const write = async (orders: GqlOrder[], endLine: number) => {
        const rows = (await withRefundLines(orders)).map((o) => toOrderRows(o, deps.shop));
        const outcomes = await upsertOrders(deps.orders, rows);
        p.orders += rows.length;
        p.inserted += outcomes.filter((o) => o === 'inserted').length;
        p.updated += outcomes.filter((o) => o === 'updated').length;
        p.stale += outcomes.filter((o) => o === 'stale').length;
        p.conflicts = (p.conflicts ?? 0) + outcomes.filter((o) => o === 'conflict').length;
        p.lineItems += rows.reduce((n, r) => n + r.lineItems.length, 0);
        for (const r of rows)
          if ((r.order.validationFlags || r.order.flaggedHighRisk) && p.flagged.length < 1000)
            p.flagged.push(r.order.id);
        p.line = endLine;
        ctx.heartbeat(p);
      };
      let inflight: Promise<void> = Promise.resolve();
      const flush = async () => {
        await inflight;
        if (!batch.length) return;
        inflight = write(batch, batchEnd);
        inflight.catch(() => undefined); // observed by the next flush; not an unhandled rejection meanwhile
        batch = [];
      };
      let index = 0;
      for await (const line of streamBulkResults(op.url)) {
        if (index++ < p.line) continue;
        const done = assembler.push(line);
        if (!done) continue;
        batch.push(done);
        batchEnd = index - 1; // the line just read starts the next order
        if (batch.length >= batchSize) await flush();
      }
      const last = assembler.finish();
      if (last) batch.push(last);
      batchEnd = index;
      await flush();
      await inflight;
      return { ...p, operationId };
    },
  };
}
