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
import type { IncomingFile } from '../../activities/platform/incoming-files';
import { countsBalance, ZERO_COUNTS, type ImportCounts } from '../../domain/customers/import-counts';
import { SA } from '../../domain/platform/search-attributes';
import { taskQueueFor } from '../../domain/platform/task-queues';
import { baseName, byteSize, thousands } from '../../domain/platform/run-summary';
import { withSummary } from '../platform/activity-summary';

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
  archiveKey: string;
}

export type CustomersImportProgress = ImportCounts & {
  phase: 'importing' | 'archiving' | 'done';
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
    retry: { maximumInterval: '1 minute', nonRetryableErrorTypes: ['InvalidFileHeader', 'FileChanged'] },
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
    phase = 'archiving';
    details();
    const { archiveKey } = await withSummary(acts, `archive ${name}`).archiveIncomingFile('customers', file);
    phase = 'done';
    details();
    upsertSearchAttributes([{ key: SA.SyncStatus, value: 'Completed' }]);
    return { file, counts: state.counts, archiveKey };
  } catch (err) {
    upsertSearchAttributes([{ key: SA.SyncStatus, value: 'Failed' }]);
    throw err;
  }
}
