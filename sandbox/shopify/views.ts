import { connection, type ConnectionArgs, type SandboxContext } from './connection';
import { numericId } from './state';
import { levelTimes } from './inventory-levels';
import { searchFilter } from './search';
import type {
  ShopState,
  SbBulkOperation,
  SbCustomer,
  SbInventoryItem,
  SbLocation,
  SbOrder,
  SbProduct,
  SbRefund,
  SbVariant,
  SbMoney,
} from './state';

/** GraphQL-facing views of state objects; nested connections are methods the default resolver calls. */
export function productView(p: SbProduct, s: ShopState) {
  return {
    ...p,
    options: () =>
      p.options.map((o) => ({ ...o, optionValues: o.values.map((v, i) => ({ id: `${o.id}-${i}`, name: v })) })),
    variants: (a: ConnectionArgs, ctx: SandboxContext) =>
      connection(
        p.variants.map((v) => variantView(v, p, s)),
        a,
        ctx,
      ),
    variantsCount: { count: p.variants.length },
    metafield: ({ namespace, key }: { namespace?: string; key: string }) =>
      p.metafields.find((m) => m.key === key && (namespace == null || m.namespace === namespace)) ?? null,
    metafields: (a: ConnectionArgs & { namespace?: string }, ctx: SandboxContext) =>
      connection(
        p.metafields.filter((m) => a.namespace == null || m.namespace === a.namespace),
        a,
        ctx,
      ),
  };
}

export function variantView(v: SbVariant, p: SbProduct, s: ShopState) {
  return {
    ...v,
    title: v.optionValues.map((o) => o.value).join(' / ') || 'Default Title',
    selectedOptions: v.optionValues,
    inventoryItem: () => inventoryItemView(s.inventoryItems.get(v.inventoryItemId)!, s),
    product: () => productView(p, s),
  };
}

/** An item's level at a location, or null where it is not stocked. */
function levelView(item: SbInventoryItem, locationId: string, s: ShopState): Record<string, unknown> | null {
  const quantities = item.levels.get(locationId);
  const location = s.locations.get(locationId);
  if (!quantities || !location) return null;
  return {
    id: `gid://shopify/InventoryLevel/${locationId.split('/').pop()}?inventory_item_id=${item.id.split('/').pop()}`,
    isActive: true,
    ...levelTimes(quantities),
    location: () => locationView(location, s),
    quantities: ({ names }: { names: string[] }) =>
      names.map((name) => ({ name, quantity: quantities.get(name) ?? 0 })),
    item: () => inventoryItemView(item, s),
  };
}

export function inventoryItemView(item: SbInventoryItem, s: ShopState): Record<string, unknown> {
  const level = (locationId: string) => levelView(item, locationId, s);
  return {
    id: item.id,
    sku: item.sku,
    tracked: item.tracked,
    measurement: { weight: item.weight },
    inventoryLevel: ({ locationId }: { locationId: string }) => level(locationId),
    inventoryLevels: (a: ConnectionArgs, ctx: SandboxContext) =>
      connection(
        [...item.levels.keys()].map(level).filter((l) => l !== null),
        a,
        ctx,
      ),
  };
}

/**
 * A location; with the shop state, its `inventoryLevels` too: "A list of the quantities of the inventory items that
 * can be stocked at this location" (Location.inventoryLevels), one per item stocked there, in item id order.
 */
export const locationView = (l: SbLocation, s?: ShopState) => ({
  id: l.id,
  name: l.name,
  isActive: l.isActive,
  address: { address1: l.address1 ?? null, city: null, zip: null },
  inventoryLevels: (a: ConnectionArgs & { query?: string }, ctx: SandboxContext): Record<string, unknown> => {
    const items = s ? [...s.inventoryItems.values()].filter((item) => item.levels.has(l.id)) : [];
    return connection(
      items
        .map((item) => levelView(item, l.id, s!))
        .filter((v) => v !== null)
        .filter(levelFilter(a.query)),
      a,
      ctx,
    );
  },
});

/** Location.inventoryLevels(query:) filters: created_at, updated_at, inventory_item_id (the schema's list, less ids). */
const levelFilter = (query: string | undefined) =>
  searchFilter<Record<string, unknown>>(query, {
    created_at: (v) => v.createdAt as string,
    updated_at: (v) => v.updatedAt as string,
    inventory_item_id: (v) => Number(String(v.id).split('inventory_item_id=')[1]),
  });

const bag = (
  amount: string,
  currencyCode: string,
  presentment: string,
): { shopMoney: SbMoney; presentmentMoney: SbMoney } => ({
  shopMoney: { amount, currencyCode },
  presentmentMoney: { amount, currencyCode: presentment },
});

export function orderView(o: SbOrder, s: ShopState) {
  const m = (amount: string) => bag(amount, o.currencyCode, o.presentmentCurrencyCode);
  const lineItems = o.lineItems.map((li) => ({
    ...li,
    originalUnitPriceSet: m(li.price),
    totalDiscountSet: m(li.discount),
    taxLines: () => li.taxLines.map((t) => ({ ...t, priceSet: m(t.price) })),
  }));
  const refunded = o.refunds.reduce((sum, r) => sum + Number(r.total), 0);
  return {
    ...o,
    name: `#${o.number}`,
    displayFinancialStatus: o.financialStatus,
    displayFulfillmentStatus: o.fulfillmentStatus,
    subtotalPriceSet: m(o.subtotal),
    totalTaxSet: m(o.totalTax),
    totalShippingPriceSet: m(o.totalShipping),
    totalDiscountsSet: m(o.totalDiscounts),
    totalPriceSet: m(o.total),
    totalRefundedSet: m(refunded.toFixed(2)),
    customer: () => {
      const c = o.customerId ? s.customers.get(o.customerId) : undefined;
      return c ? customerView(c, s) : null;
    },
    lineItems: (a: ConnectionArgs, ctx: SandboxContext) => connection(lineItems, a, ctx),
    fulfillmentOrders: (a: ConnectionArgs, ctx: SandboxContext) => connection(fulfillmentOrdersOf(o, s), a, ctx),
    // Order.refunds(first:): "Truncate the array result to this size."
    refunds: ({ first }: { first?: number | null }) =>
      o.refunds.slice(0, first ?? undefined).map((r) => refundView(r, o, s)),
    taxLines: o.taxLines.map((t) => ({ ...t, priceSet: m(t.price) })),
    risk: {
      recommendation: o.risk.recommendation,
      assessments: o.risk.assessments.map((a) => ({ ...a, provider: a.provider ? { title: a.provider } : null })),
    },
  };
}

export function refundView(r: SbRefund, o: SbOrder, s: ShopState) {
  const m = (amount: string) => bag(amount, o.currencyCode, o.presentmentCurrencyCode);
  return {
    ...r,
    totalRefundedSet: m(r.total),
    refundLineItems: (a: ConnectionArgs, ctx: SandboxContext) =>
      connection(
        r.lineItems.map((rl) => {
          const li = o.lineItems.find((l) => l.id === rl.lineItemId)!;
          const location = rl.locationId ? s.locations.get(rl.locationId) : undefined;
          return {
            lineItem: { ...li, originalUnitPriceSet: m(li.price), totalDiscountSet: m(li.discount) },
            quantity: rl.quantity,
            subtotalSet: m(rl.subtotal),
            restockType: rl.restockType ?? 'LEGACY_RESTOCK',
            // RefundLineItem.restocked: "Whether the refunded line item was restocked."
            restocked: rl.restockType !== 'NO_RESTOCK',
            location: location ? locationView(location, s) : null,
          };
        }),
        a,
        ctx,
      ),
  };
}

/**
 * Order.fulfillmentOrders: "Each fulfillment order groups line items that are fulfilled together"; a FulfillmentOrder
 * is "a group of items in an Order that are expected to be fulfilled from the same location", and its
 * assignedLocation is "the location where the fulfillment is expected to happen". The sandbox routes a line where
 * its units were committed (commitOrder), a line with no stock at the shop's first location; one fulfillment order
 * per location, OPEN until the order is fulfilled (CLOSED) or cancelled (CANCELLED). Its id is the order's numeric
 * id followed by three digits (its place), so `fulfillmentOrder(id:)` finds its order without an index.
 */
export function fulfillmentOrdersOf(o: SbOrder, s: ShopState) {
  const m = (amount: string) => bag(amount, o.currencyCode, o.presentmentCurrencyCode);
  const fallback = [...s.locations.keys()][0];
  const byLocation = new Map<string, SbOrder['lineItems']>();
  for (const li of o.lineItems) {
    const at = li.assignedLocationId ?? fallback;
    if (!at || li.quantity <= 0) continue;
    byLocation.set(at, [...(byLocation.get(at) ?? []), li]);
  }
  const status = o.cancelledAt ? 'CANCELLED' : o.fulfillmentStatus === 'FULFILLED' ? 'CLOSED' : 'OPEN';
  return [...byLocation].map(([locationId, lines], i) => {
    const location = s.locations.get(locationId);
    return {
      id: `gid://shopify/FulfillmentOrder/${numericId(o.id)}${String(i + 1).padStart(3, '0')}`,
      status,
      order: () => orderView(o, s),
      assignedLocation: { name: location?.name ?? '', location: location ? locationView(location, s) : null },
      lineItems: (a: ConnectionArgs, ctx: SandboxContext) =>
        connection(
          lines.map((li) => ({
            id: `gid://shopify/FulfillmentOrderLineItem/${numericId(li.id)}`,
            lineItem: { ...li, originalUnitPriceSet: m(li.price), totalDiscountSet: m(li.discount) },
            totalQuantity: li.quantity,
            remainingQuantity: status === 'OPEN' ? li.quantity : 0,
          })),
          a,
          ctx,
        ),
    };
  });
}

export function customerView(c: SbCustomer, s: ShopState) {
  return {
    ...c,
    createdAt: c.createdAt ?? c.updatedAt,
    displayName: [c.firstName, c.lastName].filter(Boolean).join(' ') || c.email || '',
    defaultEmailAddress: c.email ? { emailAddress: c.email } : null,
    defaultPhoneNumber: c.phone ? { phoneNumber: c.phone } : null,
    // UnsignedInt64 travels as a string in Shopify's JSON.
    numberOfOrders: () => String([...s.orders.values()].filter((o) => o.customerId === c.id).length),
  };
}

/** UnsignedInt64 fields (counts, sizes) are strings on the wire, as Shopify sends them. */
export const bulkOperationView = (op: SbBulkOperation) => ({
  ...op,
  objectCount: String(op.objectCount),
  rootObjectCount: String(op.rootObjectCount),
  fileSize: op.fileSize == null ? null : String(op.fileSize),
});

/** QueryRoot.fulfillmentOrder: "Returns a `FulfillmentOrder` resource by ID." (null when there is none). */
export function fulfillmentOrderById(id: string, s: ShopState, readable: (o: SbOrder) => boolean = () => true) {
  const digits = /^gid:\/\/shopify\/FulfillmentOrder\/(\d{4,})$/.exec(id)?.[1];
  const order = digits ? s.orders.get(`gid://shopify/Order/${digits.slice(0, -3)}`) : undefined;
  return (order && readable(order) && fulfillmentOrdersOf(order, s).find((fo) => fo.id === id)) || null;
}
