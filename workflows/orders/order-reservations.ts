import {
  condition,
  continueAsNew,
  defineSignal,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createLedgerQueueActivities } from '../../activities/orders/ledger-queue';
import { SA } from '../../domain/platform/search-attributes';
import { taskQueueFor } from '../../domain/platform/task-queues';
import { thousands } from '../../domain/platform/run-summary';
import { withSummary } from '../platform/activity-summary';

export const stockQueuedSignal = defineSignal('stockQueued');

export interface OrderReservationsInput {
  shop: string;
  /** Orders per ledger batch. */
  batch?: number;
  /** With nothing queued: look again after this long (a lost signal), and end after `idleRounds` such looks. */
  sweepMs?: number;
  idleRounds?: number;
  totals?: { orders: number; applied: number; incidents: number };
}

/**
 * `order-reservations/<shop>`: applies the stock the order writes queued (orders DB `ledger_queue`) to the ledger
 * in batches, off the webhook's path. Started or woken by the writes' signal; drains until the queue is empty,
 * then waits for the next signal, sweeping now and then for one that was lost, and ends when idle (the next
 * write starts it again). A batch is keyed by order line in the ledger, so a batch retried after a crash counts once.
 */
export async function orderReservations(input: OrderReservationsInput): Promise<OrderReservationsInput['totals']> {
  upsertSearchAttributes([
    { key: SA.Pipeline, value: 'order-reservations' },
    { key: SA.Channel, value: 'shopify' },
    { key: SA.SyncStatus, value: 'Running' },
  ]);
  const a = proxyActivities<ReturnType<typeof createLedgerQueueActivities>>({
    taskQueue: taskQueueFor('data', workflowInfo().taskQueue),
    startToCloseTimeout: '2 minutes',
    // The activity heartbeats every second (keepAlive): a batch a killed worker held is retried after 5 s, not 2
    // minutes, in which every channel offered the units of the orders it held as if they were free.
    heartbeatTimeout: '5 seconds',
    retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds' },
  });
  let signalled = false;
  setHandler(stockQueuedSignal, () => void (signalled = true));
  const totals = input.totals ?? { orders: 0, applied: 0, incidents: 0 };
  const batch = input.batch ?? 50;
  let idle = 0;
  while (!workflowInfo().continueAsNewSuggested) {
    // Reset before the drain: a signal that arrives during it means "look again".
    signalled = false;
    const r = await withSummary(a, `apply up to ${batch} queued orders to the ledger`).applyQueuedReservations(batch);
    totals.orders += r.orders;
    totals.applied += r.applied;
    totals.incidents += r.incidents;
    setCurrentDetails(
      `**${r.more ? 'draining' : 'waiting'}** · ${thousands(totals.orders)} orders, ${thousands(totals.applied)} ` +
        `movements applied, ${thousands(totals.incidents)} incidents · ${thousands(r.left)} queued`,
    );
    if (r.more) continue;
    if (r.orders) idle = 0;
    const woke = await condition(() => signalled, input.sweepMs ?? 30_000);
    if (woke || signalled) idle = 0;
    else if (++idle >= (input.idleRounds ?? 4)) {
      upsertSearchAttributes([{ key: SA.SyncStatus, value: 'Completed' }]);
      return totals;
    }
  }
  await continueAsNew<typeof orderReservations>({ ...input, totals });
}
