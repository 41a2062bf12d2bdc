import { document, type Connection } from './define';

interface Money {
  shopMoney: { amount: string; currencyCode: string };
  presentmentMoney?: { amount: string; currencyCode: string };
}
export interface ShopifyAddress {
  address1: string | null;
  address2: string | null;
  city: string | null;
  province: string | null;
  zip: string | null;
  countryCodeV2: string | null;
  phone: string | null;
  name: string | null;
}
export interface ShopifyOrder {
  id: string;
  name: string;
  email: string | null;
  createdAt: string;
  updatedAt: string;
  processedAt: string;
  cancelledAt: string | null;
  currencyCode: string;
  presentmentCurrencyCode: string;
  displayFinancialStatus: string | null;
  displayFulfillmentStatus: string;
  subtotalPriceSet: Money | null;
  totalTaxSet: Money | null;
  totalShippingPriceSet: Money;
  totalDiscountsSet: Money | null;
  totalPriceSet: Money;
  totalRefundedSet: Money;
  customer: {
    id: string;
    email: string | null;
    phone: string | null;
    firstName: string | null;
    lastName: string | null;
    updatedAt: string;
  } | null;
  shippingAddress: ShopifyAddress | null;
  billingAddress: ShopifyAddress | null;
  taxLines: { title: string; rate: number | null; priceSet: Money }[];
  lineItems: Connection<{
    id: string;
    sku: string | null;
    title: string;
    quantity: number;
    originalUnitPriceSet: Money;
    totalDiscountSet: Money;
  }>;
  refunds: {
    id: string;
    createdAt: string | null;
    note: string | null;
    totalRefundedSet: Money;
    refundLineItems: Connection<{
      lineItem: { id: string };
      quantity: number;
      subtotalSet: Money;
      restockType: 'CANCEL' | 'RETURN' | 'NO_RESTOCK' | 'LEGACY_RESTOCK';
      location: { id: string } | null;
    }>;
  }[];
  /** Single-order reads (ORDER), and order pages read with `fulfillmentOrders` (ORDERS_FULFILLMENT_ORDERS). */
  fulfillmentOrders?: Connection<{
    assignedLocation: { location: { id: string } | null };
    lineItems: Connection<{ lineItem: { id: string } }>;
  }>;
  risk: {
    recommendation: string;
    assessments: {
      riskLevel: string;
      provider: { title: string } | null;
      facts: { description: string; sentiment: string }[];
    }[];
  };
}

const MONEY = 'shopMoney { amount currencyCode }';
const MONEY_BOTH = 'shopMoney { amount currencyCode } presentmentMoney { amount currencyCode }';
const ADDRESS = 'address1 address2 city province zip countryCodeV2 phone name';
const LINE_ITEM = `id sku title quantity originalUnitPriceSet { ${MONEY} } totalDiscountSet { ${MONEY} }`;
const REFUND_LINE_ITEM = `lineItem { id } quantity subtotalSet { ${MONEY} } restockType location { id }`;
const PAGE_INFO = 'pageInfo { hasNextPage endCursor }';

/**
 * Lines asked for with the order itself. A grocery basket has 15–80 lines and some over 100, so an order
 * page holds few orders with 50 lines each, and the rest of a longer order is read by ORDER_LINE_ITEMS
 * (`completeOrder`). Every nested connection selects pageInfo so a partial read is visible as one.
 */
export const ORDER_LINES_FIRST = 50;
export const REFUND_LINES_FIRST = 10;
/** Follow-up pages: as many as fit the 1000-point query limit (a line costs 5 points, a refund line 4). */
export const LINES_PAGE = 150;

/** Everything the orders database keeps about an order; risk from Order.risk (Order.risks is deprecated). */
export const ORDER_FIELDS = `id name email createdAt updatedAt processedAt cancelledAt currencyCode presentmentCurrencyCode
  displayFinancialStatus displayFulfillmentStatus
  subtotalPriceSet { ${MONEY} } totalTaxSet { ${MONEY} } totalShippingPriceSet { ${MONEY} }
  totalDiscountsSet { ${MONEY} } totalPriceSet { ${MONEY_BOTH} } totalRefundedSet { ${MONEY} }
  customer { id email phone firstName lastName updatedAt }
  shippingAddress { ${ADDRESS} } billingAddress { ${ADDRESS} }
  taxLines { title rate priceSet { ${MONEY} } }
  lineItems(first: ${ORDER_LINES_FIRST}) { nodes { ${LINE_ITEM} } ${PAGE_INFO} }
  refunds { id createdAt note totalRefundedSet { ${MONEY} } refundLineItems(first: ${REFUND_LINES_FIRST}) { nodes { ${REFUND_LINE_ITEM} } ${PAGE_INFO} } }
  risk { recommendation assessments { riskLevel provider { title } facts { description sentiment } } }`;

export const ORDERS_PAGE = document<
  { orders: Connection<ShopifyOrder> },
  { first: number; after?: string | null; query: string }
>(
  'ordersPage',
  `query ordersPage($first: Int!, $after: String, $query: String!) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    nodes { ${ORDER_FIELDS} }
    pageInfo { hasNextPage endCursor }
  }
}`,
  965,
);

/**
 * The fulfillment orders' assigned locations ("the location where the fulfillment is expected to happen"), which
 * the ledger reserves at. Not in an orders page (three orders with them would pass the 1000-point limit): read
 * with single orders, and for a page by ORDERS_FULFILLMENT_ORDERS. Lines past these firsts are reserved as a
 * webhook body's are (the mapped location with most).
 */
const FULFILLMENT_ORDERS = `fulfillmentOrders(first: 2) { nodes { assignedLocation { location { id } } lineItems(first: ${ORDER_LINES_FIRST}) { nodes { lineItem { id } } ${PAGE_INFO} } } ${PAGE_INFO} }`;

export const ORDER = document<{ order: ShopifyOrder | null }, { id: string }>(
  'order',
  `query order($id: ID!) { order(id: $id) { ${ORDER_FIELDS} ${FULFILLMENT_ORDERS} } }`,
  540,
);

/** Orders whose fulfillment orders one request reads: an orders page's worth, ~110 points each. */
export const FULFILLMENT_ORDERS_BATCH = 3;

/**
 * The fulfillment orders of up to FULFILLMENT_ORDERS_BATCH orders in one request, read after each orders page
 * (the split that keeps both requests under the 1000-point limit): `order(id:)` aliased once per order (`o0: …`),
 * one document per count so every variable is a non-null ID as the field requires.
 */
export const ORDERS_FULFILLMENT_ORDERS = Array.from({ length: FULFILLMENT_ORDERS_BATCH }, (_, k) => {
  const ids = Array.from({ length: k + 1 }, (_, i) => i);
  return document<Record<string, Pick<ShopifyOrder, 'fulfillmentOrders'> | null>, Record<string, string>>(
    `ordersFulfillmentOrders${k + 1}`,
    `query ordersFulfillmentOrders${k + 1}(${ids.map((i) => `$o${i}: ID!`).join(', ')}) {
${ids.map((i) => `  o${i}: order(id: $o${i}) { ${FULFILLMENT_ORDERS} }`).join('\n')}
}`,
    (k + 1) * 110,
  );
});

/** What moving a reservation needs of one routed fulfillment order: its order, where it is assigned, its lines. */
export interface RoutedFulfillmentOrder {
  id: string;
  status: string;
  order: { id: string; createdAt: string };
  assignedLocation: { location: { id: string } | null };
  lineItems: Connection<{ lineItem: { id: string; sku: string | null; quantity: number } }>;
}

/**
 * Lines asked for with a routed fulfillment order. One costs 6 + 2 × this (requested; the bucket is charged for the
 * lines returned), so FULFILLMENT_ORDERS_ROUTING_BATCH of them fit the 1000-point query limit; the rest of a longer
 * one is read by FULFILLMENT_ORDER_LINE_ITEMS.
 */
export const ROUTED_LINES_FIRST = 50;
export const FULFILLMENT_ORDERS_ROUTING_BATCH = 9;
const ROUTED_LINE = 'lineItem { id sku quantity }';
const ROUTED_FULFILLMENT_ORDER = `id status order { id createdAt } assignedLocation { location { id } }
  lineItems(first: ${ROUTED_LINES_FIRST}) { nodes { ${ROUTED_LINE} } ${PAGE_INFO} }`;

/**
 * Up to FULFILLMENT_ORDERS_ROUTING_BATCH routed fulfillment orders in one request (fulfillment_orders/
 * order_routing_complete names only the fulfillment order): `fulfillmentOrder(id:)` aliased once per id (`f0: …`),
 * one document per count so every variable is a non-null ID. Not the whole order (ORDER, ~540 points): only its
 * id and creation time, the assigned location and the lines' ids, SKUs and quantities.
 */
export const FULFILLMENT_ORDERS_ROUTING = Array.from({ length: FULFILLMENT_ORDERS_ROUTING_BATCH }, (_, k) => {
  const ids = Array.from({ length: k + 1 }, (_, i) => i);
  return document<Record<string, RoutedFulfillmentOrder | null>, Record<string, string>>(
    `fulfillmentOrdersRouting${k + 1}`,
    `query fulfillmentOrdersRouting${k + 1}(${ids.map((i) => `$f${i}: ID!`).join(', ')}) {
${ids.map((i) => `  f${i}: fulfillmentOrder(id: $f${i}) { ${ROUTED_FULFILLMENT_ORDER} }`).join('\n')}
}`,
    (k + 1) * (6 + 2 * ROUTED_LINES_FIRST),
  );
});

/** The rest of a routed fulfillment order's lines after `after`. */
export const FULFILLMENT_ORDER_LINE_ITEMS = document<
  { fulfillmentOrder: { lineItems: RoutedFulfillmentOrder['lineItems'] } | null },
  { id: string; after?: string | null }
>(
  'fulfillmentOrderLineItems',
  `query fulfillmentOrderLineItems($id: ID!, $after: String) {
  fulfillmentOrder(id: $id) { lineItems(first: ${LINES_PAGE}, after: $after) { nodes { ${ROUTED_LINE} } ${PAGE_INFO} } }
}`,
  3 + 2 * LINES_PAGE,
);

type LineNode = ShopifyOrder['lineItems']['nodes'][number];
type RefundLineNode = ShopifyOrder['refunds'][number]['refundLineItems']['nodes'][number];

/** The rest of an order's lines after `after`, a page at a time. */
export const ORDER_LINE_ITEMS = document<
  { order: { lineItems: Connection<LineNode> } | null },
  { id: string; after?: string | null }
>(
  'orderLineItems',
  `query orderLineItems($id: ID!, $after: String) {
  order(id: $id) { lineItems(first: ${LINES_PAGE}, after: $after) { nodes { ${LINE_ITEM} } ${PAGE_INFO} } }
}`,
  753,
);

/** The rest of one refund's lines after `after`. */
export const REFUND_LINE_ITEMS = document<
  { refund: { refundLineItems: Connection<RefundLineNode> } | null },
  { id: string; after?: string | null }
>(
  'refundLineItems',
  `query refundLineItems($id: ID!, $after: String) {
  refund(id: $id) { refundLineItems(first: ${LINES_PAGE}, after: $after) { nodes { ${REFUND_LINE_ITEM} } ${PAGE_INFO} } }
}`,
  603,
);

/** An order's refunds with their first lines: what a bulk query cannot return (a connection inside a list). */
export const ORDER_REFUNDS = document<
  { order: { id: string; refunds: ShopifyOrder['refunds'] } | null },
  { id: string }
>(
  'orderRefunds',
  `query orderRefunds($id: ID!) {
  order(id: $id) { id refunds { id createdAt note totalRefundedSet { ${MONEY} } refundLineItems(first: ${REFUND_LINES_FIRST * 2}) { nodes { ${REFUND_LINE_ITEM} } ${PAGE_INFO} } } }
}`,
  86,
);

export interface OrderRisk {
  id: string;
  risk: ShopifyOrder['risk'];
}

/** Risk only (Order.risk, not the deprecated Order.risks), for the periodic fraud-indicator refresh. */
export const ORDERS_RISK_PAGE = document<
  { orders: Connection<OrderRisk> },
  { first: number; after?: string | null; query: string }
>(
  'ordersRiskPage',
  `query ordersRiskPage($first: Int!, $after: String, $query: String!) {
  orders(first: $first, after: $after, query: $query, sortKey: ID) {
    nodes { id risk { recommendation assessments { riskLevel provider { title } facts { description sentiment } } } }
    pageInfo { hasNextPage endCursor }
  }
}`,
  252,
);

/** Ids and totals of orders created in a window: Shopify's side of the reconciliation. */
export const ORDERS_TOTALS_PAGE = document<
  { orders: Connection<{ id: string; totalPriceSet: { shopMoney: { amount: string } } }> },
  { first: number; after?: string | null; query: string }
>(
  'ordersTotalsPage',
  `query ordersTotalsPage($first: Int!, $after: String, $query: String!) {
  orders(first: $first, after: $after, query: $query, sortKey: ID) {
    nodes { id totalPriceSet { shopMoney { amount } } }
    pageInfo { hasNextPage endCursor }
  }
}`,
  752,
);
