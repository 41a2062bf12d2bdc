import { document } from '../../connectors/shopify';

// A light document the order pipelines need beside the connector's (risk and totals pages live there);
// a unit test validates it against Shopify's published schema.

/** The shop's latest bulk query: how a start whose reply was lost finds the operation it did create. */
export const CURRENT_BULK_QUERY = document<
  { currentBulkOperation: { id: string; status: string; query: string; createdAt: string } | null },
  Record<string, never>
>('currentBulkQuery', 'query currentBulkQuery { currentBulkOperation(type: QUERY) { id status query createdAt } }', 1);
