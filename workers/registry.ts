import { createBackfillActivities } from '../activities/backfill';
import { createCatalogActivities } from '../activities/catalog';
import { createCatalogSyncActivities } from '../activities/catalog-sync';
import { createCustomersActivities } from '../activities/customers';
import { createLoyaltyActivities } from '../activities/loyalty';
import { createWorkflowStatusActivities } from '../activities/workflow-status';
import { createLoyaltyExportActivities } from '../activities/loyalty-export';
import { withTemporalFailures } from '../activities/failures';
import { createHealthActivities } from '../activities/health';
import { createInventoryActivities } from '../activities/inventory';
import { createOutboxActivities } from '../activities/outbox';
import { createOrderActivities } from '../activities/orders';
import { createOrdersLakeActivities } from '../activities/orders-lake';
import { createFraudActivities } from '../activities/fraud';
import { createOrdersBulkActivities } from '../activities/orders-bulk';
import { createOrderWebhookActivities } from '../activities/orders-webhook';
import { ordersDb, pimDb, storeDb } from '../db/client';
import type { TaskQueueName } from './config';
import type { Deps } from './deps';

/**
 * Which activities each task queue serves. All Shopify calls run on `shopify` so one process-wide cost
 * budget governs them; bulk DB/S3/DynamoDB work runs on `data`.
 */
export function activitiesFor(queue: TaskQueueName, deps: Deps): Record<string, (...args: never[]) => unknown> {
  const { config } = deps;
  const pim = pimDb(deps.pools.pim);
  const store = storeDb(deps.pools.store);
  switch (queue) {
    case 'data':
      return withTemporalFailures({
        ...createHealthActivities({
          mysql: deps.pools.orders,
          s3: deps.s3,
          dynamo: deps.dynamo,
          lakeBucket: config.aws.buckets.lake,
          tablePrefix: config.aws.tablePrefix,
        }),
        ...createOutboxActivities({ pim, temporal: deps.temporal }),
        ...createWorkflowStatusActivities({ temporal: deps.temporal }),
        ...createOrderWebhookActivities({
          orders: ordersDb(deps.pools.orders),
          s3: deps.s3,
          archiveBucket: config.aws.buckets.archive,
          shop: config.shopify.shop,
        }),
        ...createOrdersLakeActivities({
          orders: ordersDb(deps.pools.orders),
          s3: deps.s3,
          dynamo: deps.dynamo,
          bucket: config.aws.buckets.lake,
          tablePrefix: config.aws.tablePrefix,
        }),
        ...createCustomersActivities({
          s3: deps.s3,
          dynamo: deps.dynamo,
          buckets: config.aws.buckets,
          tablePrefix: config.aws.tablePrefix,
          storeCodes: async () =>
            ((await deps.pools.store.query('SELECT code FROM stores'))[0] as { code: string }[]).map((r) => r.code),
        }),
        ...createLoyaltyActivities({
          s3: deps.s3,
          dynamo: deps.dynamo,
          buckets: config.aws.buckets,
          tablePrefix: config.aws.tablePrefix,
          memoryLimit: config.lake.duckdbMemory,
          compression: config.lake.parquetCompression,
          storeCodes: async () =>
            ((await deps.pools.store.query('SELECT code FROM stores'))[0] as { code: string }[]).map((r) => r.code),
        }),
        ...createLoyaltyExportActivities({ store, s3: deps.s3, buckets: config.aws.buckets }),
      });
    case 'shopify':
      return withTemporalFailures({
        ...createCatalogActivities({ pim, shopify: deps.shopify }),
        ...createInventoryActivities({ pim, store, shopify: deps.shopify }),
        ...createOrderActivities({
          orders: ordersDb(deps.pools.orders),
          shopify: deps.shopify,
          shop: config.shopify.shop,
        }),
        ...createOrdersBulkActivities({
          orders: ordersDb(deps.pools.orders),
          shopify: deps.shopify,
          shop: config.shopify.shop,
        }),
        ...createFraudActivities({ orders: ordersDb(deps.pools.orders), shopify: deps.shopify }),
        ...createCatalogSyncActivities({ pim, shopify: deps.shopify, temporal: deps.temporal }),
        ...createBackfillActivities({ pim, shopify: deps.shopify, s3: deps.s3, bucket: config.aws.buckets.lake }),
      });
    case 'amazon':
    case 'lightspeed':
      return {};
  }
}
