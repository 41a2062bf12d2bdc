import { pimDb, storeDb } from '../../db/client';
import type { AreaRegistration } from '../platform/area';
import { createInventoryActivities } from './inventory';

/** Store stock → Shopify inventory levels. */
export const inventoryArea: AreaRegistration = {
  name: 'inventory',
  activities: (deps) => ({
    shopify: createInventoryActivities({
      pim: pimDb(deps.pools.pim),
      store: storeDb(deps.pools.store),
      shopify: deps.shopify,
    }),
  }),
  schedules: [],
};
