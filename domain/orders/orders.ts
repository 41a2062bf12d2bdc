/** Pure mapping of Shopify orders (Admin GraphQL shape) to the orders database's rows, with validation flags. */

/**
 * Shopify's restock types of a refund line (RefundLineItemRestockType, admin 2026-10): CANCEL "Use this when restocking
 * unfulfilled line items", RETURN "Use this when restocking line items that were fulfilled", NO_RESTOCK "Refund line
 * item was not restocked", LEGACY_RESTOCK "restocked, without specifically beingidentified as a return or
 * cancelation". Null: the source did not say.
 */
export type RestockType = 'CANCEL' | 'RETURN' | 'NO_RESTOCK' | 'LEGACY_RESTOCK';

export interface OrderRows {
  order: {
    id: number;
    shop: string;
    name: string;
    email: string | null;
    currency: string;
    presentmentCurrency: string | null;
    financialStatus: string | null;
    fulfillmentStatus: string | null;
    subtotal: string;
    totalTax: string;
    totalShipping: string;
    totalDiscounts: string;
    total: string;
    totalRefunded: string;
    customerId: number | null;
    shippingAddress: Record<string, unknown> | null;
    billingAddress: Record<string, unknown> | null;
    riskLevel: string | null;
    riskRecommendation: string | null;
    flaggedHighRisk: boolean;
    validationFlags: string[] | null;
    createdAtShopify: Date;
    updatedAtShopify: Date;
    processedAt: Date | null;
    cancelledAt: Date | null;
  };
  customer: {
    id: number;
    email: string | null;
    phone: string | null;
    firstName: string | null;
    lastName: string | null;
    updatedAtShopify: Date;
  } | null;
  lineItems: {
    id: number;
    orderId: number;
    sku: string | null;
    title: string;
    quantity: number;
    price: string;
    totalDiscount: string;
  }[];
  refunds: { id: number; orderId: number; createdAtShopify: Date; total: string; note: string | null }[];
  refundLineItems: { refundId: number; lineItemId: number; quantity: number; subtotal: string }[];
  taxLines: { orderId: number; lineItemId: number; title: string; rate: string; price: string }[];
  /**
   * Not stored as order rows, read by the stock ledger: each refund line's restock type and restock location
   * (RefundLineItem.restockType / .location), and the assigned location of the fulfillment order holding each line
   * (Order.fulfillmentOrders → FulfillmentOrder.assignedLocation.location), when the source carried them.
   */
  refundRestocks?: {
    refundId: number;
    lineItemId: number;
    restockType: RestockType | null;
    locationId: string | null;
  }[];
  lineLocations?: Record<number, string>;
  /** False when the source carried no risk (a webhook's REST body): stored risk is then left as it is. */
  riskKnown: boolean;
  /**
   * Whether the source held every child row. A complete list replaces the stored one; a partial list (a
   * connection with a next page left, or refunds without their lines, as in a bulk query) only adds and
   * updates rows, so a partial read never shrinks a complete order.
   */
  complete: { lineItems: boolean; refundLineItems: boolean };
  risks: {
    orderId: number;
    provider: string;
    riskLevel: string;
    recommendation: string | null;
    facts: { description: string; sentiment: string }[];
  }[];
}

type Money =
  | { shopMoney: { amount: string; currencyCode: string }; presentmentMoney?: { amount: string; currencyCode: string } }
  | null
  | undefined;
export interface GqlOrder {
  id: string;
  name: string;
  email: string | null;
  createdAt: string;
  updatedAt: string;
  processedAt: string | null;
  cancelledAt: string | null;
  currencyCode: string;
  presentmentCurrencyCode: string;
  displayFinancialStatus: string | null;
  displayFulfillmentStatus: string | null;
  subtotalPriceSet?: Money;
  totalTaxSet?: Money;
  totalShippingPriceSet?: Money;
  totalDiscountsSet?: Money;
  totalPriceSet: Money;
  totalRefundedSet?: Money;
  customer: {
    id: string;
    email: string | null;
    phone: string | null;
    firstName: string | null;
    lastName: string | null;
    updatedAt: string;
  } | null;
  shippingAddress: Record<string, unknown> | null;
  billingAddress: Record<string, unknown> | null;
  taxLines?: { title: string; rate: number | null; priceSet: Money }[];
  lineItems: { nodes?: GqlLineItem[]; pageInfo?: GqlPageInfo } | GqlLineItem[];
  refunds?: {
    id: string;
    createdAt: string | null;
    note: string | null;
    totalRefundedSet: Money;
    /** Absent when the source could not carry it (a bulk query: no connection inside the refunds list). */
    refundLineItems?: {
      nodes: {
        lineItem: { id: string };
        quantity: number;
        subtotalSet: Money;
        restockType?: string | null;
        location?: { id: string } | null;
      }[];
      pageInfo?: GqlPageInfo;
    };
  }[];
  /** Where each line is expected to be fulfilled from (absent from webhook bodies and most reads). */
  fulfillmentOrders?: {
    nodes: {
      assignedLocation: { location: { id: string } | null } | null;
      lineItems: { nodes: { lineItem: { id: string } }[] };
    }[];
  };
  risk?: {
    recommendation: string;
    assessments: {
      riskLevel: string;
      provider: { title: string } | null;
      facts: { description: string; sentiment: string }[];
    }[];
  } | null;
}
interface GqlPageInfo {
  hasNextPage: boolean;
}
interface GqlLineItem {
  id: string;
  sku: string | null;
  title: string;
  quantity: number;
  originalUnitPriceSet: Money;
  totalDiscountSet?: Money;
}

export const numericId = (gid: string) => Number(gid.split('/').pop()!.split('?')[0]);
const amount = (m: Money) => (m ? Number(m.shopMoney.amount).toFixed(2) : '0.00');
const RISK_ORDER = ['NONE', 'PENDING', 'LOW', 'MEDIUM', 'HIGH'];

/** The most severe risk level among an order's assessments (null when it has none). */
export function worstRiskLevel(assessments: readonly { riskLevel: string }[]): string | null {
  return assessments.map((a) => a.riskLevel).sort((a, b) => RISK_ORDER.indexOf(b) - RISK_ORDER.indexOf(a))[0] ?? null;
}

/** Reasons an order is suspicious as data (stored with the order, never a reason to drop it). */
export function validationFlags(o: GqlOrder, lineItems: GqlLineItem[], complete = true): string[] {
  const flags: string[] = [];
  if (!lineItems.length && complete) flags.push('MISSING_LINE_ITEMS');
  if (o.presentmentCurrencyCode && o.presentmentCurrencyCode !== o.currencyCode) flags.push('CURRENCY_MISMATCH');
  if (lineItems.some((li) => li.quantity <= 0)) flags.push('NON_POSITIVE_QUANTITY');
  const lines = lineItems.reduce((n, li) => n + Number(amount(li.originalUnitPriceSet)) * li.quantity, 0);
  // Only a complete list can be held against the subtotal.
  if (
    complete &&
    o.subtotalPriceSet &&
    lineItems.length &&
    Math.abs(lines - Number(amount(o.subtotalPriceSet))) > 0.011
  )
    flags.push('SUBTOTAL_MISMATCH');
  return flags;
}

export function toOrderRows(o: GqlOrder, shop: string): OrderRows {
  const orderId = numericId(o.id);
  const lineItems = Array.isArray(o.lineItems) ? o.lineItems : (o.lineItems.nodes ?? []);
  const complete = {
    lineItems: Array.isArray(o.lineItems) || !o.lineItems.pageInfo?.hasNextPage,
    refundLineItems: (o.refunds ?? []).every((r) => r.refundLineItems && !r.refundLineItems.pageInfo?.hasNextPage),
  };
  const assessments = o.risk?.assessments ?? [];
  const worst = worstRiskLevel(assessments);
  const flags = validationFlags(o, lineItems, complete.lineItems);
  return {
    order: {
      id: orderId,
      shop,
      name: o.name,
      email: o.email,
      currency: o.currencyCode,
      presentmentCurrency: o.presentmentCurrencyCode ?? null,
      financialStatus: o.displayFinancialStatus,
      fulfillmentStatus: o.displayFulfillmentStatus,
      subtotal: amount(o.subtotalPriceSet),
      totalTax: amount(o.totalTaxSet),
      totalShipping: amount(o.totalShippingPriceSet),
      totalDiscounts: amount(o.totalDiscountsSet),
      total: amount(o.totalPriceSet),
      totalRefunded: amount(o.totalRefundedSet),
      customerId: o.customer ? numericId(o.customer.id) : null,
      shippingAddress: o.shippingAddress,
      billingAddress: o.billingAddress,
      riskLevel: worst,
      riskRecommendation: o.risk?.recommendation ?? null,
      flaggedHighRisk: worst === 'HIGH' || o.risk?.recommendation === 'CANCEL',
      validationFlags: flags.length ? flags : null,
      createdAtShopify: new Date(o.createdAt),
      updatedAtShopify: new Date(o.updatedAt),
      processedAt: o.processedAt ? new Date(o.processedAt) : null,
      cancelledAt: o.cancelledAt ? new Date(o.cancelledAt) : null,
    },
    customer: o.customer
      ? {
          id: numericId(o.customer.id),
          email: o.customer.email,
          phone: o.customer.phone,
          firstName: o.customer.firstName,
          lastName: o.customer.lastName,
          updatedAtShopify: new Date(o.customer.updatedAt),
        }
      : null,
    lineItems: lineItems.map((li) => ({
      id: numericId(li.id),
      orderId,
      sku: li.sku,
      title: li.title,
      quantity: li.quantity,
      price: amount(li.originalUnitPriceSet),
      totalDiscount: amount(li.totalDiscountSet),
    })),
    refunds: (o.refunds ?? []).map((r) => ({
      id: numericId(r.id),
      orderId,
      createdAtShopify: new Date(r.createdAt ?? o.updatedAt),
      total: amount(r.totalRefundedSet),
      note: r.note,
    })),
    refundLineItems: (o.refunds ?? []).flatMap((r) =>
      (r.refundLineItems?.nodes ?? []).map((rl) => ({
        refundId: numericId(r.id),
        lineItemId: numericId(rl.lineItem.id),
        quantity: rl.quantity,
        subtotal: amount(rl.subtotalSet),
      })),
    ),
    refundRestocks: (o.refunds ?? []).flatMap((r) =>
      (r.refundLineItems?.nodes ?? []).map((rl) => ({
        refundId: numericId(r.id),
        lineItemId: numericId(rl.lineItem.id),
        restockType: restockTypeOf(rl.restockType),
        locationId: rl.location?.id ?? null,
      })),
    ),
    lineLocations: lineLocationsOf(o),
    taxLines: (o.taxLines ?? []).map((t) => ({
      orderId,
      lineItemId: 0,
      title: t.title,
      rate: (t.rate ?? 0).toFixed(6),
      price: amount(t.priceSet),
    })),
    riskKnown: o.risk !== null && o.risk !== undefined,
    complete,
    risks: assessments.map((a) => ({
      orderId,
      provider: a.provider?.title ?? 'unknown',
      riskLevel: a.riskLevel,
      recommendation: o.risk?.recommendation ?? null,
      facts: a.facts,
    })),
  };
}

const RESTOCK_TYPES = new Set<string>(['CANCEL', 'RETURN', 'NO_RESTOCK', 'LEGACY_RESTOCK']);
const restockTypeOf = (v: string | null | undefined): RestockType | null =>
  v && RESTOCK_TYPES.has(v.toUpperCase()) ? (v.toUpperCase() as RestockType) : null;

/** Line item id → the Shopify location its fulfillment order is assigned to (only lines the source placed). */
function lineLocationsOf(o: GqlOrder): Record<number, string> | undefined {
  if (!o.fulfillmentOrders) return undefined;
  const out: Record<number, string> = {};
  for (const fo of o.fulfillmentOrders.nodes) {
    const location = fo.assignedLocation?.location?.id;
    if (location) for (const l of fo.lineItems.nodes) out[numericId(l.lineItem.id)] = location;
  }
  return out;
}

/** The ingest window after a cursor: starts `overlapMs` earlier to catch writes that landed late. */
export function nextWindow(
  cursor: Date | null,
  now: Date,
  overlapMs: number,
  firstRunLookbackMs: number,
): { from: string; to: string } {
  const from = cursor ? new Date(cursor.getTime() - overlapMs) : new Date(now.getTime() - firstRunLookbackMs);
  return { from: from.toISOString(), to: now.toISOString() };
}
