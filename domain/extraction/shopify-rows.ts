import type { LakeTableDef } from './lake-tables';
import {
  INVENTORY_QUANTITY_NAMES,
  SHOPIFY_CUSTOMERS,
  SHOPIFY_INVENTORY_LEVELS,
  SHOPIFY_LINE_ITEMS,
  SHOPIFY_ORDERS,
  SHOPIFY_PRODUCTS,
  SHOPIFY_REFUND_LINES,
  SHOPIFY_REFUNDS,
  SHOPIFY_TAX_LINES,
  SHOPIFY_VARIANTS,
} from './shopify-tables';

/**
 * Shopify nodes → lake rows, per table (pure). Inputs are typed loosely on purpose: a node missing a field becomes
 * a row missing it, which the writer quarantines with its reason instead of this code throwing for the whole page.
 */
type Node = Record<string, unknown>;
type Rows = { table: LakeTableDef; rows: Record<string, unknown>[] }[];

const gidNumber = (gid: unknown) => (typeof gid === 'string' ? gid.split('/').pop()!.split('?')[0] : undefined);
const shop = (m: unknown) => (m as { shopMoney?: { amount?: string } } | null | undefined)?.shopMoney?.amount;
const nodesOf = (c: unknown) => ((c as { nodes?: Node[] } | null | undefined)?.nodes ?? []) as Node[];

export function orderRows(orders: Node[]): Rows {
  const o: Rows = [
    { table: SHOPIFY_ORDERS, rows: [] },
    { table: SHOPIFY_LINE_ITEMS, rows: [] },
    { table: SHOPIFY_REFUNDS, rows: [] },
    { table: SHOPIFY_REFUND_LINES, rows: [] },
    { table: SHOPIFY_TAX_LINES, rows: [] },
  ];
  const [ordersT, lines, refunds, refundLines, taxes] = o.map((t) => t.rows) as Record<string, unknown>[][];
  for (const n of orders) {
    const orderId = gidNumber(n.id);
    const parent = { order_id: orderId, order_created_at: n.createdAt, updated_at: n.updatedAt };
    const {
      id: _id,
      createdAt,
      updatedAt,
      processedAt,
      cancelledAt,
      currencyCode,
      customer,
      lineItems,
      refunds: rs,
      taxLines,
      ...rest
    } = n;
    ordersT!.push({
      order_id: orderId,
      name: n.name,
      created_at: createdAt,
      updated_at: updatedAt,
      processed_at: processedAt,
      cancelled_at: cancelledAt,
      currency: currencyCode,
      financial_status: n.displayFinancialStatus,
      fulfillment_status: n.displayFulfillmentStatus,
      subtotal: shop(n.subtotalPriceSet),
      total_tax: shop(n.totalTaxSet),
      total_shipping: shop(n.totalShippingPriceSet),
      total_discounts: shop(n.totalDiscountsSet),
      total: shop(n.totalPriceSet),
      total_refunded: shop(n.totalRefundedSet),
      customer_id: gidNumber((customer as Node | null)?.id),
      ...unknownFields(rest, ORDER_KNOWN),
    });
    for (const li of nodesOf(lineItems)) lines!.push(lineItemRow(n, li));
    for (const r of (rs ?? []) as Node[]) {
      refunds!.push({
        ...parent,
        refund_id: gidNumber(r.id),
        created_at: r.createdAt,
        total_refunded: shop(r.totalRefundedSet),
      });
      for (const rl of nodesOf(r.refundLineItems))
        refundLines!.push({
          ...parent,
          refund_id: gidNumber(r.id),
          line_item_id: gidNumber((rl.lineItem as Node | null)?.id),
          quantity: rl.quantity,
          subtotal: shop(rl.subtotalSet),
        });
    }
    ((taxLines ?? []) as Node[]).forEach((t, position) =>
      taxes!.push({ ...parent, position, title: t.title, rate: t.rate, amount: shop(t.priceSet) }),
    );
  }
  return o;
}

/** One line item of `order` (its id, createdAt and updatedAt are all the row takes of it). */
export function lineItemRow(order: Node, li: Node): Record<string, unknown> {
  return {
    order_id: gidNumber(order.id),
    order_created_at: order.createdAt,
    updated_at: order.updatedAt,
    line_item_id: gidNumber(li.id),
    sku: li.sku,
    title: li.title,
    quantity: li.quantity,
    unit_price: shop(li.originalUnitPriceSet),
    total_discount: shop(li.totalDiscountSet),
  };
}

/** Order fields the extraction reads on purpose but does not keep as columns (PII, or kept elsewhere). */
const ORDER_KNOWN = new Set([
  'name',
  'email',
  'presentmentCurrencyCode',
  'displayFinancialStatus',
  'displayFulfillmentStatus',
  'subtotalPriceSet',
  'totalTaxSet',
  'totalShippingPriceSet',
  'totalDiscountsSet',
  'totalPriceSet',
  'totalRefundedSet',
  'shippingAddress',
  'billingAddress',
  'risk',
]);

/** Fields the reader did not ask for (a newer API version, a changed query): passed on so the writer keeps them. */
function unknownFields(rest: Node, known: Set<string>): Node {
  return Object.fromEntries(Object.entries(rest).filter(([k]) => !known.has(k)));
}

export function customerRows(customers: Node[]): Rows {
  return [
    {
      table: SHOPIFY_CUSTOMERS,
      rows: customers.map((c) => ({
        customer_id: gidNumber(c.id),
        created_at: c.createdAt,
        updated_at: c.updatedAt,
        number_of_orders: c.numberOfOrders,
      })),
    },
  ];
}

export function productRows(products: Node[]): Rows {
  const variants: Record<string, unknown>[] = [];
  for (const p of products) for (const v of nodesOf(p.variants)) variants.push(variantRow(p, v));
  return [
    {
      table: SHOPIFY_PRODUCTS,
      rows: products.map((p) => ({
        product_id: gidNumber(p.id),
        created_at: p.createdAt,
        updated_at: p.updatedAt,
        handle: p.handle,
        title: p.title,
        vendor: p.vendor,
        product_type: p.productType,
        status: p.status,
      })),
    },
    { table: SHOPIFY_VARIANTS, rows: variants },
  ];
}

/** One variant of `product` (its id, createdAt and updatedAt are all the row takes of it). */
export function variantRow(product: Node, v: Node): Record<string, unknown> {
  return {
    variant_id: gidNumber(v.id),
    product_id: gidNumber(product.id),
    product_created_at: product.createdAt,
    updated_at: product.updatedAt,
    sku: v.sku,
    barcode: v.barcode,
    price: v.price,
    compare_at_price: v.compareAtPrice,
    title: v.title,
    inventory_item_id: gidNumber((v.inventoryItem as Node | null)?.id),
  };
}

/** Inventory levels (item × location) with their quantities by name; `location` when the node has none inline. */
export function inventoryLevelRows(levels: Node[], locationId?: string): Rows {
  return [
    {
      table: SHOPIFY_INVENTORY_LEVELS,
      rows: levels.map((l) => {
        const q = new Map(
          ((l.quantities ?? []) as { name?: string; quantity?: unknown }[]).map((x) => [x.name, x.quantity]),
        );
        return {
          inventory_item_id: gidNumber((l.item as Node | null)?.id),
          location_id: gidNumber((l.location as Node | null)?.id ?? locationId ?? l.__parentId),
          created_at: l.createdAt,
          updated_at: l.updatedAt,
          ...Object.fromEntries(INVENTORY_QUANTITY_NAMES.map((name) => [name, q.get(name)])),
        };
      }),
    },
  ];
}
