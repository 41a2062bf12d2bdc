import { document, type UserError } from './define';

export interface InventoryQuantity {
  inventoryItemId: string;
  locationId: string;
  quantity: number;
  changeFromQuantity: number | null;
}

export const INVENTORY_SET_QUANTITIES = document<
  {
    inventorySetQuantities: {
      inventoryAdjustmentGroup: {
        changes: { name: string; delta: number; quantityAfterChange: number | null }[];
      } | null;
      userErrors: UserError[];
    };
  },
  {
    input: {
      name: 'available' | 'on_hand';
      reason: string;
      quantities: InventoryQuantity[];
      referenceDocumentUri?: string;
    };
    idempotencyKey: string;
  }
>(
  'inventorySetQuantities',
  `mutation inventorySetQuantities($input: InventorySetQuantitiesInput!, $idempotencyKey: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $idempotencyKey) {
    inventoryAdjustmentGroup { changes { name delta quantityAfterChange } }
    userErrors { field message code }
  }
}`,
  10,
);

export const INVENTORY_LEVEL = document<
  { inventoryItem: { inventoryLevel: { quantities: { name: string; quantity: number }[] } | null } | null },
  { inventoryItemId: string; locationId: string }
>(
  'inventoryLevel',
  `query inventoryLevel($inventoryItemId: ID!, $locationId: ID!) {
  inventoryItem(id: $inventoryItemId) { inventoryLevel(locationId: $locationId) { quantities(names: ["available", "on_hand", "committed"]) { name quantity } } }
}`,
  3,
);

export const INVENTORY_ITEM_LEVELS = document<
  {
    inventoryItem: {
      inventoryLevels: {
        nodes: { location: { id: string }; quantities: { name: string; quantity: number }[] }[];
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
    } | null;
  },
  { inventoryItemId: string; first: number; after: string | null }
>(
  'inventoryItemLevels',
  `query inventoryItemLevels($inventoryItemId: ID!, $first: Int!, $after: String) {
  inventoryItem(id: $inventoryItemId) {
    inventoryLevels(first: $first, after: $after) {
      nodes { location { id } quantities(names: ["available", "on_hand", "committed"]) { name quantity } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`,
  10,
);

export const INVENTORY_ACTIVATE = document<
  {
    inventoryActivate: {
      inventoryLevel: { id: string } | null;
      userErrors: UserError[];
    };
  },
  { inventoryItemId: string; locationId: string; onHand: number; idempotencyKey: string }
>(
  'inventoryActivate',
  `mutation inventoryActivate($inventoryItemId: ID!, $locationId: ID!, $onHand: Int, $idempotencyKey: String!) {
  inventoryActivate(inventoryItemId: $inventoryItemId, locationId: $locationId, onHand: $onHand) @idempotent(key: $idempotencyKey) {
    inventoryLevel { id }
    userErrors { field message }
  }
}`,
  10,
);
