import { proxyActivities, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { createCustomersActivities } from '../../activities/customers/customers';
import type { IncomingPage } from '../../activities/platform/incoming-files';
import type { createWorkflowStatusActivities } from '../../activities/platform/workflow-status';
import { customersImportWorkflowId, loyaltyConvertWorkflowId } from '../../domain/platform/file-workflows';
import { customersImportRun } from '../../domain/customers/run-summaries';
import { loyaltyConvertRun } from '../../domain/loyalty/run-summaries';
import { baseName } from '../../domain/platform/run-summary';
import { SA } from '../../domain/platform/search-attributes';
import { taskQueueFor } from '../../domain/platform/task-queues';
import { customersImport } from '../customers/customers-import';
import { withSummary } from './activity-summary';
import { startOncePerVersion } from './file-children';
import { loyaltyConvert } from '../loyalty/loyalty-convert';

export interface ScanIncomingInput {
  domains: ('customers' | 'loyalty')[];
  /** Files started per run at most (already started ones do not count); the next scheduled run takes the rest. */
  limit?: number;
  /** Only files below `incoming/<domain>/<under>` (an operator's or a test's own folder). */
  under?: string;
}

const activities = () =>
  proxyActivities<ReturnType<typeof createCustomersActivities> & ReturnType<typeof createWorkflowStatusActivities>>({
    taskQueue: taskQueueFor('data', workflowInfo().taskQueue),
    startToCloseTimeout: '1 minute',
  });

/**
 * Lists incoming/ and starts one workflow per file version (id from key and ETag). A file already running or
 * completed is not started again; one that failed may be (ALLOW_DUPLICATE_FAILED_ONLY). A copy of a version whose
 * run completed (the same export sent again) is archived without a second run. The children outlive the scan.
 */
export async function scanIncomingFiles(
  input: ScanIncomingInput,
): Promise<{ started: string[]; skipped: string[]; resent: string[] }> {
  upsertSearchAttributes([{ key: SA.Pipeline, value: 'scan-incoming' }]);
  const started: string[] = [];
  const skipped: string[] = [];
  /** Skipped files whose version was already processed: archived without a second run. */
  const resent: string[] = [];
  const details = (domain: string) =>
    setCurrentDetails(
      `**${domain}** · ${started.length} started · ${skipped.length} already run · ${resent.length} re-sent archived`,
    );
  const limit = input.limit ?? 100;
  for (const domain of input.domains) {
    details(domain);
    const where = `incoming/${domain}/${input.under ?? ''}`;
    // Page through the whole listing: files already running or done (skipped) do not use up the limit, so a backlog
    // of more than one page of them never hides the files after it.
    let next: string | undefined;
    do {
      if (started.length >= limit) break;
      const page: IncomingPage = await withSummary(activities(), `list ${where}`).listIncomingFiles(
        domain,
        100,
        input.under,
        next,
      );
      next = page.next;
      for (const file of page.files) {
        if (started.length >= limit) break;
        const workflowId =
          domain === 'customers'
            ? customersImportWorkflowId(file.key, file.etag)
            : loyaltyConvertWorkflowId(file.key, file.etag);
        const child =
          domain === 'customers'
            ? await startOncePerVersion(customersImport, workflowId, [{ file }], customersImportRun(file))
            : await startOncePerVersion(loyaltyConvert, workflowId, [{ file }], loyaltyConvertRun(file));
        if (child) started.push(workflowId);
        else {
          // That version of the file is (being) processed. Once its run has completed, this copy is the same bytes
          // sent again (a re-sent export): archived as well, so it does not sit in incoming/ for every later scan.
          skipped.push(workflowId);
          if (await withSummary(activities(), `has ${workflowId} completed?`).workflowCompleted(workflowId)) {
            await withSummary(activities(), `archive re-sent ${baseName(file.key)}`).archiveIncomingFile(domain, file);
            resent.push(workflowId);
          }
        }
        details(domain);
      }
    } while (next);
  }
  details('done');
  return { started, skipped, resent };
}
