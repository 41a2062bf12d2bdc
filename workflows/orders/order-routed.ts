import { proxyActivities, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { createOrderActivities } from '../../activities/orders/orders';
import { SA } from '../../domain/platform/search-attributes';
import { taskQueueFor } from '../../domain/platform/task-queues';
import { withSummary } from '../platform/activity-summary';

/**
 * After fulfillment_orders/order_routing_complete, id `order-routing/<shop>/<fulfillmentOrderId>`: the webhook names
 * only the fulfillment order, so this finds its order (a 3-point query) and re-reads the order with its fulfillment
 * orders. The re-read queues the order's stock with each line's assigned location, and `reserveForOrders` moves a
 * reservation made elsewhere (an orders/create body carries no fulfillment orders) to where Shopify committed it.
 */
export async function orderRouted(input: {
  shop: string;
  fulfillmentOrderGid: string;
}): Promise<{ orderGid: string | null; outcome: string }> {
  const shopify = proxyActivities<ReturnType<typeof createOrderActivities>>({
    taskQueue: taskQueueFor('shopify', workflowInfo().taskQueue),
    startToCloseTimeout: '1 minute',
  });
  upsertSearchAttributes([
    { key: SA.Pipeline, value: 'order-webhook' },
    { key: SA.Channel, value: 'shopify' },
  ]);
  const orderGid = await withSummary(shopify, `find the order of ${input.fulfillmentOrderGid}`).orderOfFulfillmentOrder(
    input.fulfillmentOrderGid,
  );
  if (!orderGid) {
    setCurrentDetails(`**missing** · Shopify has no ${input.fulfillmentOrderGid}`);
    upsertSearchAttributes([{ key: SA.SyncStatus, value: 'Skipped' }]);
    return { orderGid: null, outcome: 'missing' };
  }
  upsertSearchAttributes([{ key: SA.OrderId, value: orderGid }]);
  const outcome = await withSummary(shopify, `read ${orderGid} and its fulfillment orders`).upsertOrderById(orderGid);
  setCurrentDetails(`**${outcome}** · ${orderGid} routed (${input.fulfillmentOrderGid})`);
  upsertSearchAttributes([{ key: SA.SyncStatus, value: outcome === 'missing' ? 'Failed' : 'Synced' }]);
  return { orderGid, outcome };
}
