import { pimDb } from '../../db/client';
import { catalogSyncRun } from '../../domain/catalog/run-summaries';
import type { AreaRegistration } from '../platform/area';
import { createBackfillActivities } from './backfill';
import { createCatalogActivities } from './catalog';
import { createCatalogSyncActivities } from './catalog-sync';

/** PIM → Shopify: product publish, the daily catalogue sync and backfills. */
export const catalogArea: AreaRegistration = {
  name: 'catalog',
  activities: (deps) => {
    const pim = pimDb(deps.pools.pim);
    return {
      shopify: {
        ...createCatalogActivities({ pim, shopify: deps.shopify }),
        ...createCatalogSyncActivities({ pim, shopify: deps.shopify, temporal: deps.temporal }),
        ...createBackfillActivities({ pim, shopify: deps.shopify, s3: deps.s3, bucket: deps.config.aws.buckets.lake }),
      },
    };
  },
  schedules: [
    {
      id: 'catalog-sync',
      workflowType: 'catalogSync',
      args: [{}],
      taskQueue: 'shopify',
      spec: { cronExpressions: ['0 3 * * *'] },
      memo: 'Daily PIM ↔ Shopify diff: re-publish drift, archive orphans',
      summary: catalogSyncRun(),
    },
  ],
};
