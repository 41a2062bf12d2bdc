import type { ShopifyClient } from './client';
import {
  FULFILLMENT_ORDER_LINE_ITEMS,
  FULFILLMENT_ORDERS_BATCH,
  FULFILLMENT_ORDERS_ROUTING,
  ORDER,
  ORDER_LINE_ITEMS,
  ORDER_REFUNDS,
  ORDERS_FULFILLMENT_ORDERS,
  ORDERS_PAGE,
  REFUND_LINE_ITEMS,
  type RoutedFulfillmentOrder,
  type ShopifyOrder,
} from './documents';
import type { Connection } from './documents/define';

/** Shopify search syntax for an updated_at window [from, to). */
export const updatedWindowQuery = (from: string, to: string) => `updated_at:>='${from}' AND updated_at:<'${to}'`;

/** Orders per page: three orders with 50 lines each fit the 1000-point query limit. */
const ORDERS_PER_PAGE = 3;

/**
 * One page of orders updated in [updatedAtMin, updatedAtMax), oldest first, each with every line item,
 * refund and refund line (longer nested connections are followed by `completeOrder`), and with
 * `fulfillmentOrders` also each order's fulfillment orders (one more request a page: where the ledger reserves).
 */
export async function listOrders(
  client: ShopifyClient,
  opts: {
    updatedAtMin: string;
    updatedAtMax: string;
    after?: string | null;
    first?: number;
    fulfillmentOrders?: boolean;
  },
) {
  const data = await client.request(ORDERS_PAGE, {
    first: opts.first ?? ORDERS_PER_PAGE,
    after: opts.after ?? null,
    query: updatedWindowQuery(opts.updatedAtMin, opts.updatedAtMax),
  });
  for (const order of data.orders.nodes) await completeOrder(client, order);
  if (opts.fulfillmentOrders) await addFulfillmentOrders(client, data.orders.nodes);
  return data.orders;
}

/** Sets each order's `fulfillmentOrders` (left unset for an order gone meanwhile: reserved as a webhook's). */
async function addFulfillmentOrders(client: ShopifyClient, orders: ShopifyOrder[]): Promise<void> {
  for (let i = 0; i < orders.length; i += FULFILLMENT_ORDERS_BATCH) {
    const part = orders.slice(i, i + FULFILLMENT_ORDERS_BATCH);
    const data = await client.request(
      ORDERS_FULFILLMENT_ORDERS[part.length - 1]!,
      Object.fromEntries(part.map((o, j) => [`o${j}`, o.id])),
    );
    part.forEach((o, j) => {
      const fos = data[`o${j}`]?.fulfillmentOrders;
      if (fos) o.fulfillmentOrders = fos;
    });
  }
}

/** One order with every line item, refund and refund line; null when Shopify has no such order. */
export async function getOrder(client: ShopifyClient, id: string): Promise<ShopifyOrder | null> {
  const order = (await client.request(ORDER, { id })).order;
  return order ? completeOrder(client, order) : null;
}

/**
 * Routed fulfillment orders (after fulfillment_orders/order_routing_complete), as many per request as fit the query
 * limit, each with all its lines (a longer one's are followed); the ids Shopify has no fulfillment order for are
 * `missing`.
 */
export async function readRoutedFulfillmentOrders(
  client: ShopifyClient,
  ids: string[],
): Promise<{ found: RoutedFulfillmentOrder[]; missing: string[] }> {
  const found: RoutedFulfillmentOrder[] = [];
  const missing: string[] = [];
  const per = FULFILLMENT_ORDERS_ROUTING.length;
  for (let i = 0; i < ids.length; i += per) {
    const part = ids.slice(i, i + per);
    const data = await client.request(
      FULFILLMENT_ORDERS_ROUTING[part.length - 1]!,
      Object.fromEntries(part.map((id, j) => [`f${j}`, id])),
    );
    part.forEach((id, j) => {
      const fo = data[`f${j}`];
      if (fo) found.push(fo);
      else missing.push(id);
    });
  }
  for (const fo of found)
    await follow(fo.lineItems, async (after) => {
      const data = await client.request(FULFILLMENT_ORDER_LINE_ITEMS, { id: fo.id, after });
      return data.fulfillmentOrder?.lineItems ?? null;
    });
  return { found, missing };
}

/** Appends the following pages of a nested connection; the result says no page is left only when none is. */
async function follow<T>(conn: Connection<T>, next: (after: string) => Promise<Connection<T> | null>): Promise<void> {
  while (conn.pageInfo.hasNextPage && conn.pageInfo.endCursor) {
    const page = await next(conn.pageInfo.endCursor);
    if (!page) return; // gone meanwhile (deleted): hasNextPage stays true, so the write treats the list as partial
    conn.nodes.push(...page.nodes);
    conn.pageInfo = page.pageInfo;
  }
}

/**
 * Reads the rest of an order's nested connections (line items, each refund's lines) in place, following
 * pageInfo. If a follow-up cannot be read the connection keeps `hasNextPage: true`, which the orders database
 * write reads as "partial": it then adds rows without deleting any.
 */
export async function completeOrder(client: ShopifyClient, order: ShopifyOrder): Promise<ShopifyOrder> {
  await follow(order.lineItems, async (after) => {
    const data = await client.request(ORDER_LINE_ITEMS, { id: order.id, after });
    return data.order?.lineItems ?? null;
  });
  for (const refund of order.refunds) await completeRefund(client, refund);
  return order;
}

async function completeRefund(client: ShopifyClient, refund: ShopifyOrder['refunds'][number]): Promise<void> {
  await follow(refund.refundLineItems, async (after) => {
    const data = await client.request(REFUND_LINE_ITEMS, { id: refund.id, after });
    return data.refund?.refundLineItems ?? null;
  });
}

/**
 * An order's refunds with all their lines. A bulk query cannot select a connection inside a list field
 * (`Order.refunds` is a list), so the history backfill reads refund lines order by order with this.
 */
export async function getOrderRefunds(client: ShopifyClient, id: string): Promise<ShopifyOrder['refunds'] | null> {
  const order = (await client.request(ORDER_REFUNDS, { id })).order;
  if (!order) return null;
  for (const refund of order.refunds) await completeRefund(client, refund);
  return order.refunds;
}
