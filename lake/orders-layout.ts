/**
 * Orders in the lake bucket:
 *   orders/dt=YYYY-MM-DD/part-NNNNN.ndjson.gz   one JSON object per line (schema below), gzip, ≤ 10,000 orders a part
 *   orders/dt=YYYY-MM-DD/_manifest.json         { day, parts, orders, total } written last: readers trust only listed parts
 * `dt` is the order's created_at day (UTC). Re-running a day rewrites the same keys.
 *
 * Line schema (v1): { orderId: string, name: string, shop: string, createdAt: ISO-8601 UTC, updatedAt: ISO-8601 UTC,
 *   currency: string, financialStatus: string|null, fulfillmentStatus: string|null, subtotal: decimal string,
 *   totalTax: decimal string, total: decimal string, totalRefunded: decimal string, customerId: string|null,
 *   riskLevel: string|null, flaggedHighRisk: boolean, validationFlags: string[]|null,
 *   lineItems: [{ id: string, sku: string|null, title: string, quantity: int, price: decimal string }] }
 */
export const ORDERS_PER_PART = 10_000;
export const ordersDayPrefix = (day: string) => `orders/dt=${day}/`;
export const ordersPartKey = (day: string, part: number) =>
  `${ordersDayPrefix(day)}part-${String(part).padStart(5, '0')}.ndjson.gz`;
export const ordersManifestKey = (day: string) => `${ordersDayPrefix(day)}_manifest.json`;

export interface OrdersManifest {
  day: string;
  parts: string[];
  orders: number;
  total: string;
  schemaVersion: 1;
}
