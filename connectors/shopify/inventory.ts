import type { ShopifyClient } from './client';
import { INVENTORY_LEVEL, INVENTORY_SET_QUANTITIES, type InventoryQuantity } from './documents';

/**
 * Sets `available` quantities as one adjustment group. `idempotencyKey` goes into `@idempotent(key:)`:
 * a retry of the same call (same key, same input) is applied once by Shopify. `changeFromQuantity` makes
 * each line a compare-and-set; a stale one fails with CHANGE_FROM_QUANTITY_STALE (ShopifyUserError).
 */
export async function inventorySetQuantities(
  client: ShopifyClient,
  quantities: InventoryQuantity[],
  idempotencyKey: string,
  reason = 'correction',
) {
  return client.mutate(
    INVENTORY_SET_QUANTITIES,
    { input: { name: 'available', reason, quantities }, idempotencyKey },
    'inventorySetQuantities',
  );
}

export async function availableQuantity(
  client: ShopifyClient,
  inventoryItemId: string,
  locationId: string,
): Promise<number> {
  const data = await client.request(INVENTORY_LEVEL, { inventoryItemId, locationId });
  return data.inventoryItem?.inventoryLevel?.quantities.find((q) => q.name === 'available')?.quantity ?? 0;
}
