import { proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { createCustomersActivities } from '../activities/customers';
import { customersImportWorkflowId, loyaltyConvertWorkflowId } from '../domain/file-workflows';
import { SA } from '../domain/search-attributes';
import { taskQueueFor } from '../domain/task-queues';
import { customersImport } from './customers-import';
import { startOncePerVersion } from './file-children';
import { loyaltyConvert } from './loyalty-convert';

export interface ScanIncomingInput {
  domains: ('customers' | 'loyalty')[];
  /** Files started per run at most; the next scheduled run takes the rest. */
  limit?: number;
  /** Only files below `incoming/<domain>/<under>` (an operator's or a test's own folder). */
  under?: string;
}

const activities = () =>
  proxyActivities<ReturnType<typeof createCustomersActivities>>({
    taskQueue: taskQueueFor('data', workflowInfo().taskQueue),
    startToCloseTimeout: '1 minute',
  });

/**
 * Lists incoming/ and starts one workflow per file version (id from key and ETag). A file already running or
 * completed is not started again; one that failed may be (ALLOW_DUPLICATE_FAILED_ONLY). The children outlive the scan.
 */
export async function scanIncomingFiles(input: ScanIncomingInput): Promise<{ started: string[]; skipped: string[] }> {
  upsertSearchAttributes([{ key: SA.Pipeline, value: 'scan-incoming' }]);
  const started: string[] = [];
  const skipped: string[] = [];
  for (const domain of input.domains) {
    for (const file of await activities().listIncomingFiles(domain, input.limit ?? 100, input.under)) {
      const workflowId =
        domain === 'customers'
          ? customersImportWorkflowId(file.key, file.etag)
          : loyaltyConvertWorkflowId(file.key, file.etag);
      const child =
        domain === 'customers'
          ? await startOncePerVersion(customersImport, workflowId, [{ file }])
          : await startOncePerVersion(loyaltyConvert, workflowId, [{ file }]);
      // Null: already running, or completed: that version of the file is (being) processed.
      (child ? started : skipped).push(workflowId);
    }
  }
  return { started, skipped };
}
