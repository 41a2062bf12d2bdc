/**
 * The SP-API operations we call, with each one's default usage plan (rate in requests/s, burst) as the models
 * publish it (`../shared/amazon/amazon-rate-limits.json`). Amazon may grant more or less; the limiter starts
 * here and moves to what each reply's `x-amzn-RateLimit-Limit` says.
 */
export const OPERATIONS = {
  getListingsItem: { method: 'get', path: '/listings/2021-08-01/items/{sellerId}/{sku}', rate: 5, burst: 10 },
  patchListingsItem: { method: 'patch', path: '/listings/2021-08-01/items/{sellerId}/{sku}', rate: 5, burst: 5 },
  searchListingsItems: { method: 'get', path: '/listings/2021-08-01/items/{sellerId}', rate: 5, burst: 5 },
  createFeedDocument: { method: 'post', path: '/feeds/2021-06-30/documents', rate: 0.5, burst: 15 },
  getFeedDocument: { method: 'get', path: '/feeds/2021-06-30/documents/{feedDocumentId}', rate: 0.0222, burst: 10 },
  createFeed: { method: 'post', path: '/feeds/2021-06-30/feeds', rate: 0.0083, burst: 15 },
  getFeed: { method: 'get', path: '/feeds/2021-06-30/feeds/{feedId}', rate: 2, burst: 15 },
  submitInventoryUpdate: {
    method: 'post',
    path: '/vendor/directFulfillment/inventory/v1/warehouses/{warehouseId}/items',
    rate: 10,
    burst: 10,
  },
  getTransaction: { method: 'get', path: '/vendor/transactions/v1/transactions/{transactionId}', rate: 10, burst: 20 },
  searchOrders: { method: 'get', path: '/orders/2026-01-01/orders', rate: 0.0056, burst: 20 },
  getOrder: { method: 'get', path: '/orders/2026-01-01/orders/{orderId}', rate: 0.5, burst: 30 },
} as const;

export type Operation = keyof typeof OPERATIONS;

const MATCHERS = Object.entries(OPERATIONS).map(([name, op]) => ({
  name: name as Operation,
  method: op.method,
  regex: new RegExp(`^${op.path.replace(/\{[^}]+\}/g, '[^/]+')}$`),
}));

/** The operation a request is, from its method and path (the generated clients don't say which they call). */
export function operationOf(method: string, pathname: string): Operation | undefined {
  const m = method.toLowerCase();
  return MATCHERS.find((x) => x.method === m && x.regex.test(pathname))?.name;
}
