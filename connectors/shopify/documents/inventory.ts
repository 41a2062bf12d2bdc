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

/** Most inventory items one `inventoryItemsLevels` request reads (aliases `i0`…); the cost keeps it far lower. */
export const ITEMS_LEVELS_MAX = 50;

type ItemLevelsSelection = {
  inventoryLevels: {
    nodes: { location: { id: string }; quantities: { name: string; quantity: number }[] }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
} | null;

/**
 * The levels of several inventory items in one request: `inventoryItem(id:)` aliased once per item (`i0: …`),
 * one document per count so every variable is a non-null ID as the field requires. Declared for 1…MAX at load,
 * so the schema test validates each of them.
 */
export const INVENTORY_ITEMS_LEVELS = Array.from({ length: ITEMS_LEVELS_MAX }, (_, k) => {
  const n = k + 1;
  const ids = Array.from({ length: n }, (_, i) => i);
  return document<Record<string, ItemLevelsSelection>, Record<string, string | number>>(
    `inventoryItemsLevels${n}`,
    `query inventoryItemsLevels${n}(${ids.map((i) => `$i${i}: ID!`).join(', ')}, $first: Int!) {
${ids
  .map(
    (i) => `  i${i}: inventoryItem(id: $i${i}) {
    inventoryLevels(first: $first) {
      nodes { location { id } quantities(names: ["available", "on_hand", "committed"]) { name quantity } }
      pageInfo { hasNextPage endCursor }
    }
  }`,
  )
  .join('\n')}
}`,
    n * 10,
  );
});
