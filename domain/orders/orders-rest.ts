import type { GqlOrder } from './orders';

/** The parts of Shopify's REST order JSON (webhook bodies: numeric ids, snake_case) the mapping reads. */
export interface RestOrder {
  id: number;
  admin_graphql_api_id?: string;
  name: string;
  email?: string | null;
  created_at: string;
  updated_at: string;
  processed_at?: string | null;
  cancelled_at?: string | null;
  currency: string;
  presentment_currency?: string | null;
  financial_status?: string | null;
  fulfillment_status?: string | null;
  subtotal_price?: string;
  total_tax?: string;
  total_discounts?: string;
  total_price: string;
  total_shipping_price_set?: { shop_money: { amount: string; currency_code: string } };
  customer?: {
    id: number;
    email?: string | null;
    phone?: string | null;
    first_name?: string | null;
    last_name?: string | null;
    updated_at: string;
  } | null;
  shipping_address?: Record<string, unknown> | null;
  billing_address?: Record<string, unknown> | null;
  line_items?: {
    id: number;
    sku?: string | null;
    title: string;
    quantity: number;
    price: string;
    total_discount?: string;
  }[];
  refunds?: {
    id: number;
    created_at?: string | null;
    note?: string | null;
    refund_line_items?: {
      line_item_id: number;
      quantity: number;
      subtotal: string | number;
      /** `no_restock`, `cancel`, `return` or `legacy_restock` (REST Refund resource). */
      restock_type?: string | null;
      location_id?: number | null;
    }[];
  }[];
  tax_lines?: { title: string; rate?: number | null; price: string }[];
}

/** Thrown when a webhook body is not an order this mapping can read; `reason` says what is missing. */
export class MalformedOrderPayload extends Error {
  constructor(readonly reason: string) {
    super(`malformed order payload: ${reason}`);
    this.name = 'MalformedOrderPayload';
  }
}

const gid = (type: string, id: number) => `gid://shopify/${type}/${id}`;
const money = (amount: string | number | undefined, currencyCode: string) =>
  amount === undefined ? undefined : { shopMoney: { amount: String(amount), currencyCode } };
const upper = (s: string | null | undefined) => (s ? s.toUpperCase() : null);
const text = (v: unknown) => (typeof v === 'string' ? v : null);
/** REST addresses in the GraphQL MailingAddress field names the database stores. */
const address = (a: Record<string, unknown> | null | undefined) =>
  a
    ? {
        address1: text(a.address1),
        address2: text(a.address2),
        city: text(a.city),
        province: text(a.province),
        zip: text(a.zip),
        countryCodeV2: text(a.country_code) ?? text(a.countryCodeV2),
        phone: text(a.phone),
        name: text(a.name),
      }
    : null;

/**
 * A webhook's REST order in the GraphQL shape `toOrderRows` reads, so both arrive at the same rows and the
 * same validation flags. REST bodies carry no risk assessments (those come from Order.risk) and no refund
 * totals; those fields are left empty rather than guessed.
 */
export function restOrderToGql(body: unknown): GqlOrder {
  const o = body as Partial<RestOrder> | null;
  if (!o || typeof o !== 'object') throw new MalformedOrderPayload('body is not an object');
  for (const key of ['id', 'created_at', 'updated_at', 'currency', 'total_price'] as const)
    if (o[key] === undefined || o[key] === null) throw new MalformedOrderPayload(`missing ${key}`);
  if (o.line_items !== undefined && !Array.isArray(o.line_items))
    throw new MalformedOrderPayload('line_items is not a list');
  const currency = o.currency!;
  const c = o.customer;
  return {
    id: o.admin_graphql_api_id ?? gid('Order', o.id!),
    name: o.name ?? `#${o.id}`,
    email: o.email ?? null,
    createdAt: o.created_at!,
    updatedAt: o.updated_at!,
    processedAt: o.processed_at ?? null,
    cancelledAt: o.cancelled_at ?? null,
    currencyCode: currency,
    presentmentCurrencyCode: o.presentment_currency ?? currency,
    displayFinancialStatus: upper(o.financial_status),
    displayFulfillmentStatus: upper(o.fulfillment_status) ?? 'UNFULFILLED',
    subtotalPriceSet: money(o.subtotal_price, currency),
    totalTaxSet: money(o.total_tax, currency),
    totalShippingPriceSet: o.total_shipping_price_set
      ? money(o.total_shipping_price_set.shop_money.amount, currency)
      : undefined,
    totalDiscountsSet: money(o.total_discounts, currency),
    totalPriceSet: money(o.total_price, currency),
    totalRefundedSet: money(
      (o.refunds ?? [])
        .flatMap((r) => r.refund_line_items ?? [])
        .reduce((n, rl) => n + Number(rl.subtotal), 0)
        .toFixed(2),
      currency,
    ),
    customer: c
      ? {
          id: gid('Customer', c.id),
          email: c.email ?? null,
          phone: c.phone ?? null,
          firstName: c.first_name ?? null,
          lastName: c.last_name ?? null,
          updatedAt: c.updated_at,
        }
      : null,
    shippingAddress: address(o.shipping_address),
    billingAddress: address(o.billing_address),
    taxLines: (o.tax_lines ?? []).map((t) => ({
      title: t.title,
      rate: t.rate ?? null,
      priceSet: money(t.price, currency),
    })),
    lineItems: (o.line_items ?? []).map((li) => ({
      id: gid('LineItem', li.id),
      sku: li.sku ?? null,
      title: li.title,
      quantity: li.quantity,
      originalUnitPriceSet: money(li.price, currency),
      totalDiscountSet: money(li.total_discount ?? '0.00', currency),
    })),
    refunds: (o.refunds ?? []).map((r) => ({
      id: gid('Refund', r.id),
      createdAt: r.created_at ?? null,
      note: r.note ?? null,
      totalRefundedSet: money(
        (r.refund_line_items ?? []).reduce((n, rl) => n + Number(rl.subtotal), 0).toFixed(2),
        currency,
      ),
      refundLineItems: {
        nodes: (r.refund_line_items ?? []).map((rl) => ({
          lineItem: { id: gid('LineItem', rl.line_item_id) },
          quantity: rl.quantity,
          subtotalSet: money(rl.subtotal, currency),
          restockType: rl.restock_type ?? null,
          location: rl.location_id ? { id: gid('Location', rl.location_id) } : null,
        })),
      },
    })),
    risk: null,
  };
}
