import {
  ApplicationFailure,
  ParentClosePolicy,
  proxyActivities,
  setCurrentDetails,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import type { createIntakeActivities, StoreIntakeSummary } from '../../activities/inventory/intake';
import { storeIntakeRun, storeIntakeWorkflowId } from '../../domain/inventory/intake-summaries';
import { parseCalendarDate } from '../../domain/platform/dates';
import { thousands } from '../../domain/platform/run-summary';
import { SA } from '../../domain/platform/search-attributes';
import { taskQueueFor } from '../../domain/platform/task-queues';
import { withSummary } from '../platform/activity-summary';

const activities = () =>
  proxyActivities<ReturnType<typeof createIntakeActivities>>({
    taskQueue: taskQueueFor('data', workflowInfo().taskQueue),
    startToCloseTimeout: '30 minutes',
    heartbeatTimeout: '1 minute',
    retry: {
      maximumInterval: '1 minute',
      maximumAttempts: 10,
      nonRetryableErrorTypes: ['InvalidDay', 'UnknownStore', 'ExtractMissing', 'ExtractChanged'],
    },
  });

function dayOf(day: string | undefined): string {
  const d = day ?? workflowInfo().runStartTime.toISOString().slice(0, 10);
  if (parseCalendarDate(d) !== d) throw ApplicationFailure.nonRetryable(`not a calendar day: ${d}`, 'InvalidDay');
  return d;
}

const line = (s: StoreIntakeSummary) =>
  `${s.storeCode}: ${thousands(s.products.read)} read · ${s.products.added} added · ${s.products.changed} changed · ` +
  `${s.products.conflicting} conflicting · ${thousands(s.products.unchanged)} unchanged · ` +
  `${s.products.rejected + s.stock.rejected + s.posSales.rejected} rejected · ` +
  `${thousands(s.ledgerCheck?.differing ?? 0)} stock ≠ ledger`;

/**
 * The daily PIM intake of one store: its products, stock and new POS sales → the raw extract in the lake →
 * reconciled into the PIM (drafts for unknown SKUs, the store's shelf prices and POS SKUs) with a diff report.
 * Bad rows are quarantined and counted; they never stop the run. Re-running a day changes nothing in the PIM.
 */
export async function storeIntake(input: { storeCode: string; day?: string }): Promise<StoreIntakeSummary> {
  const day = dayOf(input.day);
  upsertSearchAttributes([
    { key: SA.Pipeline, value: 'store-intake' },
    { key: SA.StoreCode, value: input.storeCode },
    { key: SA.SyncWindow, value: day },
    { key: SA.SyncStatus, value: 'Running' },
  ]);
  setCurrentDetails(`**extracting** store ${input.storeCode} · ${day}`);
  const m = await withSummary(
    activities(),
    `extract store ${input.storeCode} → instore-metadata/dt=${day}`,
  ).extractStore(input.storeCode, day);
  const rows = m.files.map((f) => `${f.table} ${thousands(f.rows)}`).join(' · ');
  setCurrentDetails(`**reconciling** store ${input.storeCode} · ${day} · ${rows}`);
  const summary = await withSummary(
    activities(),
    `reconcile store ${input.storeCode} into the PIM · ${day}`,
  ).reconcileStoreIntake(input.storeCode, day);
  setCurrentDetails(`**done** · ${line(summary)}\n\n- diff: ${summary.keys.diff}`);
  upsertSearchAttributes([{ key: SA.SyncStatus, value: 'Completed' }]);
  return summary;
}

export interface StoreIntakeAllResult {
  day: string;
  stores: StoreIntakeSummary[];
  /** Stores whose intake failed (their own run says why); the others ran. */
  failed: { storeCode: string; message: string }[];
}

/**
 * What the schedule starts: one `storeIntake` child per store code the store DB knows (`store-intake/<code>/<day>`),
 * two at a time. A store whose intake fails does not keep the others from running.
 */
export async function storeIntakeAll(input: { day?: string } = {}): Promise<StoreIntakeAllResult> {
  const day = dayOf(input.day);
  upsertSearchAttributes([
    { key: SA.Pipeline, value: 'store-intake' },
    { key: SA.SyncWindow, value: day },
    { key: SA.SyncStatus, value: 'Running' },
  ]);
  const codes = await withSummary(activities(), 'list store codes').listIntakeStores();
  const result: StoreIntakeAllResult = { day, stores: [], failed: [] };
  let next = 0;
  const work = async () => {
    while (next < codes.length) {
      const storeCode = codes[next++]!;
      setCurrentDetails(`**running** ${day} · ${result.stores.length + result.failed.length} / ${codes.length} stores`);
      try {
        const child = await startChild(storeIntake, {
          workflowId: storeIntakeWorkflowId(storeCode, day),
          args: [{ storeCode, day }],
          ...storeIntakeRun(storeCode, day),
          parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
          workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        });
        result.stores.push(await child.result());
      } catch (err) {
        const cause = (err as Error).cause;
        result.failed.push({ storeCode, message: cause instanceof Error ? cause.message : (err as Error).message });
      }
    }
  };
  await Promise.all([work(), work()]);
  result.stores.sort((a, b) => a.storeCode.localeCompare(b.storeCode));
  setCurrentDetails(
    [
      '**done** ' + day,
      ...result.stores.map((s) => `- ${line(s)}`),
      ...result.failed.map((f) => `- ${f.storeCode}: failed`),
    ].join('\n'),
  );
  upsertSearchAttributes([{ key: SA.SyncStatus, value: result.failed.length ? 'Failed' : 'Completed' }]);
  return result;
}
