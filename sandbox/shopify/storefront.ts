import { orderPayload, riskPayload, routingCompletePayload } from './order-payload';
import { fulfillmentOrdersOf } from './views';
import { FIRST, GROCERIES, LAST, riskFor } from './storefront-data';
import { basketLines, distinctIndexes, refundLineCount, type BasketSize } from './storefront-basket';
import { commitOrder, releaseOrder, sellable } from './inventory-levels';
import { nowIso, type ShopState, type SbOrder, type SbLineItem } from './state';
import type { WebhookDispatcher } from './webhooks';

export { orderPayload as restPayload } from './order-payload';

export interface PlaceOrdersOptions {
  count: number;
  seed?: number;
  /** Share of orders that get a refund, are HIGH risk, or are malformed (currency mismatch, no lines, negative quantity). */
  refundRate?: number;
  highRiskRate?: number;
  malformedRate?: number;
  /** Spread createdAt over the last N days (historical data); 0 = now. */
  spreadDays?: number;
  /** Lines per order (default: a grocery basket of 15–80, some over 100; benches pass a range to keep volumes). */
  lines?: BasketSize;
  /** Lines in the refund of a refunded order (default 2–6). */
  refundLines?: number;
  /** Exactly these items (a shopper's chosen basket) instead of random picks. */
  items?: { sku: string; quantity: number }[];
}

const VAT = 0.175;

/** A storefront placing grocery orders against the sandbox shop, as customers would, firing ORDERS_CREATE. */
export class Storefront {
  private rand: () => number;
  constructor(
    private readonly s: ShopState,
    private readonly hooks: WebhookDispatcher,
    seed = 7,
  ) {
    let a = seed >>> 0;
    this.rand = () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rand() * xs.length)]!;
  }

  placeOrders(opts: PlaceOrdersOptions): SbOrder[] {
    return Array.from({ length: opts.count }, () => this.placeOrder(opts));
  }

  placeOrder(opts: Omit<PlaceOrdersOptions, 'count'> = {}): SbOrder {
    const s = this.s;
    const catalogue = [...s.products.values()].flatMap((p) =>
      p.variants.map((v) => ({ title: p.title, sku: v.sku, price: v.price })),
    );
    const created = new Date(Date.now() - Math.floor(this.rand() * (opts.spreadDays ?? 0) * 86_400_000)).toISOString();
    const first = this.pick(FIRST);
    const last = this.pick(LAST);
    const customerId = s.gid('Customer');
    s.customers.set(customerId, {
      id: customerId,
      email: `${first}.${last}.${customerId.split('/').pop()}@example.com`.toLowerCase(),
      phone: `+1246${String(2000000 + Math.floor(this.rand() * 7999999))}`,
      firstName: first,
      lastName: last,
      updatedAt: created,
    });
    const chosen = opts.items?.map((i) => ({ ...catalogue.find((c) => c.sku === i.sku)!, quantity: i.quantity }));
    const lineCount = chosen?.length ?? basketLines(this.rand, opts.lines);
    // Each product once per basket, as a shopper's; a catalogue smaller than the basket (tests) gets staples.
    const picks: { title: string; sku: string | null; price: string; quantity?: number }[] = chosen
      ? chosen
      : catalogue.length >= lineCount
        ? distinctIndexes(this.rand, catalogue.length, lineCount).map((i) => catalogue[i]!)
        : Array.from({ length: lineCount }, (_, i) => {
            const title = GROCERIES[i % GROCERIES.length]!;
            return { title, sku: `STAPLE-${String(i + 1).padStart(4, '0')}`, price: (1 + this.rand() * 25).toFixed(2) };
          });
    const lineItems: SbLineItem[] = picks.map((item) => {
      const quantity = item.quantity ?? 1 + Math.floor(this.rand() * 4);
      const tax = (Number(item.price) * quantity * VAT).toFixed(2);
      return {
        id: s.gid('LineItem'),
        sku: item.sku,
        title: item.title,
        quantity,
        price: item.price,
        discount: '0.00',
        taxLines: [{ title: 'VAT', rate: VAT, price: tax }],
      };
    });
    const malformed = this.rand() < (opts.malformedRate ?? 0);
    let presentment = 'BBD';
    if (malformed) {
      const kind = this.pick(['currency', 'empty', 'negative'] as const);
      if (kind === 'currency') presentment = 'USD';
      if (kind === 'empty') lineItems.length = 0;
      if (kind === 'negative' && lineItems[0]) lineItems[0].quantity = -1;
    }
    const subtotal = lineItems.reduce((n, li) => n + Number(li.price) * li.quantity, 0);
    const tax = lineItems.reduce((n, li) => n + Number(li.taxLines[0]?.price ?? 0), 0);
    const shipping = this.rand() < 0.5 ? 10 : 0;
    const highRisk = this.rand() < (opts.highRiskRate ?? 0.05);
    const address = {
      address1: `${1 + Math.floor(this.rand() * 99)} Bay Street`,
      address2: null,
      city: 'Bridgetown',
      province: 'St. Michael',
      zip: 'BB11000',
      countryCodeV2: 'BB',
      phone: null,
      name: `${first} ${last}`,
    };
    const order: SbOrder = {
      id: s.gid('Order'),
      number: s.nextOrderNumber(),
      email: s.customers.get(customerId)!.email,
      createdAt: created,
      updatedAt: created,
      processedAt: created,
      cancelledAt: null,
      currencyCode: 'BBD',
      presentmentCurrencyCode: presentment,
      financialStatus: 'PAID',
      fulfillmentStatus: 'UNFULFILLED',
      subtotal: subtotal.toFixed(2),
      totalTax: tax.toFixed(2),
      totalShipping: shipping.toFixed(2),
      totalDiscounts: '0.00',
      total: (subtotal + tax + shipping).toFixed(2),
      customerId,
      shippingAddress: address,
      billingAddress: address,
      lineItems,
      refunds: [],
      taxLines: [{ title: 'VAT', rate: VAT, price: tax.toFixed(2) }],
      risk: riskFor(highRisk ? 'HIGH' : 'LOW'),
    };
    if (lineItems[0] && this.rand() < (opts.refundRate ?? 0.1)) {
      // Several lines come back together (damaged in delivery, out of stock at picking), each in full.
      const refunded = distinctIndexes(
        this.rand,
        lineItems.length,
        refundLineCount(this.rand, lineItems.length, opts.refundLines),
      ).map((i) => lineItems[i]!);
      // Damaged goods are not put back on sale: refunded without restock (RefundLineItemRestockType NO_RESTOCK).
      const lines = refunded.map((li) => {
        const quantity = Math.max(1, li.quantity);
        return {
          lineItemId: li.id,
          quantity,
          subtotal: (Number(li.price) * quantity).toFixed(2),
          restockType: 'NO_RESTOCK' as const,
          locationId: null,
        };
      });
      order.refunds.push({
        id: s.gid('Refund'),
        createdAt: created,
        note: 'Damaged in delivery',
        total: lines.reduce((n, l) => n + Number(l.subtotal), 0).toFixed(2),
        lineItems: lines,
      });
      order.financialStatus = 'PARTIALLY_REFUNDED';
    }
    commitOrder(s, order, new Map([...s.inventoryItems.values()].map((i) => [i.sku ?? '', i])));
    s.orders.set(order.id, order);
    this.hooks.emit('ORDERS_CREATE', orderPayload(order, s));
    // Routing assigned each line to the location that committed it: announced per fulfillment order, after the order.
    for (const fo of fulfillmentOrdersOf(order, s))
      this.hooks.emit('FULFILLMENT_ORDERS_ORDER_ROUTING_COMPLETE', routingCompletePayload(fo));
    // Shopify assesses risk after creation; a HIGH result is announced on its own topic.
    if (highRisk) this.hooks.emit('ORDERS_RISK_ASSESSMENT_CHANGED', riskPayload(order));
    return order;
  }

  /**
   * A shopper checking out exactly `items`. Variants are sold with inventory policy DENY ("Customers can't buy
   * this product variant after it's out of stock.", ProductVariantInventoryPolicy): a line of a tracked, stocked
   * item beyond what one location has available refuses the checkout (undefined), and no order is created.
   */
  checkout(items: { sku: string; quantity: number }[]): SbOrder | undefined {
    const bySku = new Map([...this.s.inventoryItems.values()].map((i) => [i.sku ?? '', i]));
    for (const i of items) {
      const item = bySku.get(i.sku);
      const most = item ? sellable(this.s, item) : undefined;
      if (!item || (most !== undefined && most < i.quantity)) return undefined;
    }
    return this.placeOrder({ items, refundRate: 0, malformedRate: 0, highRiskRate: 0 });
  }

  /** Changes an order (e.g. fulfils it), bumping updatedAt, and fires ORDERS_UPDATED. */
  updateOrder(
    id: string,
    patch: Partial<Pick<SbOrder, 'fulfillmentStatus' | 'financialStatus' | 'cancelledAt'>>,
  ): SbOrder | undefined {
    const order = this.s.orders.get(id);
    if (!order) return undefined;
    if (patch.fulfillmentStatus === 'FULFILLED' && order.fulfillmentStatus !== 'FULFILLED')
      releaseOrder(this.s, order, 'fulfilled');
    if (patch.cancelledAt && !order.cancelledAt) releaseOrder(this.s, order, 'cancelled');
    Object.assign(order, patch, { updatedAt: nowIso() });
    this.hooks.emit('ORDERS_UPDATED', orderPayload(order, this.s));
    return order;
  }

  /**
   * Refunds `quantity` units (default 1) of the first line item and fires ORDERS_UPDATED. The restock type defaults
   * as Shopify's admin would choose it: RETURN for a fulfilled order ("Use this when restocking line items that were
   * fulfilled"), CANCEL for an unfulfilled one ("Use this when restocking unfulfilled line items"); restocked units
   * go back to the line's location (RefundLineItem.location: "The inventory restock location"), NO_RESTOCK has none.
   */
  refund(
    id: string,
    note = 'Customer return',
    opts: { quantity?: number; restockType?: 'CANCEL' | 'RETURN' | 'NO_RESTOCK' | 'LEGACY_RESTOCK' } = {},
  ): SbOrder | undefined {
    const order = this.s.orders.get(id);
    const li = order?.lineItems[0];
    if (!order || !li) return undefined;
    const quantity = opts.quantity ?? 1;
    const amount = (Number(li.price) * quantity).toFixed(2);
    const now = nowIso();
    const restockType = opts.restockType ?? (order.fulfillmentStatus === 'FULFILLED' ? 'RETURN' : 'CANCEL');
    order.refunds.push({
      id: this.s.gid('Refund'),
      createdAt: now,
      note,
      total: amount,
      lineItems: [
        {
          lineItemId: li.id,
          quantity,
          subtotal: amount,
          restockType,
          locationId: restockType === 'NO_RESTOCK' ? null : (li.assignedLocationId ?? null),
        },
      ],
    });
    order.financialStatus = 'PARTIALLY_REFUNDED';
    order.updatedAt = now;
    this.hooks.emit('ORDERS_UPDATED', orderPayload(order, this.s));
    return order;
  }

  /** A fraud provider's new verdict: updates Order.risk and fires ORDERS_RISK_ASSESSMENT_CHANGED (and ORDERS_UPDATED). */
  assessRisk(id: string, riskLevel: 'HIGH' | 'MEDIUM' | 'LOW'): SbOrder | undefined {
    const order = this.s.orders.get(id);
    if (!order) return undefined;
    order.risk = riskFor(riskLevel);
    order.updatedAt = nowIso();
    this.hooks.emit('ORDERS_RISK_ASSESSMENT_CHANGED', riskPayload(order));
    this.hooks.emit('ORDERS_UPDATED', orderPayload(order, this.s));
    return order;
  }

  private timer: NodeJS.Timeout | undefined;

  /** Places orders continuously at `ordersPerMinute` (the demo, load tests) until stop(). */
  start(ordersPerMinute: number, opts: Omit<PlaceOrdersOptions, 'count'> = {}): void {
    this.stop();
    if (ordersPerMinute > 0) this.timer = setInterval(() => this.placeOrder(opts), 60_000 / ordersPerMinute);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  get running(): boolean {
    return this.timer !== undefined;
  }
}
