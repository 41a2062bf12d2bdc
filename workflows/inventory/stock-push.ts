import {
  continueAsNew,
  defineSignal,
  proxyActivities,
  setCurrentDetails,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { createStockPushActivities, PendingPushReport } from '../../activities/inventory/stock-push';
import { SA } from '../../domain/platform/search-attributes';
import { thousands } from '../../domain/platform/run-summary';
import { withSummary } from '../platform/activity-summary';
import { pushUntilQuiet } from '../platform/push-until-quiet';

/** The ledger committed changes (or a sweep found SKUs behind): push what is pending. */
export const stockPendingSignal = defineSignal('stockChanged');

export interface StockPushInput {
  totals?: PendingPushReport;
  /** How long nothing may be pending before the workflow completes (default 10 s). */
  idleStopMs?: number;
}

/**
 * `inventory-push/<queue>`: ledger → Shopify for every SKU whose ledger changed, in batches (one levels read and
 * one compare-and-set write per batch instead of a workflow, a read and a write per SKU), so a storefront's and
 * the stores' stream of movements costs Shopify a few requests a second. The ledger's writers wake it after each
 * commit (signalWithStart); it pushes until nothing has been pending for a while, then completes, and the next
 * commit starts it again. The SKUs to push are read from sku_sync (pushed_version < ledger_version), never carried
 * in signals, so a lost wake-up costs only latency: the next one, or the pickup's sweep, finds them.
 */
export async function stockPush(input: StockPushInput = {}): Promise<PendingPushReport> {
  const totals: PendingPushReport = input.totals ?? {
    passes: 0,
    skus: 0,
    unchanged: 0,
    writes: 0,
    changed: 0,
    skipped: 0,
  };
  upsertSearchAttributes([
    { key: SA.Pipeline, value: 'inventory-push' },
    { key: SA.Channel, value: 'shopify' },
    { key: SA.SyncStatus, value: 'Running' },
  ]);
  const a = proxyActivities<ReturnType<typeof createStockPushActivities>>({
    startToCloseTimeout: '10 minutes',
    // Heartbeats every second while its process lives (keepAlive): a killed worker's pass is retried after ~5 s.
    heartbeatTimeout: '5 seconds',
    retry: {
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumInterval: '30 seconds',
      nonRetryableErrorTypes: ['ShopifyGraphqlError'],
    },
  });
  await pushUntilQuiet({
    signal: stockPendingSignal,
    push: async () => {
      const r = await withSummary(a, 'push pending stock to Shopify').pushPendingStock({
        runForMs: 120_000,
        pollMs: 100,
        idleStopMs: input.idleStopMs ?? 10_000,
      });
      for (const k of Object.keys(totals) as (keyof PendingPushReport)[]) totals[k] += r[k];
      setCurrentDetails(
        `**pushing** · ${thousands(totals.skus)} SKU pushes · ${thousands(totals.unchanged)} unchanged · ` +
          `${thousands(totals.writes)} Shopify writes (${thousands(totals.changed)} levels) · ` +
          `${thousands(totals.skipped)} skipped`,
      );
    },
    restart: () => continueAsNew<typeof stockPush>({ ...input, totals }),
  });
  upsertSearchAttributes([{ key: SA.SyncStatus, value: 'Synced' }]);
  return totals;
}
