import { Context } from '@temporalio/activity';
import type { Pool } from 'mysql2/promise';
import type { OrdersDb } from '../../db/client';
import { getOrder, listOrders, type ShopifyClient } from '../../connectors/shopify';
import { nextWindow, toOrderRows, type GqlOrder } from '../../domain/orders/orders';
import { nudgeIfQueued, type StockQueueNudge } from './ledger-queue';
import { failOnConflict } from './orders-conflicts';
import { readCursor, saveCursor, upsertOrderReporting, upsertOrders, type UpsertOutcome } from './orders-store';
import { keepAlive } from '../channels/keep-alive';

const poolOf = (db: OrdersDb) => (db as unknown as { $client: Pool }).$client;

export interface PageResult {
  count: number;
  inserted: number;
  updated: number;
  stale: number;
  flagged: number[];
  /** Orders refused as conflicting writes (recorded in order_write_conflicts); the window goes on. */
  conflicts: number[];
  endCursor: string | null;
  hasNext: boolean;
}

/** Shopify → orders database: windows of updated orders, single orders (webhooks), and the ingest cursor. */
export function createOrderActivities(deps: {
  orders: OrdersDb;
  shopify: ShopifyClient;
  shop: string;
  /**
   * The ledger's reservations: given, stored orders' stock is queued with their rows and this nudge wakes
   * `orderReservations` (the write does not wait for the ledger).
   */
  nudgeStock?: StockQueueNudge;
}) {
  const queueStock = !!deps.nudgeStock;
  const stored = (outcomes: UpsertOutcome[]) => {
    if (deps.nudgeStock && outcomes.some((o) => o === 'inserted' || o === 'updated')) deps.nudgeStock();
  };
  const tally = (outcomes: UpsertOutcome[]) => ({
    inserted: outcomes.filter((o) => o === 'inserted').length,
    updated: outcomes.filter((o) => o === 'updated').length,
    stale: outcomes.filter((o) => o === 'stale').length,
  });
  return {
    async ingestWindow(pipeline: string, overlapMs: number, lookbackMs: number): Promise<{ from: string; to: string }> {
      // Each ingest run also sweeps the ledger queue: a nudge lost to a crash is made up here.
      if (deps.nudgeStock) await nudgeIfQueued(poolOf(deps.orders), deps.nudgeStock);
      return nextWindow(await readCursor(deps.orders, pipeline, deps.shop), new Date(), overlapMs, lookbackMs);
    },

    /** Fetches pages of the window and upserts them; stops after `maxPages` so the workflow can checkpoint the cursor. */
    async ingestPages(
      window: { from: string; to: string },
      after: string | null,
      maxPages: number,
    ): Promise<PageResult> {
      const result: PageResult = {
        count: 0,
        inserted: 0,
        updated: 0,
        stale: 0,
        flagged: [],
        conflicts: [],
        endCursor: after,
        hasNext: true,
      };
      for (let page = 0; page < maxPages && result.hasNext; page++) {
        const conn = await listOrders(deps.shopify, {
          updatedAtMin: window.from,
          updatedAtMax: window.to,
          after: result.endCursor,
          // Where each line is to be fulfilled, as a single-order read has it: the ledger reserves there.
          fulfillmentOrders: queueStock,
        });
        const rows = conn.nodes.map((order) => toOrderRows(order as unknown as GqlOrder, deps.shop));
        const outcomes = await upsertOrders(deps.orders, rows, [], { queueStock });
        stored(outcomes);
        for (const r of rows) if (r.order.validationFlags || r.order.flaggedHighRisk) result.flagged.push(r.order.id);
        outcomes.forEach((o, i) => o === 'conflict' && result.conflicts.push(rows[i]!.order.id));
        const t = tally(outcomes);
        result.count += conn.nodes.length;
        result.inserted += t.inserted;
        result.updated += t.updated;
        result.stale += t.stale;
        result.endCursor = conn.pageInfo.endCursor ?? result.endCursor;
        result.hasNext = conn.pageInfo.hasNextPage;
        Context.current().heartbeat(result.endCursor);
      }
      return result;
    },

    /** Advances the cursor; called only after the whole window is durably written. */
    async commitCursor(pipeline: string, to: string): Promise<void> {
      await saveCursor(deps.orders, pipeline, deps.shop, new Date(to));
    },

    /** Re-reads one order from Shopify (the webhook body is only a hint) and upserts it. */
    upsertOrderById: (orderGid: string): Promise<UpsertOutcome | 'missing'> =>
      keepAlive(async () => {
        const order = await getOrder(deps.shopify, orderGid);
        if (!order) return 'missing';
        const rows = toOrderRows(order as unknown as GqlOrder, deps.shop);
        const { outcome, conflicts } = await upsertOrderReporting(deps.orders, rows, { queueStock });
        stored([outcome]);
        return failOnConflict(outcome, rows.order.id, conflicts);
      }),
  };
}
