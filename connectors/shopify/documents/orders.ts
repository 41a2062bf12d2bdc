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
    refundLineItems: Connection<{ lineItem: { id: string }; quantity: number; subtotalSet: Money }>;
  }[];
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
/** Everything the orders database keeps about an order; risk from Order.risk (Order.risks is deprecated). */
export const ORDER_FIELDS = `id name email createdAt updatedAt processedAt cancelledAt currencyCode presentmentCurrencyCode
  displayFinancialStatus displayFulfillmentStatus
  subtotalPriceSet { ${MONEY} } totalTaxSet { ${MONEY} } totalShippingPriceSet { ${MONEY} }
  totalDiscountsSet { ${MONEY} } totalPriceSet { ${MONEY_BOTH} } totalRefundedSet { ${MONEY} }
  customer { id email phone firstName lastName updatedAt }
  shippingAddress { ${ADDRESS} } billingAddress { ${ADDRESS} }
  taxLines { title rate priceSet { ${MONEY} } }
  lineItems(first: 10) { nodes { id sku title quantity originalUnitPriceSet { ${MONEY} } totalDiscountSet { ${MONEY} } } pageInfo { hasNextPage endCursor } }
  refunds(first: 2) { id createdAt note totalRefundedSet { ${MONEY} } refundLineItems(first: 5) { nodes { lineItem { id } quantity subtotalSet { ${MONEY} } } pageInfo { hasNextPage endCursor } } }
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
  900,
);

export const ORDER = document<{ order: ShopifyOrder | null }, { id: string }>(
  'order',
  `query order($id: ID!) { order(id: $id) { ${ORDER_FIELDS} } }`,
  90,
);

/** Bulk query of orders in a window, for historical backfills: lines are orders, line items and refunds (joined by __parentId). */
export const ordersBulkQuery = (search: string) => `{
  orders(query: ${JSON.stringify(search)}, sortKey: UPDATED_AT) {
    edges { node {
      id name email createdAt updatedAt processedAt cancelledAt currencyCode presentmentCurrencyCode
      displayFinancialStatus displayFulfillmentStatus
      subtotalPriceSet { ${MONEY} } totalTaxSet { ${MONEY} } totalShippingPriceSet { ${MONEY} }
      totalDiscountsSet { ${MONEY} } totalPriceSet { ${MONEY_BOTH} } totalRefundedSet { ${MONEY} }
      customer { id email phone firstName lastName updatedAt }
      shippingAddress { ${ADDRESS} } billingAddress { ${ADDRESS} }
      taxLines { title rate priceSet { ${MONEY} } }
      risk { recommendation assessments { riskLevel provider { title } facts { description sentiment } } }
      lineItems { edges { node { id sku title quantity originalUnitPriceSet { ${MONEY} } totalDiscountSet { ${MONEY} } } } }
    } }
  }
}`;

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
