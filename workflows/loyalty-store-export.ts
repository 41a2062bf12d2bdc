import { ApplicationFailure, proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { createLoyaltyExportActivities } from '../activities/loyalty-export';
import { parseCalendarDate } from '../domain/dates';
import { loyaltyConvertWorkflowId } from '../domain/file-workflows';
import { SA } from '../domain/search-attributes';
import { taskQueueFor } from '../domain/task-queues';
import { startOncePerVersion } from './file-children';
import { loyaltyConvert, type LoyaltyConvertResult } from './loyalty-convert';

export interface LoyaltyStoreExportInput {
  /** UTC day `YYYY-MM-DD`; default: the day before the run started. */
  day?: string;
}

export interface LoyaltyStoreExportResult {
  day: string;
  rows: number;
  /** `exported`: converted by this run; `already-converted`: that exact version was converted (or is) before. */
  outcome: 'empty' | 'exported' | 'already-converted';
  conversionWorkflowId?: string;
  conversion?: LoyaltyConvertResult;
}

const activities = () =>
  proxyActivities<ReturnType<typeof createLoyaltyExportActivities>>({
    taskQueue: taskQueueFor('data', workflowInfo().taskQueue),
    startToCloseTimeout: '30 minutes',
    heartbeatTimeout: '30 seconds',
    retry: { maximumInterval: '1 minute', nonRetryableErrorTypes: ['InvalidDay', 'LoyaltyDayChanged'] },
  });

const yesterday = () => new Date(workflowInfo().runStartTime.getTime() - 86_400_000).toISOString().slice(0, 10);

/**
 * Store DB `loyalty_transactions` of one UTC day → a loyalty CSV in incoming/loyalty/ → the usual conversion.
 *
 * The conversion is started here as a child rather than left to the daily incoming/ scan, so an operator sees one
 * workflow tree per day and this run's result says how the day ended. Its id is the file pipeline's own
 * (`loyalty-convert/<key>@<etag>`, not one below this run's id): the scan, the intake signal and this export then all
 * agree on one run per version of the file, and an unchanged re-export is not converted twice.
 */
export async function loyaltyStoreExport(input: LoyaltyStoreExportInput = {}): Promise<LoyaltyStoreExportResult> {
  const day = input.day ?? yesterday();
  if (parseCalendarDate(day) !== day) throw ApplicationFailure.nonRetryable(`not a calendar day: ${day}`, 'InvalidDay');
  upsertSearchAttributes([
    { key: SA.Pipeline, value: 'loyalty-store-export' },
    { key: SA.SyncWindow, value: day },
    { key: SA.SyncStatus, value: 'Running' },
  ]);
  try {
    const exported = await activities().exportLoyaltyDay(day);
    let result: LoyaltyStoreExportResult;
    if (exported.outcome === 'empty') result = { day, rows: 0, outcome: 'empty' };
    else if (exported.outcome === 'already-converted')
      result = {
        day,
        rows: exported.rows,
        outcome: 'already-converted',
        conversionWorkflowId: loyaltyConvertWorkflowId(exported.key, exported.etag),
      };
    else {
      const { file } = exported;
      const conversionWorkflowId = loyaltyConvertWorkflowId(file.key, file.etag);
      result = { day, rows: exported.rows, outcome: 'exported', conversionWorkflowId };
      // The file stays in incoming/ until converted: an abandoned conversion is finished by itself or the scan.
      const child = await startOncePerVersion(loyaltyConvert, conversionWorkflowId, [{ file }]);
      // Null: running already (the scan or the intake got there first), and that run converts this version.
      if (child) result.conversion = await child.result();
      else result.outcome = 'already-converted';
    }
    upsertSearchAttributes([{ key: SA.SyncStatus, value: 'Completed' }]);
    return result;
  } catch (err) {
    upsertSearchAttributes([{ key: SA.SyncStatus, value: 'Failed' }]);
    throw err;
  }
}
