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
import type { createLoyaltyExportActivities } from '../../activities/loyalty/loyalty-export';
import { parseCalendarDate } from '../../domain/platform/dates';
import { loyaltyConvertWorkflowId } from '../../domain/platform/file-workflows';
import { SA } from '../../domain/platform/search-attributes';
import { taskQueueFor } from '../../domain/platform/task-queues';
import { loyaltyConvertRun, loyaltyStoreExportDayRun } from '../../domain/loyalty/run-summaries';
import { thousands } from '../../domain/platform/run-summary';
import { withSummary } from '../platform/activity-summary';
import { startOncePerVersion } from '../platform/file-children';
import { loyaltyConvert, type LoyaltyConvertResult } from './loyalty-convert';

export interface LoyaltyStoreExportInput {
  /** One UTC day `YYYY-MM-DD`; default: each of the `lookbackDays` days before the run started. */
  day?: string;
  /** Without `day`: how many UTC days before the run's start to export (late rows of those days are picked up). */
  lookbackDays?: number;
}

const DEFAULT_LOOKBACK_DAYS = 3;

export interface LoyaltyDayExportResult {
  day: string;
  /**
   * `exported`: a part with rows no earlier part had (or one not converted yet); `up-to-date`: nothing new;
   * `busy`: another export of this day was running (it exports what is new), so this run left the day alone.
   */
  outcome: 'empty' | 'up-to-date' | 'exported' | 'busy';
  /** Rows in the exported part (0 unless `exported`). */
  rows: number;
  /** The part's number (1 for `store-db-<day>.csv`, n for `…-part-<n>.csv`). */
  part?: number;
  conversionWorkflowId?: string;
  /** Absent when the part's conversion was started by someone else (the incoming scan), which then finishes it. */
  conversion?: LoyaltyConvertResult;
}

export interface LoyaltyStoreExportResult {
  /** Oldest first. */
  days: LoyaltyDayExportResult[];
}

const activities = () =>
  proxyActivities<ReturnType<typeof createLoyaltyExportActivities>>({
    taskQueue: taskQueueFor('data', workflowInfo().taskQueue),
    startToCloseTimeout: '30 minutes',
    heartbeatTimeout: '30 seconds',
    retry: { maximumInterval: '1 minute', nonRetryableErrorTypes: ['InvalidDay', 'LoyaltyLedgerChanged'] },
  });

/** The `count` UTC days before the run started, oldest first (runStartTime: the same on replay). */
function daysBeforeStart(count: number): string[] {
  const start = workflowInfo().runStartTime.getTime();
  return Array.from({ length: count }, (_, i) => new Date(start - (count - i) * 86_400_000).toISOString().slice(0, 10));
}

function daysOf(input: LoyaltyStoreExportInput): string[] {
  if (input.day !== undefined) {
    if (parseCalendarDate(input.day) !== input.day)
      throw ApplicationFailure.nonRetryable(`not a calendar day: ${input.day}`, 'InvalidDay');
    return [input.day];
  }
  const lookback = input.lookbackDays ?? DEFAULT_LOOKBACK_DAYS;
  if (!Number.isInteger(lookback) || lookback < 1 || lookback > 366)
    throw ApplicationFailure.nonRetryable(`lookbackDays must be an integer 1–366, got ${lookback}`, 'InvalidLookback');
  return daysBeforeStart(lookback);
}

/** Id of the one export of `day` that may run at a time: the day's manifest is read, then written, without a lock. */
export const loyaltyStoreExportDayId = (day: string) => `loyalty-store-export-day/${day}`;

/**
 * One day's export and conversion, as a child under the day's own id: Temporal runs at most one workflow per id, so
 * two exports of a day (the nightly run and a manual one) never update its manifest at the same time.
 */
export async function loyaltyStoreExportDay(input: { day: string }): Promise<LoyaltyDayExportResult> {
  upsertSearchAttributes([
    { key: SA.Pipeline, value: 'loyalty-store-export' },
    { key: SA.SyncWindow, value: input.day },
    { key: SA.SyncStatus, value: 'Running' },
  ]);
  try {
    const result = await exportDay(input.day);
    setCurrentDetails(`**${result.outcome}** ${input.day}${result.rows ? ` · ${thousands(result.rows)} rows` : ''}`);
    upsertSearchAttributes([{ key: SA.SyncStatus, value: 'Completed' }]);
    return result;
  } catch (err) {
    upsertSearchAttributes([{ key: SA.SyncStatus, value: 'Failed' }]);
    throw err;
  }
}

async function exportDayOnce(day: string): Promise<LoyaltyDayExportResult> {
  try {
    const child = await startChild(loyaltyStoreExportDay, {
      workflowId: loyaltyStoreExportDayId(day),
      args: [{ day }],
      ...loyaltyStoreExportDayRun(day),
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    });
    return await child.result();
  } catch (err) {
    if ((err as Error).name !== 'WorkflowExecutionAlreadyStartedError') throw err;
    return { day, outcome: 'busy', rows: 0 };
  }
}

async function exportDay(day: string): Promise<LoyaltyDayExportResult> {
  setCurrentDetails(`**exporting** ${day}`);
  const exported = await withSummary(activities(), `export new loyalty_transactions of ${day}`).exportLoyaltyDay(day);
  if (exported.outcome !== 'exported') return { day, outcome: exported.outcome, rows: 0 };
  const { file } = exported;
  const conversionWorkflowId = loyaltyConvertWorkflowId(file.key, file.etag);
  const result: LoyaltyDayExportResult = {
    day,
    outcome: 'exported',
    rows: exported.rows,
    part: exported.part,
    conversionWorkflowId,
  };
  // The file stays in incoming/ until converted: an abandoned conversion is finished by itself or the scan.
  setCurrentDetails(`**converting** ${day} part ${exported.part} · ${thousands(exported.rows)} rows`);
  const child = await startOncePerVersion(loyaltyConvert, conversionWorkflowId, [{ file }], loyaltyConvertRun(file));
  // Null: running already (the scan or the intake got there first), and that run converts this part.
  if (child) result.conversion = await child.result();
  return result;
}

/**
 * Store DB `loyalty_transactions` of recent UTC days → for each day, the rows not exported before as the day's next
 * part in incoming/loyalty/ → the usual conversion. Re-exporting the last few days every night picks up the rows a
 * POS synced late; rows are never converted twice (see `exportLoyaltyDay`).
 *
 * The conversions are started here as children rather than left to the daily incoming/ scan, so an operator sees one
 * workflow tree per run and its result says how each day ended. Their ids are the file pipeline's own
 * (`loyalty-convert/<key>@<etag>`, not below this run's id): the scan, the intake signal and this export then all
 * agree on one run per part.
 */
export async function loyaltyStoreExport(input: LoyaltyStoreExportInput = {}): Promise<LoyaltyStoreExportResult> {
  const days = daysOf(input);
  upsertSearchAttributes([
    { key: SA.Pipeline, value: 'loyalty-store-export' },
    { key: SA.SyncWindow, value: days.length === 1 ? days[0]! : `${days[0]}/${days[days.length - 1]}` },
    { key: SA.SyncStatus, value: 'Running' },
  ]);
  try {
    const result: LoyaltyStoreExportResult = { days: [] };
    // One day at a time, oldest first: a day's parts are numbered in order, and the worker's disk holds one part.
    for (const day of days) {
      setCurrentDetails(
        [`**exporting** ${day}`]
          .concat(result.days.map((d) => `- ${d.day}: ${d.outcome}${d.rows ? ` (${thousands(d.rows)} rows)` : ''}`))
          .join('\n'),
      );
      result.days.push(await exportDayOnce(day));
    }
    setCurrentDetails(
      ['**done**']
        .concat(result.days.map((d) => `- ${d.day}: ${d.outcome}${d.rows ? ` (${thousands(d.rows)} rows)` : ''}`))
        .join('\n'),
    );
    upsertSearchAttributes([{ key: SA.SyncStatus, value: 'Completed' }]);
    return result;
  } catch (err) {
    upsertSearchAttributes([{ key: SA.SyncStatus, value: 'Failed' }]);
    throw err;
  }
}
