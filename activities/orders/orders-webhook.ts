import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { OrdersDb } from '../../db/client';
import { toOrderRows } from '../../domain/orders/orders';
import { MalformedOrderPayload, restOrderToGql } from '../../domain/orders/orders-rest';
import type { StockQueueNudge } from './ledger-queue';
import { failOnConflict } from './orders-conflicts';
import { upsertOrderReporting, type UpsertOutcome } from './orders-store';
import { keptAlive } from '../channels/keep-alive';

/**
 * Orders from webhook bodies. The receiver archives every delivery to S3 and hands the order workflow only the
 * object key, so order data stays out of workflow history; the upsert reads the body back from the archive.
 * It costs no Admin API points, which is what keeps webhook → row latency low under a busy storefront.
 */
export function createOrderWebhookActivities(deps: {
  orders: OrdersDb;
  s3: S3Client;
  archiveBucket: string;
  shop: string;
  /**
   * The ledger's reservations: given, a stored order's stock is queued with its rows and this nudge wakes
   * `orderReservations` (the write does not wait for the ledger).
   */
  nudgeStock?: StockQueueNudge;
}) {
  return keptAlive({
    /** 'unreadable' when the archived body is not an order (the workflow then reads the order from Shopify). */
    async upsertOrderFromArchive(key: string): Promise<UpsertOutcome | 'unreadable'> {
      const obj = await deps.s3.send(new GetObjectCommand({ Bucket: deps.archiveBucket, Key: key }));
      let rows;
      try {
        rows = toOrderRows(restOrderToGql(JSON.parse(await obj.Body!.transformToString())), deps.shop);
      } catch (err) {
        if (err instanceof MalformedOrderPayload || err instanceof SyntaxError) return 'unreadable';
        throw err;
      }
      const { outcome, conflicts } = await upsertOrderReporting(deps.orders, rows, { queueStock: !!deps.nudgeStock });
      if (deps.nudgeStock && (outcome === 'inserted' || outcome === 'updated')) deps.nudgeStock();
      return failOnConflict(outcome, rows.order.id, conflicts);
    },
  });
}
