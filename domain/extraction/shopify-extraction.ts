/** The Shopify entities extracted incrementally, each with its own cursor and tables (shopify-tables.ts). */
export const SHOPIFY_ENTITIES = ['orders', 'customers', 'products', 'inventory_levels'] as const;
export type ShopifyEntity = (typeof SHOPIFY_ENTITIES)[number];

/**
 * Extraction runs below the real-time lane: Temporal dispatches lower priority keys first (1–5, default 3), so a
 * product publish or an order webhook (default 3) is handed to a worker before an extraction page (4), and both
 * draw on the same per-shop Shopify cost budget in the worker.
 */
export const EXTRACTION_PRIORITY = { priorityKey: 4 } as const;
