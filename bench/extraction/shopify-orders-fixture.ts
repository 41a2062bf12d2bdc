/**
 * The Shopify orders history of the lake benchmark (bench/extraction/shopify-lake.ts): `count` order nodes as a
 * bulk query or a page of `orders` returns them, spread evenly over a year from 2025-12-01, grocery baskets of
 * 15–80 lines, one in twenty over 100. Deterministic (a fixed seed), and generated one order at a time, so the
 * extraction process and the baseline's NDJSON writer each read the same orders without either holding them.
 */
export const HISTORY_DAYS = 365;

export function* orderNodes(count: number): Generator<Record<string, unknown>> {
  let seed = 2026;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const basket = () => (rand() < 0.05 ? 100 + Math.floor(rand() * 40) : 15 + Math.floor(rand() * 66));
  const money = (n: number) => ({ shopMoney: { amount: n.toFixed(2), currencyCode: 'BBD' } });
  const start = Date.parse('2025-12-01T00:00:00Z');
  let lineId = 1;
  for (let i = 0; i < count; i++) {
    const created = new Date(start + Math.floor((i / count) * HISTORY_DAYS * 86_400_000)).toISOString();
    const lines = Array.from({ length: basket() }, () => ({
      id: `gid://shopify/LineItem/${lineId++}`,
      sku: `SKU-${Math.floor(rand() * 4000)}`,
      title: 'Grocery item',
      quantity: 1 + Math.floor(rand() * 3),
      originalUnitPriceSet: money(0.5 + rand() * 20),
      totalDiscountSet: money(0),
    }));
    yield {
      id: `gid://shopify/Order/${i + 1}`,
      name: `#${1000 + i}`,
      createdAt: created,
      updatedAt: created,
      processedAt: created,
      cancelledAt: null,
      currencyCode: 'BBD',
      displayFinancialStatus: 'PAID',
      displayFulfillmentStatus: 'FULFILLED',
      subtotalPriceSet: money(50),
      totalTaxSet: money(8.75),
      totalShippingPriceSet: money(0),
      totalDiscountsSet: money(0),
      totalPriceSet: money(58.75),
      totalRefundedSet: money(0),
      customer: { id: `gid://shopify/Customer/${1 + (i % 20_000)}` },
      taxLines: [],
      refunds: [],
      lineItems: { nodes: lines, pageInfo: { hasNextPage: false, endCursor: null } },
    };
  }
}

/** Pages of `size` orders, as the extraction reads them. */
export function* orderPages(count: number, size: number): Generator<Record<string, unknown>[]> {
  let page: Record<string, unknown>[] = [];
  for (const node of orderNodes(count)) {
    page.push(node);
    if (page.length >= size) {
      yield page;
      page = [];
    }
  }
  if (page.length) yield page;
}
