import {
  continueAsNew,
  defineQuery,
  defineSignal,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { createStockPushActivities, SkuPushResult } from '../../activities/inventory/stock-push';
import { SA, type SyncStatus } from '../../domain/platform/search-attributes';
import { taskQueueFor } from '../../domain/platform/task-queues';
import { withSummary } from '../platform/activity-summary';
import { pushUntilQuiet } from '../platform/push-until-quiet';

/** A ledger change of the SKU (after its commit), or an operator's re-push; `storeCode` names where it moved. */
export const stockChangedSignal = defineSignal<[{ storeCode?: string }]>('resync');
export const stockSyncQuery = defineQuery<StockSyncState>('status');

export interface StockSyncState {
  sku: string;
  pushes: number;
  signals: number;
  last?: SkuPushResult;
}

// Shopify calls: retried with backoff (the client retried THROTTLED and 5xx inside one attempt already).
const shopifyCalls = () =>
  proxyActivities<ReturnType<typeof createStockPushActivities>>({
    taskQueue: taskQueueFor('shopify', workflowInfo().taskQueue),
    startToCloseTimeout: '1 minute',
    retry: {
      initialInterval: '500 milliseconds',
      backoffCoefficient: 2,
      maximumInterval: '30 seconds',
      nonRetryableErrorTypes: ['ShopifyUserError', 'ShopifyGraphqlError'],
    },
  });

/**
 * `inventory-sync/<sku>`: keeps the SKU's quantities at every mapped Shopify location equal to what the ledger
 * offers. Started or signalled (signalWithStart) after each committed ledger change; changes arriving during a
 * push coalesce into one more push, so a burst of 50 movements costs one or two writes. Completes when nothing
 * is pending; the next change starts it again.
 */
export async function inventorySync(input: { sku: string; pushes?: number }): Promise<StockSyncState> {
  const state: StockSyncState = { sku: input.sku, pushes: input.pushes ?? 0, signals: 0 };
  let store: string | undefined;
  setHandler(stockSyncQuery, () => state);
  const status = (value: SyncStatus) => upsertSearchAttributes([{ key: SA.SyncStatus, value }]);
  upsertSearchAttributes([
    { key: SA.Sku, value: [input.sku] },
    { key: SA.Pipeline, value: 'inventory-sync' },
    { key: SA.Channel, value: 'shopify' },
  ]);
  const a = shopifyCalls();
  await pushUntilQuiet({
    signal: stockChangedSignal,
    onSignal: (s) => {
      state.signals++;
      if (s?.storeCode) store = s.storeCode;
    },
    push: async () => {
      if (store) upsertSearchAttributes([{ key: SA.StoreCode, value: store }]);
      status('Running');
      // One push = one operation id, drawn before its first attempt (its retries share it).
      const last = await withSummary(a, `push stock of ${input.sku}`).pushSkuStock(input.sku, uuid4());
      state.last = last;
      state.pushes++;
      const offered = Object.entries(last.offered)
        .map(([code, n]) => `${code} ${n}`)
        .join(', ');
      setCurrentDetails(
        `**${last.status}** · ledger v${last.version} · push ${state.pushes} · ${state.signals} signals` +
          (offered ? ` · offered ${offered}` : '') +
          (last.unmappedLocations.length ? ` · unmapped ${last.unmappedLocations.join(', ')}` : '') +
          (last.refusedLocations?.length
            ? ` · refused by Shopify at ${last.refusedLocations.join(', ')} (see sync_errors)`
            : ''),
      );
    },
    restart: () => continueAsNew<typeof inventorySync>({ sku: input.sku, pushes: state.pushes }),
  });
  status(state.last!.status); // pushUntilQuiet pushes at least once
  return state;
}
