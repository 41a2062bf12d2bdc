import { scanIncomingRun } from '../../domain/platform/run-summaries';
import type { AreaRegistration } from '../platform/area';
import { storeCodesFrom } from '../platform/area';
import { createCustomersActivities } from './customers';

/** Customer CSV exports → validated profiles in DynamoDB, archive and quarantine in S3. */
export const customersArea: AreaRegistration = {
  name: 'customers',
  activities: (deps) => ({
    data: createCustomersActivities({
      s3: deps.s3,
      dynamo: deps.dynamo,
      buckets: deps.config.aws.buckets,
      tablePrefix: deps.config.aws.tablePrefix,
      storeCodes: storeCodesFrom(deps),
      encoding: deps.config.lake.encodings.customers,
    }),
  }),
  schedules: [
    {
      id: 'customers-incoming-scan',
      workflowType: 'scanIncomingFiles',
      args: [{ domains: ['customers'] }],
      taskQueue: 'data',
      spec: { intervals: [{ every: '10 minutes' }] },
      summary: scanIncomingRun({ domains: ['customers'] }),
      memo: 'New customer CSVs in incoming/customers/ → one customers-import workflow per file version',
    },
  ],
};
