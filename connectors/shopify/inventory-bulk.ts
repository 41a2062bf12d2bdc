import { runBulkQuery } from './bulk';
import type { ShopifyClient } from './client';

/**
 * Every inventory level of every location, as one bulk query: a whole shop's stock for the price of one mutation
 * and a few polls, instead of one `inventoryLevel` read (2+ points) per item and location. Locations are the
 * root lines, their levels come after them with `__parentId` (the location's id).
 */
export const INVENTORY_LEVELS_BULK_QUERY = `{
  locations(includeInactive: true) {
    edges {
      node {
        id
        name
        isActive
        inventoryLevels {
          edges {
            node {
              id
              quantities(names: ["on_hand", "available", "committed"]) { name quantity }
              item { id sku }
            }
          }
        }
      }
    }
  }
}`;

export interface ShopifyLevel {
  locationId: string;
  inventoryItemId: string;
  sku: string | null;
  onHand: number;
  available: number;
  committed: number;
}

export interface ShopifyLocationLine {
  locationId: string;
  name: string;
  isActive: boolean;
}

interface Line {
  id: string;
  __parentId?: string;
  name?: string;
  isActive?: boolean;
  quantities?: { name: string; quantity: number }[];
  item?: { id: string; sku: string | null };
}

/** Streams the shop's locations and levels (bulk query, see above); `onPoll` lets the caller heartbeat. */
export async function* readInventoryLevelsBulk(
  client: ShopifyClient,
  opts: { onPoll?: () => void; intervalMs?: number } = {},
): AsyncGenerator<{ location: ShopifyLocationLine } | { level: ShopifyLevel }> {
  for await (const line of runBulkQuery<Line>(client, INVENTORY_LEVELS_BULK_QUERY, opts)) {
    if (!line.__parentId) {
      yield { location: { locationId: line.id, name: line.name ?? '', isActive: line.isActive ?? true } };
      continue;
    }
    const q = (name: string) => line.quantities?.find((x) => x.name === name)?.quantity ?? 0;
    yield {
      level: {
        locationId: line.__parentId,
        inventoryItemId: line.item!.id,
        sku: line.item!.sku,
        onHand: q('on_hand'),
        available: q('available'),
        committed: q('committed'),
      },
    };
  }
}
