import type { Client } from '@temporalio/client';
import type { Pool } from 'mysql2/promise';
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

/**
 * Marks SKUs (or every SKU the ledger has) for a push whatever their signature: a rules change, a reconciliation's
 * correction, an operator's resync. The batched pusher takes them from sku_sync like any ledger change; call
 * `wakeStockPusher` afterwards. A SKU without a row gets one (nothing has been pushed for it).
 */
export async function requestStockPush(inventory: Pool, skus: readonly string[] | 'all'): Promise<number> {
  // A new version and no signature, not a lowered pushed_version: a pass that read the old version before this call
  // and marks it pushed after would otherwise take the request with it (its markPushed keeps no signature of a
  // version older than the ledger's, so the next pass reads and compares).
  const force = 'pushed_signature = NULL, ledger_version = ledger_version + 1, changed_at = VALUES(changed_at)';
  if (skus === 'all') {
    const [r] = await inventory.query(
      'UPDATE sku_sync SET pushed_signature = NULL, ledger_version = ledger_version + 1, changed_at = ?',
      [new Date()],
    );
    return (r as { affectedRows: number }).affectedRows;
  }
  const now = new Date();
  for (let i = 0; i < skus.length; i += 1000)
    await inventory.query(
      `INSERT INTO sku_sync (sku, ledger_version, pushed_version, changed_at) VALUES ? ON DUPLICATE KEY UPDATE ${force}`,
      [skus.slice(i, i + 1000).map((sku) => [sku, 1, 0, now])],
    );
  return skus.length;
}

/**
 * Marks SKUs pending for the batched pusher without clearing their signature: something the Shopify offer is capped
 * by changed outside the ledger (an Amazon channel confirmed a new quantity, so its exposure moved). The pusher works
 * the offer out again and writes only if it differs from the last push. Call `wakeStockPusher` afterwards.
 */
export async function requestStockCheck(inventory: Pool, skus: readonly string[]): Promise<void> {
  const now = new Date();
  for (let i = 0; i < skus.length; i += 1000)
    await inventory.query(
      // A new version, not a lowered pushed_version: a pass that read the old version before this call and marks it
      // pushed after would otherwise take the request with it (cross-channel run: Shopify left 1 below).
      'INSERT INTO sku_sync (sku, ledger_version, pushed_version, changed_at) VALUES ? ON DUPLICATE KEY UPDATE ' +
        'ledger_version = ledger_version + 1, changed_at = VALUES(changed_at)',
      [skus.slice(i, i + 1000).map((sku) => [sku, 1, 0, now])],
    );
}
