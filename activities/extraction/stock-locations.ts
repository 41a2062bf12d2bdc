import type mysql from 'mysql2/promise';
import { listLocations, type ShopifyClient } from '../../connectors/shopify';
import type { StockLocationDirectory } from '../../domain/extraction/stock-locations';

/**
 * What stock history resolves location names and ids against: the store DB's stores, the active store → location
 * mappings and the shop's locations (inactive ones too), read once per import or extraction pass.
 */
export async function loadStockLocations(deps: {
  store: mysql.Pool;
  pim: mysql.Pool;
  shopify: ShopifyClient;
}): Promise<StockLocationDirectory> {
  const [stores] = await deps.store.query(
    'SELECT code, name, shopify_location_name AS shopifyLocationName FROM stores ORDER BY code',
  );
  const [mappings] = await deps.pim.query(
    'SELECT store_code AS storeCode, shopify_location_id AS shopifyLocationId FROM location_mappings WHERE active',
  );
  return {
    stores: stores as StockLocationDirectory['stores'],
    mappings: mappings as StockLocationDirectory['mappings'],
    locations: await listLocations(deps.shopify),
  };
}
