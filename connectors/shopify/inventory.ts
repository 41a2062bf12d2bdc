import type { ShopifyClient } from './client';
import type { Document } from './documents/define';
import {
  INVENTORY_ACTIVATE,
  INVENTORY_ITEM_LEVELS,
  INVENTORY_ITEMS_LEVELS,
  INVENTORY_LEVEL,
  ITEMS_LEVELS_MAX,
  INVENTORY_SET_QUANTITIES,
  type InventoryQuantity,
} from './documents';

export interface InventorySetQuantitiesInput {
  name: 'available' | 'on_hand';
  reason: string;
  quantities: InventoryQuantity[];
  referenceDocumentUri?: string;
}

/**
 * Sets quantities as one adjustment group (`name` 'available', `reason` 'correction' unless given). `idempotencyKey`
 * goes into `@idempotent(key:)`: a retry of the same call (same key, same input) is applied once by Shopify.
 * `changeFromQuantity` makes each line a compare-and-set; a stale one fails with CHANGE_FROM_QUANTITY_STALE
 * (ShopifyUserError). Accepts the input object, or just its quantities.
 */
export async function inventorySetQuantities(
  client: ShopifyClient,
  input: InventorySetQuantitiesInput | InventoryQuantity[],
  idempotencyKey: string,
  reason = 'correction',
) {
  const full: InventorySetQuantitiesInput = Array.isArray(input)
    ? { name: 'available', reason, quantities: input }
    : input;
  return client.mutate(INVENTORY_SET_QUANTITIES, { input: full, idempotencyKey }, 'inventorySetQuantities');
}

/** An item's quantities at a location, or null where it is not stocked (no inventory level). */
export async function inventoryLevelQuantities(
  client: ShopifyClient,
  inventoryItemId: string,
  locationId: string,
): Promise<{ available: number; onHand: number; committed: number } | null> {
  const level = (await client.request(INVENTORY_LEVEL, { inventoryItemId, locationId })).inventoryItem?.inventoryLevel;
  if (!level) return null;
  const q = (name: string) => level.quantities.find((x) => x.name === name)?.quantity ?? 0;
  return { available: q('available'), onHand: q('on_hand'), committed: q('committed') };
}

type ItemLevelsReply = typeof INVENTORY_ITEM_LEVELS extends Document<infer D, unknown> ? D : never;
export type LevelQuantities = { available: number; onHand: number; committed: number };

/**
 * Every level of an item, by location id, in one request per `perPage` locations (a stock push reads all its
 * locations at once instead of one request each); null when the shop does not know the item.
 */
export async function inventoryItemLevels(
  client: ShopifyClient,
  inventoryItemId: string,
  perPage = 10,
): Promise<Map<string, LevelQuantities> | null> {
  const out = new Map<string, LevelQuantities>();
  let after: string | null = null;
  for (;;) {
    const reply: ItemLevelsReply = await client.request(INVENTORY_ITEM_LEVELS, {
      inventoryItemId,
      first: perPage,
      after,
    });
    const item = reply.inventoryItem;
    if (!item) return null;
    for (const level of item.inventoryLevels.nodes) {
      const q = (name: string) => level.quantities.find((x) => x.name === name)?.quantity ?? 0;
      out.set(level.location.id, { available: q('available'), onHand: q('on_hand'), committed: q('committed') });
    }
    if (!item.inventoryLevels.pageInfo.hasNextPage) return out;
    after = item.inventoryLevels.pageInfo.endCursor;
  }
}

/**
 * The levels of many items, `perRequest` items a request (aliased `inventoryItem` fields, each with its first
 * `first` levels): a stock push of a batch of SKUs costs one read instead of one per SKU. An item with more levels
 * than `first` is read on through `inventoryItemLevels`; an item the shop does not know maps to null.
 */
export async function inventoryItemsLevels(
  client: ShopifyClient,
  inventoryItemIds: readonly string[],
  first: number,
  perRequest = ITEMS_LEVELS_MAX,
): Promise<Map<string, Map<string, LevelQuantities> | null>> {
  const out = new Map<string, Map<string, LevelQuantities> | null>();
  const unique = [...new Set(inventoryItemIds)];
  const size = Math.max(1, Math.min(ITEMS_LEVELS_MAX, perRequest));
  for (let at = 0; at < unique.length; at += size) {
    const ids = unique.slice(at, at + size);
    const vars: Record<string, string | number> = { first };
    ids.forEach((id, i) => (vars[`i${i}`] = id));
    const reply = await client.request(INVENTORY_ITEMS_LEVELS[ids.length - 1]!, vars);
    for (const [i, id] of ids.entries()) {
      const item = reply[`i${i}`];
      if (!item) {
        out.set(id, null);
        continue;
      }
      if (item.inventoryLevels.pageInfo.hasNextPage) {
        out.set(id, await inventoryItemLevels(client, id, first));
        continue;
      }
      const levels = new Map<string, LevelQuantities>();
      for (const level of item.inventoryLevels.nodes) {
        const q = (name: string) => level.quantities.find((x) => x.name === name)?.quantity ?? 0;
        levels.set(level.location.id, { available: q('available'), onHand: q('on_hand'), committed: q('committed') });
      }
      out.set(id, levels);
    }
  }
  return out;
}

/** Stocks the item at the location (`inventoryActivate`) with an initial on_hand; `idempotencyKey` as above. */
export async function activateInventory(
  client: ShopifyClient,
  inventoryItemId: string,
  locationId: string,
  onHand: number,
  idempotencyKey: string,
): Promise<void> {
  await client.mutate(INVENTORY_ACTIVATE, { inventoryItemId, locationId, onHand, idempotencyKey }, 'inventoryActivate');
}

export async function availableQuantity(
  client: ShopifyClient,
  inventoryItemId: string,
  locationId: string,
): Promise<number> {
  const data = await client.request(INVENTORY_LEVEL, { inventoryItemId, locationId });
  return data.inventoryItem?.inventoryLevel?.quantities.find((q) => q.name === 'available')?.quantity ?? 0;
}
