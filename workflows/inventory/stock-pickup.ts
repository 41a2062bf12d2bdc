import {
  continueAsNew,
  proxyActivities,
  setCurrentDetails,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createLedgerActivities, PickupReport } from '../../activities/inventory/ledger-activities';
import { SA } from '../../domain/platform/search-attributes';
import { taskQueueFor } from '../../domain/platform/task-queues';
import { thousands } from '../../domain/platform/run-summary';
import { withSummary } from '../platform/activity-summary';

export interface StockPickupOptions {
  pollMs?: number;
  runForMs?: number;
  totals?: { read: number; applied: number; rejected: number; incidents: number };
}

/**
 * `inventory-pickup`: POS sales and stock counts from the store DB into the ledger within seconds, forever.
 * Each activity polls for `runForMs` with heartbeats (the high-water marks live in the ledger database, so a
 * killed worker's retry resumes where the last commit left off) and the workflow continues as new to keep
 * its history short.
 */
export async function stockPickup(opts: StockPickupOptions = {}): Promise<void> {
  upsertSearchAttributes([
    { key: SA.Pipeline, value: 'inventory-pickup' },
    { key: SA.Channel, value: 'store-db' },
    { key: SA.SyncStatus, value: 'Running' },
  ]);
  const a = proxyActivities<ReturnType<typeof createLedgerActivities>>({
    taskQueue: taskQueueFor('data', workflowInfo().taskQueue),
    startToCloseTimeout: '10 minutes',
    // The activity heartbeats every second while its process lives (keepAlive) and after every page: a killed
    // worker's pickup is retried ~5 s after the kill (it was 20 s, in which till sales reached no channel).
    heartbeatTimeout: '5 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
  });
  const totals = opts.totals ?? { read: 0, applied: 0, rejected: 0, incidents: 0 };
  const runForMs = opts.runForMs ?? 60_000;
  let last: PickupReport | undefined;
  for (let i = 0; i < 50 && !workflowInfo().continueAsNewSuggested; i++) {
    last = await withSummary(a, `pick up store stock for ${runForMs / 1000} s`).pickUpStoreStock({
      runForMs,
      pollMs: opts.pollMs ?? 250,
    });
    totals.read += last.read;
    totals.applied += last.applied;
    totals.rejected += last.rejected;
    totals.incidents += last.incidents;
    setCurrentDetails(
      `**picking up** · ${thousands(totals.applied)} movements applied, ${thousands(totals.rejected)} rejected, ` +
        `${thousands(totals.incidents)} incidents · POS id ${last.posSaleId} · stock ${last.stockUpdatedAt ?? '—'}`,
    );
  }
  await continueAsNew<typeof stockPickup>({ ...opts, totals });
}
