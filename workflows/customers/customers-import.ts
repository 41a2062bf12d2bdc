import {
  ApplicationFailure,
  continueAsNew,
  defineQuery,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createCustomersActivities, ImportSliceResult } from '../../activities/customers/customers';
import type { IncomingFile, RejectedFile } from '../../activities/platform/incoming-files';
import { countsBalance, ZERO_COUNTS, type ImportCounts } from '../../domain/customers/import-counts';
import { SA } from '../../domain/platform/search-attributes';
import { taskQueueFor } from '../../domain/platform/task-queues';
import { baseName, byteSize, thousands } from '../../domain/platform/run-summary';
import { withSummary } from '../platform/activity-summary';
import { FILE_REJECTION_TYPES, noUsableRows, rejectionOf } from '../platform/file-rejection';

export interface CustomersImportInput {
  file: IncomingFile;
  /** Rows per activity call; progress is recorded in workflow state between calls. */
  sliceRows?: number;
  chunkRows?: number;
  /** How soon a killed worker's slice is retried elsewhere (tests shorten it). */
  heartbeatTimeoutSeconds?: number;
  /** Carried over `continueAsNew`. */
  state?: ImportSliceResult;
}

export interface CustomersImportResult {
  file: IncomingFile;
  counts: ImportCounts;
  /** Where the file went once imported; null when it was rejected. */
  archiveKey: string | null;
  /** Set when the file could not be used at all: it is in rejected/ with this reason, and its bad rows quarantined. */
  rejected?: RejectedFile;
}

export type CustomersImportProgress = ImportCounts & {
  phase: 'importing' | 'archiving' | 'rejected' | 'done';
  offset: number;
  size: number;
};

export const customersImportProgress = defineQuery<CustomersImportProgress>('progress');

const activities = (heartbeatSeconds: number) =>
  proxyActivities<ReturnType<typeof createCustomersActivities>>({
    taskQueue: taskQueueFor('data', workflowInfo().taskQueue),
    // A slice is bounded by rows and time; the heartbeat, not this, is what catches a dead worker.
    startToCloseTimeout: '15 minutes',
    heartbeatTimeout: `${heartbeatSeconds} seconds`,
    // Transient failures (DynamoDB throttling, S3 timeouts) retry; a slice resumes from its heartbeat. Bounded, so an
    // unforeseen error fails the run (shown as Failed) instead of retrying for ever.
    retry: {
      maximumInterval: '1 minute',
      maximumAttempts: 20,
      nonRetryableErrorTypes: [...FILE_REJECTION_TYPES, 'FileChanged'],
    },
  });

/** Imports one customer CSV from S3 into DynamoDB profiles, quarantines bad rows, then archives the file. */
export async function customersImport(input: CustomersImportInput): Promise<CustomersImportResult> {
  const { file } = input;
  const acts = activities(input.heartbeatTimeoutSeconds ?? 30);
  let state: ImportSliceResult = input.state ?? {
    cursor: { offset: 0, rowNumber: 0 },
    counts: ZERO_COUNTS,
    done: false,
  };
  let phase: CustomersImportProgress['phase'] = 'importing';
  setHandler(customersImportProgress, () => ({ ...state.counts, phase, offset: state.cursor.offset, size: file.size }));
  upsertSearchAttributes([
    { key: SA.Pipeline, value: 'customers-import' },
    { key: SA.SyncStatus, value: 'Running' },
  ]);

  const name = baseName(file.key);
  // Current details: how far into the file, and the counts so far (numbers only: the rows hold PII).
  const details = () =>
    setCurrentDetails(
      `**${phase}** · ${byteSize(state.cursor.offset)} of ${byteSize(file.size)} · row ${thousands(state.cursor.rowNumber)} · ` +
        Object.entries(state.counts)
          .map(([k, v]) => `${thousands(Number(v))} ${k}`)
          .join(' · '),
    );
  try {
    details();
    while (!state.done) {
      state = await withSummary(
        acts,
        `import ${name} from row ${thousands(state.cursor.rowNumber)}`,
      ).importCustomersSlice({
        file,
        cursor: state.cursor,
        counts: state.counts,
        maxRows: input.sliceRows ?? 50_000,
        chunkRows: input.chunkRows,
      });
      details();
      if (!state.done && workflowInfo().continueAsNewSuggested)
        await continueAsNew<typeof customersImport>({ ...input, state });
    }
    if (!countsBalance(state.counts))
      throw ApplicationFailure.nonRetryable(`counts do not add up: ${JSON.stringify(state.counts)}`, 'CountsMismatch');
    const { read, quarantined } = state.counts;
    const unusable = noUsableRows(read, read - quarantined);
    if (unusable) return await reject(unusable);
    phase = 'archiving';
    details();
    const { archiveKey } = await withSummary(acts, `archive ${name}`).archiveIncomingFile('customers', file);
    phase = 'done';
    details();
    upsertSearchAttributes([{ key: SA.SyncStatus, value: 'Completed' }]);
    return { file, counts: state.counts, archiveKey };
  } catch (err) {
    const why = rejectionOf(err);
    if (why) return await reject(why);
    upsertSearchAttributes([{ key: SA.SyncStatus, value: 'Failed' }]);
    throw err;
  }

  /** Out of incoming/ with its reason; the run completes (Rejected), so no scan starts the file again. */
  async function reject(why: { reason: string; type: string }): Promise<CustomersImportResult> {
    const rejected = await withSummary(acts, `reject ${name}: ${why.type}`).rejectIncomingFile('customers', file, {
      reason: why.reason,
      type: why.type,
    });
    phase = 'rejected';
    setCurrentDetails(`**rejected** · ${why.reason}`);
    upsertSearchAttributes([{ key: SA.SyncStatus, value: 'Rejected' }]);
    return { file, counts: state.counts, archiveKey: null, rejected };
  }
}
