import {
  defineQuery,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { IncomingFile } from '../../activities/platform/incoming-files';
import type { createLoyaltyActivities, LoyaltyConversion } from '../../activities/loyalty/loyalty';
import { SA } from '../../domain/platform/search-attributes';
import { taskQueueFor } from '../../domain/platform/task-queues';
import { baseName, thousands } from '../../domain/platform/run-summary';
import { withSummary } from '../platform/activity-summary';

export interface LoyaltyConvertInput {
  file: IncomingFile;
  /** Leave the file in incoming/ (a re-run of an archived file passes its archive location). */
  keepSource?: boolean;
}

export interface LoyaltyConvertResult extends LoyaltyConversion {
  file: IncomingFile;
  balances: { cards: number; applied: number };
  archiveKey: string | null;
}

export type LoyaltyConvertProgress = {
  phase: 'converting' | 'balances' | 'archiving' | 'done';
  conversion?: LoyaltyConversion;
};

export const loyaltyConvertProgress = defineQuery<LoyaltyConvertProgress>('progress');

const activities = () =>
  proxyActivities<ReturnType<typeof createLoyaltyActivities>>({
    taskQueue: taskQueueFor('data', workflowInfo().taskQueue),
    // A 10M-row file converts in well under a minute; the heartbeat catches a dead worker sooner than this.
    startToCloseTimeout: '30 minutes',
    heartbeatTimeout: '30 seconds',
    retry: { maximumInterval: '1 minute', nonRetryableErrorTypes: ['FileChanged'] },
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
      conversion.contributionsKey,
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
    upsertSearchAttributes([{ key: SA.SyncStatus, value: 'Failed' }]);
    throw err;
  }
}
