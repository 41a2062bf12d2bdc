import { iso, type Ctx } from './api';
import type { MarketplaceOrder } from './state';

export interface ShopperOptions {
  /** Most order lines per order (Amazon baskets are small). */
  maxLines?: number;
  /** Most units per line. */
  maxUnits?: number;
  /** Only these SKUs (default: every buyable listing with stock). */
  skus?: string[];
  /** Share of placed orders later cancelled by the buyer. */
  cancelRate?: number;
  /**
   * How long an order stays PENDING before it is UNSHIPPED ("For standard orders, the initial order status is
   * `PENDING`", FulfillmentStatus in orders_2026-01-01.json); 0: UNSHIPPED at once. Default 1 s.
   */
  pendingMs?: number;
}

const BUYERS = ['A. Shopper', 'B. Customer', 'C. Buyer', 'D. Client'];

/**
 * Amazon shoppers buying the selling partner's listings, like the Shopify sandbox's storefront: each order takes
 * units from the listing's visible merchant-fulfilled quantity, and never more than it shows, as Amazon never sells
 * more than a listing offers. What a shopper bought is in `sold`, so a test can measure oversell against the
 * retailer's own stock.
 */
export class Marketplace {
  private timer: NodeJS.Timeout | undefined;
  private rnd: () => number;
  /** Units ordered per SKU. */
  readonly sold = new Map<string, number>();
  placed = 0;
  /** Orders a shopper wanted to place but nothing was in stock. */
  noStock = 0;

  constructor(
    private readonly ctx: Ctx,
    seed = 7,
  ) {
    let s = seed >>> 0;
    this.rnd = () => {
      s = (s + 0x6d2b79f5) >>> 0;
      let t = s;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  get running(): boolean {
    return Boolean(this.timer);
  }

  placeOrder(opts: ShopperOptions = {}): MarketplaceOrder | undefined {
    const { state, config } = this.ctx;
    const pool = (opts.skus ?? [...state.listings.keys()]).filter(
      (sku) => state.listing(sku)?.buyable && state.quantity(sku) > 0,
    );
    if (!pool.length) {
      this.noStock++;
      return undefined;
    }
    const lines = Math.min(pool.length, 1 + Math.floor(this.rnd() * (opts.maxLines ?? 3)));
    const chosen: string[] = [];
    while (chosen.length < lines) {
      const sku = pool[Math.floor(this.rnd() * pool.length)]!;
      if (!chosen.includes(sku)) chosen.push(sku);
    }
    const at = iso(this.ctx.now());
    // Amazon's 3-7-7 digit order ids, unique across restarts (a reused id would look like a known order).
    const n = state.uniqueNumber();
    const d = `1${String(n).padStart(16, '0')}`; // 17 digits, the first not 0
    const orderId = `${d.slice(0, 3)}-${d.slice(3, 10)}-${d.slice(10)}`;
    const order: MarketplaceOrder = {
      orderId,
      marketplaceId: config.marketplaceId,
      createdTime: at,
      lastUpdatedTime: at,
      status: (opts.pendingMs ?? 1000) > 0 ? 'PENDING' : 'UNSHIPPED',
      buyerName: BUYERS[n % BUYERS.length]!,
      lines: chosen.map((sku, i) => {
        const l = state.listing(sku)!;
        const have = state.quantity(sku);
        const quantity = Math.min(have, 1 + Math.floor(this.rnd() * (opts.maxUnits ?? 2)));
        state.setQuantity(sku, have - quantity);
        this.sold.set(sku, (this.sold.get(sku) ?? 0) + quantity);
        return {
          orderItemId: `${d}${String(i + 1).padStart(3, '0')}`,
          sku,
          asin: l.asin,
          title: l.title,
          quantity,
          unitPrice: l.price,
        };
      }),
    };
    state.orders.set(orderId, order);
    this.placed++;
    if (order.status === 'PENDING')
      this.ctx.later(opts.pendingMs ?? 1000, () => {
        if (order.status === 'PENDING') this.setStatus(orderId, 'UNSHIPPED');
      });
    if (opts.cancelRate && this.rnd() < opts.cancelRate)
      this.ctx.later(1000, () => this.setStatus(orderId, 'CANCELLED'));
    return order;
  }

  placeOrders(count: number, opts: ShopperOptions = {}): MarketplaceOrder[] {
    return Array.from({ length: count }, () => this.placeOrder(opts)).filter((o): o is MarketplaceOrder => !!o);
  }

  setStatus(orderId: string, status: MarketplaceOrder['status']): MarketplaceOrder | undefined {
    const o = this.ctx.state.orders.get(orderId);
    if (!o) return undefined;
    o.status = status;
    o.lastUpdatedTime = iso(this.ctx.now());
    return o;
  }

  start(ordersPerMinute: number, opts: ShopperOptions = {}): void {
    this.stop();
    if (ordersPerMinute <= 0) return;
    this.timer = setInterval(() => this.placeOrder(opts), 60_000 / ordersPerMinute);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
