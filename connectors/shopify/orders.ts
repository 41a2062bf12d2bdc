import type { ShopifyClient } from './client';
import { ORDER, ORDERS_PAGE, type ShopifyOrder } from './documents';

/** Shopify search syntax for an updated_at window [from, to). */
export const updatedWindowQuery = (from: string, to: string) => `updated_at:>='${from}' AND updated_at:<'${to}'`;

/** One page of orders updated in [updatedAtMin, updatedAtMax), oldest first. Page size fits the 1000-point query limit. */
export async function listOrders(
  client: ShopifyClient,
  opts: { updatedAtMin: string; updatedAtMax: string; after?: string | null; first?: number },
) {
  const data = await client.request(ORDERS_PAGE, {
    first: opts.first ?? 7,
    after: opts.after ?? null,
    query: updatedWindowQuery(opts.updatedAtMin, opts.updatedAtMax),
  });
  return data.orders;
}

export async function getOrder(client: ShopifyClient, id: string): Promise<ShopifyOrder | null> {
  return (await client.request(ORDER, { id })).order;
}
