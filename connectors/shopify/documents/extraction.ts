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
