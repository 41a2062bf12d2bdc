import {
  condition,
  continueAsNew,
  defineSignal,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createOrderRoutingActivities } from '../../activities/orders/orders-routing';
import { SA } from '../../domain/platform/search-attributes';
import { thousands } from '../../domain/platform/run-summary';
import { taskQueueFor } from '../../domain/platform/task-queues';
import { withSummary } from '../platform/activity-summary';

/** A fulfillment order was routed (fulfillment_orders/order_routing_complete): its gid. */
export const fulfillmentOrderRoutedSignal = defineSignal<[string]>('fulfillmentOrderRouted');

export interface OrderRoutingInput {
  shop: string;
  /** Routed fulfillment orders not read yet (carried over a continue-as-new). */
  pending?: string[];
  /** After the first of a burst, wait this long for the rest (an order's fulfillment orders come together). */
  gatherMs?: number;
  /** Fulfillment orders per read activity. */
  batch?: number;
  /** End after this long with nothing routed (the next webhook starts it again). */
  idleMs?: number;
  totals?: { fulfillmentOrders: number; orders: number; missing: number };
}

/**
 * `order-routing/<shop>` (orderRoutingWorkflowId): the receiver signals each routed fulfillment order here. Shopify
 * announces routing once per fulfillment order, naming only its id; reading the whole order for each (the ORDER
 * document, ~540 points requested) spent more than Plus's 1,000 points/s at storefront rates and starved the stock
 * pusher. This gathers a burst (an order's fulfillment orders arrive together), reads the fulfillment orders
 * themselves in one request per 9 (assigned location and lines only: 6 + 2 points a line) and queues each order's
 * lines with their assigned locations once; `orderReservations` then moves a reservation held elsewhere.
 */
export async function orderRouting(input: OrderRoutingInput): Promise<OrderRoutingInput['totals']> {
  const a = proxyActivities<ReturnType<typeof createOrderRoutingActivities>>({
    taskQueue: taskQueueFor('shopify', workflowInfo().taskQueue),
    startToCloseTimeout: '2 minutes',
    heartbeatTimeout: '20 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
  });
  upsertSearchAttributes([
    { key: SA.Pipeline, value: 'order-routing' },
    { key: SA.Channel, value: 'shopify' },
    { key: SA.SyncStatus, value: 'Running' },
  ]);
  const pending = new Set(input.pending ?? []);
  setHandler(fulfillmentOrderRoutedSignal, (gid) => void pending.add(gid));
  const totals = input.totals ?? { fulfillmentOrders: 0, orders: 0, missing: 0 };
  const batch = input.batch ?? 45;
  while (!workflowInfo().continueAsNewSuggested) {
    if (!pending.size && !(await condition(() => pending.size > 0, input.idleMs ?? 30_000))) {
      upsertSearchAttributes([{ key: SA.SyncStatus, value: 'Completed' }]);
      return totals;
    }
    await sleep(input.gatherMs ?? 500);
    const ids = [...pending].slice(0, batch);
    for (const id of ids) pending.delete(id);
    const r = await withSummary(a, `read ${ids.length} routed fulfillment orders`).routeFulfillmentOrders(ids);
    totals.fulfillmentOrders += r.fulfillmentOrders;
    totals.orders += r.orders;
    totals.missing += r.missing.length;
    setCurrentDetails(
      `**${pending.size ? 'reading' : 'waiting'}** · ${thousands(totals.fulfillmentOrders)} fulfillment orders of ` +
        `${thousands(totals.orders)} orders read, ${thousands(totals.missing)} missing · ${pending.size} pending`,
    );
  }
  await continueAsNew<typeof orderRouting>({ ...input, pending: [...pending], totals });
}
