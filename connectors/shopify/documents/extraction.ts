import { document, type Connection } from './define';

/** What the lake keeps of a customer: ids, dates and counts only (no names, emails or phones: the lake is not a CRM). */
export interface ShopifyCustomerNode {
  id: string;
  createdAt: string;
  updatedAt: string;
  numberOfOrders: string;
}

export const CUSTOMERS_PAGE = document<
  { customers: Connection<ShopifyCustomerNode> },
  { first: number; after?: string | null; query: string }
>(
  'customersPage',
  `query customersPage($first: Int!, $after: String, $query: String!) {
  customers(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    nodes { id createdAt updatedAt numberOfOrders }
    pageInfo { hasNextPage endCursor }
  }
}`,
  252,
);

export interface ShopifyProductNode {
  id: string;
  handle: string;
  title: string;
  vendor: string;
  productType: string;
  status: string;
  createdAt: string;
  updatedAt: string;
  variants: Connection<{
    id: string;
    sku: string | null;
    barcode: string | null;
    price: string;
    compareAtPrice: string | null;
    title: string;
    inventoryItem: { id: string };
  }>;
}

/** Products (5 a page: 5 × 50 variants stays under the 1000-point limit) with their first 50 variants (a grocery product has a handful; more are read by PRODUCT_VARIANTS_AFTER). */
export const PRODUCT_VARIANTS_FIRST = 50;
export const PRODUCTS_UPDATED_PAGE = document<
  { products: Connection<ShopifyProductNode> },
  { first: number; after?: string | null; query: string }
>(
  'productsUpdatedPage',
  `query productsUpdatedPage($first: Int!, $after: String, $query: String!) {
  products(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    nodes {
      id handle title vendor productType status createdAt updatedAt
      variants(first: ${PRODUCT_VARIANTS_FIRST}) {
        nodes { id sku barcode price compareAtPrice title inventoryItem { id } }
        pageInfo { hasNextPage endCursor }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`,
  562,
);

export const PRODUCT_VARIANTS_AFTER = document<
  { product: { variants: ShopifyProductNode['variants'] } | null },
  { id: string; after?: string | null }
>(
  'productVariantsAfter',
  `query productVariantsAfter($id: ID!, $after: String) {
  product(id: $id) {
    variants(first: 100, after: $after) {
      nodes { id sku barcode price compareAtPrice title inventoryItem { id } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`,
  204,
);

/** Every location's id (inventory levels are read location by location). */
export const LOCATION_IDS = document<{ locations: Connection<{ id: string }> }, { after?: string | null }>(
  'locationIds',
  `query locationIds($after: String) {
  locations(first: 250, after: $after, includeInactive: true) { nodes { id } pageInfo { hasNextPage endCursor } }
}`,
  252,
);

export interface ShopifyInventoryLevelNode {
  id: string;
  createdAt: string;
  updatedAt: string;
  item: { id: string };
  quantities: { name: string; quantity: number }[];
}

/** The quantity names read per level (Shopify's inventory states). */
export const LEVEL_QUANTITY_NAMES = [
  'available',
  'on_hand',
  'committed',
  'incoming',
  'reserved',
  'damaged',
  'quality_control',
  'safety_stock',
];

/** One location's inventory levels changed in a window (`query: updated_at…`), 100 a page. */
export const LOCATION_LEVELS_PAGE = document<
  { location: { inventoryLevels: Connection<ShopifyInventoryLevelNode> } | null },
  { id: string; after?: string | null; query: string }
>(
  'locationLevelsPage',
  `query locationLevelsPage($id: ID!, $after: String, $query: String!) {
  location(id: $id) {
    inventoryLevels(first: 100, after: $after, query: $query) {
      nodes { id createdAt updatedAt item { id } quantities(names: ${JSON.stringify(LEVEL_QUANTITY_NAMES)}) { name quantity } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`,
  302,
);

export interface ShopifyEventNode {
  id: string;
  action: string;
  createdAt: string;
  subjectId?: string;
  subjectType?: string;
}

/**
 * The shop's event log in a window, oldest first. Deletions are `destroy` events (deletionEvents is deprecated in
 * 2026-10: "Use `events` instead."); the subject is a BasicEvent's, so other event types carry none.
 */
export const EVENTS_PAGE = document<
  { events: Connection<ShopifyEventNode> | null },
  { after?: string | null; query: string }
>(
  'eventsPage',
  `query eventsPage($after: String, $query: String!) {
  events(first: 100, after: $after, query: $query, sortKey: CREATED_AT) {
    nodes { id action createdAt ... on BasicEvent { subjectId subjectType } }
    pageInfo { hasNextPage endCursor }
  }
}`,
  102,
);
