import type { Storefront } from '../sandbox/shopify/storefront';

/** Days of storefront history the demo shop starts with: past Shopify's 60-day default order window. */
export const DEMO_HISTORY_DAYS = 120;
const DAY_MS = 86_400_000;

export interface DemoHistory {
  /** The window the orders were created in, as the orders backfill takes it: [from, to). */
  from: string;
  to: string;
  orders: number;
  /** Orders created more than 60 days ago: only an app with `read_all_orders` reads them. */
  olderThan60Days: number;
}

/**
 * The demo storefront's history: grocery orders spread over the last 120 days (about half older than 60 days), placed
 * before the webhook receiver subscribes, so they reach the orders database by the bulk history (`orders-backfill`)
 * the demo starts, as a shop's past does. Placed once: the sandbox keeps its shop in `.local/shopify-sandbox`.
 */
export function placeDemoHistory(storefront: Storefront, count: number, now = Date.now()): DemoHistory {
  const orders = storefront.placeOrders({
    count,
    spreadDays: DEMO_HISTORY_DAYS,
    highRiskRate: 0.05,
    malformedRate: 0.02,
    refundRate: 0.1,
  });
  return {
    from: new Date(now - (DEMO_HISTORY_DAYS + 1) * DAY_MS).toISOString(),
    to: new Date(Math.max(now, ...orders.map((o) => Date.parse(o.createdAt))) + 1000).toISOString(),
    orders: orders.length,
    olderThan60Days: orders.filter((o) => Date.parse(o.createdAt) < now - 60 * DAY_MS).length,
  };
}
