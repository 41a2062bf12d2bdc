import { pimDb, storeDb } from '../../db/client';
import { storeIntakeAllRun } from '../../domain/inventory/intake-summaries';
import type { AreaRegistration } from '../platform/area';
import { createIntakeActivities } from './intake';
import { createInventoryActivities } from './inventory';

/** Store stock → Shopify inventory levels; the daily store intake into the PIM. */
export const inventoryArea: AreaRegistration = {
  name: 'inventory',
  activities: (deps) => ({
    shopify: createInventoryActivities({
      pim: pimDb(deps.pools.pim),
      store: storeDb(deps.pools.store),
      shopify: deps.shopify,
    }),
    data: {
      ...createIntakeActivities({
        pim: pimDb(deps.pools.pim),
        store: storeDb(deps.pools.store),
        s3: deps.s3,
        buckets: deps.config.aws.buckets,
      }),
    },
  }),
  schedules: [
    {
      id: 'store-intake',
      workflowType: 'storeIntakeAll',
      args: [{}],
      taskQueue: 'data',
      spec: { cronExpressions: ['30 2 * * *'] },
      summary: storeIntakeAllRun(),
      memo: 'Daily PIM intake per store code: store DB → instore-metadata/ → PIM drafts, shelf prices, diff report',
    },
  ],
};
