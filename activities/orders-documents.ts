import { document, type Connection } from '../connectors/shopify';

// Light documents the order pipelines need beside the connector's full ORDER_FIELDS ones; a unit test
// validates each against Shopify's published schema.

/** The shop's latest bulk query: how a start whose reply was lost finds the operation it did create. */
export const CURRENT_BULK_QUERY = document<
  { currentBulkOperation: { id: string; status: string; query: string; createdAt: string } | null },
  Record<string, never>
>('currentBulkQuery', 'query currentBulkQuery { currentBulkOperation(type: QUERY) { id status query createdAt } }', 1);

export interface OrderRisk {
  id: string;
  name: string;
  risk: {
    recommendation: string;
    assessments: {
      riskLevel: string;
      provider: { title: string } | null;
      facts: { description: string; sentiment: string }[];
    }[];
  } | null;
}

/** Risk of recent orders (Order.risk; Order.risks is deprecated). */
export const ORDERS_RISK_PAGE = document<
  { orders: Connection<OrderRisk> },
  { first: number; after?: string | null; query: string }
>(
  'ordersRiskPage',
  `query ordersRiskPage($first: Int!, $after: String, $query: String!) {
  orders(first: $first, after: $after, query: $query, sortKey: CREATED_AT) {
    nodes { id name risk { recommendation assessments { riskLevel provider { title } facts { description sentiment } } } }
    pageInfo { hasNextPage endCursor }
  }
}`,
  500,
);

/** Ids and totals of orders, for reconciliation against the other stores. */
export const ORDERS_TOTALS_PAGE = document<
  { orders: Connection<{ id: string; createdAt: string; totalPriceSet: { shopMoney: { amount: string } } }> },
  { first: number; after?: string | null; query: string }
>(
  'ordersTotalsPage',
  `query ordersTotalsPage($first: Int!, $after: String, $query: String!) {
  orders(first: $first, after: $after, query: $query, sortKey: CREATED_AT) {
    nodes { id createdAt totalPriceSet { shopMoney { amount } } }
    pageInfo { hasNextPage endCursor }
  }
}`,
  600,
);
