import {
  defineSignal,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createOrderActivities } from '../../activities/orders/orders';
import type { createOrderWebhookActivities } from '../../activities/orders/orders-webhook';
import { SA } from '../../domain/platform/search-attributes';
import { taskQueueFor } from '../../domain/platform/task-queues';
import { baseName } from '../../domain/platform/run-summary';
import { withSummary } from '../platform/activity-summary';

/** One webhook delivery for the order: its topic and, for order bodies, where the receiver archived it. */
export interface OrderDelivery {
  topic: string;
  archiveKey?: string;
  updatedAt?: string;
}
export const orderChangedSignal = defineSignal<[OrderDelivery]>('orderChanged');

const fromBody = (d: OrderDelivery) => !!d.archiveKey && (d.topic === 'orders/create' || d.topic === 'orders/updated');

/**
 * Upserts one order after its webhooks, id `order/<shop>/<orderId>`. An orders/create or orders/updated body is
 * upserted straight from its S3 archive (no Admin API call, guarded by updatedAt so order of arrival does not
 * matter); a risk change, or a body that cannot be read, re-reads the order from Shopify, which also carries
 * Order.risk. Deliveries that arrive meanwhile coalesce into the next pass.
 */
export async function orderUpsert(input: {
  shop: string;
  orderGid: string;
}): Promise<{ passes: number; reads: number; outcome: string }> {
  // Both activities heartbeat (keepAlive): one a killed worker held is retried after 15 s, not its whole timeout,
  // in which the ledger (and every channel's offer) would not know the order's units are taken.
  const shopify = proxyActivities<ReturnType<typeof createOrderActivities>>({
    taskQueue: taskQueueFor('shopify', workflowInfo().taskQueue),
    startToCloseTimeout: '1 minute',
    heartbeatTimeout: '15 seconds',
  });
  const data = proxyActivities<ReturnType<typeof createOrderWebhookActivities>>({
    taskQueue: taskQueueFor('data', workflowInfo().taskQueue),
    startToCloseTimeout: '30 seconds',
    heartbeatTimeout: '15 seconds',
  });
  // A signal-less start (e.g. from the CLI) means: read the order from Shopify.
  let pending: OrderDelivery[] = [];
  let started = false;
  setHandler(orderChangedSignal, (d) => void pending.push(d));
  upsertSearchAttributes([
    { key: SA.Pipeline, value: 'order-webhook' },
    { key: SA.Channel, value: 'shopify' },
    { key: SA.OrderId, value: input.orderGid },
  ]);
  let passes = 0;
  let reads = 0;
  let outcome = 'none';
  while (pending.length || !started) {
    started = true;
    const batch = pending;
    pending = [];
    passes++;
    // The newest body is enough: older ones would be ignored by the updatedAt guard anyway.
    const bodies = batch.filter(fromBody).sort((a, b) => (a.updatedAt ?? '').localeCompare(b.updatedAt ?? ''));
    let needsRead = !batch.length || batch.some((d) => !fromBody(d));
    const newest = bodies.at(-1);
    if (newest) {
      outcome = await withSummary(
        data,
        `upsert from webhook body ${baseName(newest.archiveKey!)}`,
      ).upsertOrderFromArchive(newest.archiveKey!);
      if (outcome === 'unreadable') needsRead = true;
    }
    if (needsRead) {
      outcome = await withSummary(shopify, `read ${input.orderGid} from Shopify`).upsertOrderById(input.orderGid);
      reads++;
    }
    setCurrentDetails(`**${outcome}** · pass ${passes} · ${reads} Shopify reads · ${batch.length} deliveries`);
  }
  upsertSearchAttributes([{ key: SA.SyncStatus, value: outcome === 'missing' ? 'Failed' : 'Synced' }]);
  return { passes, reads, outcome };
}
