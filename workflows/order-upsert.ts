import { defineSignal, proxyActivities, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { createOrderActivities } from '../activities/orders';
import { SA } from '../domain/search-attributes';
import { taskQueueFor } from '../domain/task-queues';

export const orderChangedSignal = defineSignal<[{ topic: string }]>('orderChanged');

/**
 * Upserts one order after its webhooks, id `order/<shop>/<orderId>`. Deliveries during an upsert coalesce
 * into one more read of the order from Shopify (so the newest version always lands).
 */
export async function orderUpsert(input: {
  shop: string;
  orderGid: string;
}): Promise<{ reads: number; outcome: string }> {
  const { upsertOrderById } = proxyActivities<ReturnType<typeof createOrderActivities>>({
    taskQueue: taskQueueFor('shopify', workflowInfo().taskQueue),
    startToCloseTimeout: '1 minute',
  });
  let dirty = true;
  setHandler(orderChangedSignal, () => void (dirty = true));
  upsertSearchAttributes([
    { key: SA.Pipeline, value: 'order-webhook' },
    { key: SA.Channel, value: 'shopify' },
    { key: SA.OrderId, value: input.orderGid },
  ]);
  let reads = 0;
  let outcome = 'none';
  while (dirty) {
    dirty = false;
    outcome = await upsertOrderById(input.orderGid);
    reads++;
  }
  upsertSearchAttributes([{ key: SA.SyncStatus, value: outcome === 'missing' ? 'Failed' : 'Synced' }]);
  return { reads, outcome };
}
