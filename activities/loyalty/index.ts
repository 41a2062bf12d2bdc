import { storeDb } from '../../db/client';
import { loyaltyStoreExportRun } from '../../domain/loyalty/run-summaries';
import { scanIncomingRun } from '../../domain/platform/run-summaries';
import type { AreaRegistration } from '../platform/area';
import { storeCodesFrom } from '../platform/area';
import { createLoyaltyActivities } from './loyalty';
import { createLoyaltyExportActivities } from './loyalty-export';

/** Loyalty transactions (CSV exports and the store DB) → month-partitioned Parquet and card balances. */
export const loyaltyArea: AreaRegistration = {
  name: 'loyalty',
  activities: (deps) => {
    const { config } = deps;
    return {
      data: {
        ...createLoyaltyActivities({
          s3: deps.s3,
          dynamo: deps.dynamo,
          buckets: config.aws.buckets,
          tablePrefix: config.aws.tablePrefix,
          memoryLimit: config.lake.duckdbMemory,
          compression: config.lake.parquetCompression,
          encoding: config.lake.encodings.loyalty,
          storeCodes: storeCodesFrom(deps),
        }),
        ...createLoyaltyExportActivities({
          store: storeDb(deps.pools.store),
          s3: deps.s3,
          buckets: config.aws.buckets,
        }),
      },
    };
  },
  schedules: [
    {
      id: 'loyalty-store-export',
      workflowType: 'loyaltyStoreExport',
      args: [{}],
      taskQueue: 'data',
      spec: { cronExpressions: ['0 4 * * *'] },
      summary: loyaltyStoreExportRun({}),
      memo:
        "The last 3 days' store DB loyalty_transactions not exported before (late POS syncs) → " +
        'incoming/loyalty/store-db-<day>[-part-<n>].csv → converted (child runs)',
    },
    {
      id: 'loyalty-daily',
      workflowType: 'scanIncomingFiles',
      args: [{ domains: ['loyalty'] }],
      taskQueue: 'data',
      spec: { cronExpressions: ['30 4 * * *'] },
      summary: scanIncomingRun({ domains: ['loyalty'] }),
      memo: "The day's loyalty exports in incoming/loyalty/ → month-partitioned Parquet and card balances",
    },
  ],
};
