import {
  defineQuery,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { IncomingFile, RejectedFile } from '../../activities/platform/incoming-files';
import type { createLoyaltyActivities, LoyaltyConversion } from '../../activities/loyalty/loyalty';
import { SA } from '../../domain/platform/search-attributes';
import { taskQueueFor } from '../../domain/platform/task-queues';
import { baseName, thousands } from '../../domain/platform/run-summary';
import { withSummary } from '../platform/activity-summary';
import { FILE_REJECTION_TYPES, rejectionOf } from '../platform/file-rejection';

export interface LoyaltyConvertInput {
  file: IncomingFile;
  /** Leave the file in incoming/ (a re-run of an archived file passes its archive location). */
  keepSource?: boolean;
}

export interface LoyaltyConvertResult extends LoyaltyConversion {
  file: IncomingFile;
  balances: { cards: number; applied: number };
  archiveKey: string | null;
  /** Set when the file could not be used at all: it is in rejected/ with this reason (bad rows quarantined). */
  rejected?: RejectedFile;
}

export type LoyaltyConvertProgress = {
  phase: 'converting' | 'balances' | 'archiving' | 'rejected' | 'done';
  conversion?: LoyaltyConversion;
};

export const loyaltyConvertProgress = defineQuery<LoyaltyConvertProgress>('progress');

const activities = () =>
  proxyActivities<ReturnType<typeof createLoyaltyActivities>>({
    taskQueue: taskQueueFor('data', workflowInfo().taskQueue),
    // A 10M-row file converts in well under a minute; the heartbeat catches a dead worker sooner than this.
    startToCloseTimeout: '30 minutes',
    heartbeatTimeout: '30 seconds',
    // Bounded: an error no retry fixes fails the run (Failed) after a few attempts instead of retrying for ever;
    // one that names the file as the problem rejects it at once.
    retry: {
      maximumInterval: '1 minute',
      maximumAttempts: 8,
      nonRetryableErrorTypes: [...FILE_REJECTION_TYPES, 'FileChanged'],
    },
  });

/** Loyalty CSV → month-partitioned Parquet in the lake, bad rows quarantined, card balances updated once. */
export async function loyaltyConvert(input: LoyaltyConvertInput): Promise<LoyaltyConvertResult> {
  const { file } = input;
  const progress: LoyaltyConvertProgress = { phase: 'converting' };
  setHandler(loyaltyConvertProgress, () => progress);
  upsertSearchAttributes([
    { key: SA.Pipeline, value: 'loyalty-convert' },
    { key: SA.SyncStatus, value: 'Running' },
  ]);
  const name = baseName(file.key);
  const details = () =>
    setCurrentDetails(
      `**${progress.phase}**` +
        (progress.conversion
          ? ` · ${thousands(progress.conversion.read)} read · ${thousands(progress.conversion.converted)} converted · ` +
            `${thousands(progress.conversion.quarantined)} quarantined`
          : ''),
    );
  try {
    details();
    const conversion = await withSummary(activities(), `convert ${name} to Parquet`).convertLoyaltyFile(file);
    progress.conversion = conversion;
    progress.phase = 'balances';
    details();
    const balances = await withSummary(activities(), `apply card balances of ${name}`).applyLoyaltyBalances(
      file,
      conversion.contributionsKey!,
    );
    progress.phase = 'archiving';
    details();
    const archiveKey = input.keepSource
      ? null
      : (await withSummary(activities(), `archive ${name}`).archiveIncomingFile('loyalty', file)).archiveKey;
    progress.phase = 'done';
    details();
    upsertSearchAttributes([{ key: SA.SyncStatus, value: 'Completed' }]);
    return { ...conversion, file, balances, archiveKey };
  } catch (err) {
    const why = rejectionOf(err);
    if (why) {
      // Out of incoming/ with its reason, and the run completes, so no scan starts the file again.
      const rejected = await withSummary(activities(), `reject ${name}: ${why.type}`).rejectIncomingFile(
        'loyalty',
        file,
        { reason: why.reason, type: why.type },
        !input.keepSource,
      );
      progress.phase = 'rejected';
      setCurrentDetails(`**rejected** · ${why.reason}`);
      upsertSearchAttributes([{ key: SA.SyncStatus, value: 'Rejected' }]);
      const seen = (why.details ?? {}) as Partial<LoyaltyConversion>;
      return {
        file,
        read: seen.read ?? 0,
        converted: 0,
        quarantined: seen.quarantined ?? 0,
        quarantineKey: seen.quarantineKey ?? null,
        parquetKeys: [],
        contributionsKey: null,
        cards: 0,
        pointsSum: 0,
        balances: { cards: 0, applied: 0 },
        archiveKey: null,
        rejected,
      };
    }
    upsertSearchAttributes([{ key: SA.SyncStatus, value: 'Failed' }]);
    throw err;
  }
}
