import type { Client } from '@temporalio/client';
import { inventorySyncRun, stockPushRun } from '../../domain/inventory/run-summaries';
import { SA } from '../../domain/platform/search-attributes';

/** Starts (or signals the running) `inventory-sync/<sku>`: the SKU's ledger changed, or an operator asked. */
export async function signalStockChanged(client: Client, taskQueue: string, sku: string, storeCode?: string) {
  await client.workflow.signalWithStart<(input: { sku: string }) => Promise<unknown>, [{ storeCode?: string }]>(
    'inventorySync',
    {
      workflowId: `inventory-sync/${sku}`,
      taskQueue,
      args: [{ sku }],
      signal: 'resync',
      signalArgs: [storeCode ? { storeCode } : {}],
      ...inventorySyncRun(sku, storeCode),
      typedSearchAttributes: [
        { key: SA.Sku, value: [sku] },
        { key: SA.Pipeline, value: 'inventory-sync' },
        { key: SA.Channel, value: 'shopify' },
        { key: SA.SyncStatus, value: 'Pending' },
        ...(storeCode ? [{ key: SA.StoreCode, value: storeCode }] : []),
      ],
    },
  );
}

/** Signals many SKUs, 32 at a time; `progress` runs after each group (an activity heartbeats there). */
export async function signalStockChangedMany(
  client: Client,
  taskQueue: string,
  changes: { sku: string; storeCode?: string }[],
  progress: () => void = () => undefined,
) {
  for (let i = 0; i < changes.length; i += 32) {
    await Promise.all(changes.slice(i, i + 32).map((c) => signalStockChanged(client, taskQueue, c.sku, c.storeCode)));
    progress();
  }
}

/** The batched pusher's id on a Shopify task queue: one per queue (a worker fleet), not per SKU. */
export const stockPushId = (taskQueue: string) => `inventory-push/${taskQueue}`;

/**
 * Wakes (or starts) `inventory-push/<queue>` after a ledger commit: it reads what is pending from sku_sync, so one
 * wake-up serves every SKU the commit changed.
 */
export async function wakeStockPusher(client: Client, taskQueue: string) {
  await client.workflow.signalWithStart('stockPush', {
    workflowId: stockPushId(taskQueue),
    taskQueue,
    args: [{}],
    signal: 'stockChanged',
    signalArgs: [],
    ...stockPushRun(),
    typedSearchAttributes: [
      { key: SA.Pipeline, value: 'inventory-push' },
      { key: SA.Channel, value: 'shopify' },
      { key: SA.SyncStatus, value: 'Pending' },
    ],
  });
}
