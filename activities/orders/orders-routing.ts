import type { Pool } from 'mysql2/promise';
import { readRoutedFulfillmentOrders, type ShopifyClient } from '../../connectors/shopify';
import type { OrdersDb } from '../../db/client';
import { routedOrderStocks } from '../../domain/orders/routing';
import { keepAlive } from '../channels/keep-alive';
import { queueRoutedStock, type StockQueueNudge } from './ledger-queue';

const poolOf = (db: OrdersDb) => (db as unknown as { $client: Pool }).$client;

export interface RoutingResult {
  fulfillmentOrders: number;
  orders: number;
  /** Ids Shopify has no fulfillment order for (deleted, or not this shop's). */
  missing: string[];
}

/**
 * Routed fulfillment orders → where the ledger holds their lines. Reads only what moving a reservation needs (the
 * fulfillment orders' assigned locations and their lines; FULFILLMENT_ORDERS_ROUTING, 6 + 2 points a line), not the
 * order, and queues it per order for `orderReservations` (which moves a line held elsewhere, or reserves it there).
 */
export function createOrderRoutingActivities(deps: {
  orders: OrdersDb;
  shopify: ShopifyClient;
  shop: string;
  nudgeStock?: StockQueueNudge;
}) {
  return {
    routeFulfillmentOrders: (ids: string[]): Promise<RoutingResult> =>
      keepAlive(async () => {
        const { found, missing } = await readRoutedFulfillmentOrders(deps.shopify, ids);
        const stocks = routedOrderStocks(deps.shop, found);
        if (deps.nudgeStock && (await queueRoutedStock(poolOf(deps.orders), stocks))) deps.nudgeStock();
        return {
          fulfillmentOrders: found.length,
          orders: stocks.length,
          missing,
        };
      }),
  };
}
