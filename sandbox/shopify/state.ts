import type {
  SbMetafield,
  SbVariant,
  SbProduct,
  SbInventoryItem,
  SbLocation,
  SbCustomer,
  SbOrder,
  SbBulkOperation,
  SbWebhookSubscription,
  SbEvent,
} from './state-types';

import type { IdFloor } from './id-floor';
import type { SbShipment, SbTransfer } from './transfers';

export type * from './state-types';

export class ShopState {
  private seq = 1000;
  private seqLimit = Infinity;
  private orderNumber = 1000;
  private orderNumberLimit = Infinity;

  /** With a floor, ids and order numbers continue past every earlier run's (see IdFloor). */
  constructor(private readonly floor?: IdFloor) {
    if (floor) {
      ({ seq: this.seq, orderNumber: this.orderNumber } = floor.start);
      this.seqLimit = floor.reserveIds(this.seq);
      this.orderNumberLimit = floor.reserveOrderNumbers(this.orderNumber);
    }
  }

  products = new Map<string, SbProduct>();
  inventoryItems = new Map<string, SbInventoryItem>();
  locations = new Map<string, SbLocation>();
  customers = new Map<string, SbCustomer>();
  orders = new Map<string, SbOrder>();
  bulkOperations = new Map<string, SbBulkOperation>();
  webhookSubscriptions = new Map<string, SbWebhookSubscription>();
  /** Native inventory transfers and their shipments (transfers.ts). */
  transfers = new Map<string, SbTransfer>();
  shipments = new Map<string, SbShipment>();
  metafieldDefinitions = new Map<
    string,
    { id: string; namespace: string; key: string; name: string; type: string; unique: boolean }
  >();
  /** The shop's event log (QueryRoot.events), oldest first: what the sandbox records is each deletion (destroy). */
  events: SbEvent[] = [];
  /** Staged uploads and bulk results, by key. */
  files = new Map<string, Buffer>();
  /** Idempotency key → the first attempt's result (applied or failed), its arguments' digest and when it ran. */
  idempotency = new Map<string, { argsDigest: string; result: unknown; failed: boolean; at: number }>();
  /** How long a key is remembered (Shopify keeps idempotency records for a retention window, then forgets them). */
  idempotencyRetentionMs = 24 * 3_600_000;
  counters = {
    requests: 0,
    throttled: 0,
    faults5xx: 0,
    dropped: 0,
    webhooksDelivered: 0,
    webhooksFailed: 0,
    /** Inventory adjustment groups applied (inventorySetQuantities and inventoryActivate that changed quantities). */
    inventoryAdjustments: 0,
  };

  /**
   * Per operation name: requests answered and the points they cost (extensions.cost.actualQueryCost), for the
   * inspection API only (Shopify has no such report; it names a request's cost in its reply).
   */
  operationCosts = new Map<string, { requests: number; requested: number; actual: number }>();

  /** Records one answered request's cost under its operation name (anonymous: `(anonymous)`). */
  recordCost(operation: string | undefined, requested: number, actual: number | null): void {
    const key = operation || '(anonymous)';
    const c = this.operationCosts.get(key) ?? { requests: 0, requested: 0, actual: 0 };
    c.requests++;
    c.requested += requested;
    c.actual += actual ?? 0;
    this.operationCosts.set(key, c);
  }

  gid(type: string): string {
    return `gid://shopify/${type}/${this.nextId()}`;
  }

  nextId(): number {
    if (++this.seq > this.seqLimit) this.seqLimit = this.floor!.reserveIds(this.seq);
    return this.seq;
  }

  /** The next order number (the name is `#<number>`): never one an earlier order had, across restarts too. */
  nextOrderNumber(): number {
    if (++this.orderNumber > this.orderNumberLimit)
      this.orderNumberLimit = this.floor!.reserveOrderNumbers(this.orderNumber);
    return this.orderNumber;
  }

  orderSeq(o: SbOrder): number {
    return Number(o.id.split('/').pop());
  }

  // Indexes a real shop would have: handle and unique metafield lookups must not scan 50,000 products.
  private byHandle = new Map<string, string>();
  private byMetafield = new Map<string, string>();
  private byVariant = new Map<string, string>();
  private handleSuffix = new Map<string, number>();

  productByHandle(handle: string): SbProduct | undefined {
    const id = this.byHandle.get(handle);
    return id ? this.products.get(id) : undefined;
  }

  productByMetafield(namespace: string, key: string, value: string): SbProduct | undefined {
    const id = this.byMetafield.get(`${namespace}.${key}=${value}`);
    return id ? this.products.get(id) : undefined;
  }

  /** A free handle derived from `base` (Shopify appends -1, -2, ... to taken handles). */
  freeHandle(base: string): string {
    if (!this.byHandle.has(base)) return base;
    let n = this.handleSuffix.get(base) ?? 0;
    while (this.byHandle.has(`${base}-${++n}`));
    this.handleSuffix.set(base, n);
    return `${base}-${n}`;
  }

  /** Re-indexes a product after its handle or metafields changed. */
  index(p: SbProduct, before?: { handle: string; metafields: SbMetafield[] }): void {
    if (before) {
      if (this.byHandle.get(before.handle) === p.id) this.byHandle.delete(before.handle);
      for (const m of before.metafields) {
        const k = `${m.namespace}.${m.key}=${m.value}`;
        if (this.byMetafield.get(k) === p.id) this.byMetafield.delete(k);
      }
    }
    this.byHandle.set(p.handle, p.id);
    for (const v of p.variants) this.byVariant.set(v.id, p.id);
    for (const m of p.metafields) this.byMetafield.set(`${m.namespace}.${m.key}=${m.value}`, p.id);
  }

  /** Removes a product with its variants and their inventory items (productDelete: "and all its associated data"). */
  deleteProduct(p: SbProduct): void {
    this.products.delete(p.id);
    if (this.byHandle.get(p.handle) === p.id) this.byHandle.delete(p.handle);
    for (const m of p.metafields) {
      const k = `${m.namespace}.${m.key}=${m.value}`;
      if (this.byMetafield.get(k) === p.id) this.byMetafield.delete(k);
    }
    for (const v of p.variants) {
      this.byVariant.delete(v.id);
      this.inventoryItems.delete(v.inventoryItemId);
    }
  }

  clearIndexes(): void {
    this.byHandle.clear();
    this.byMetafield.clear();
    this.byVariant.clear();
    this.handleSuffix.clear();
  }

  /** Empties the shop (locations stay) and zeroes the counters: POST /_sandbox/reset. */
  reset(): void {
    for (const m of [
      this.products,
      this.inventoryItems,
      this.customers,
      this.orders,
      this.bulkOperations,
      this.webhookSubscriptions,
      this.transfers,
      this.shipments,
      this.metafieldDefinitions,
      this.files,
      this.idempotency,
      this.operationCosts,
    ])
      m.clear();
    this.clearIndexes();
    this.events = [];
    for (const k of Object.keys(this.counters) as (keyof ShopState['counters'])[]) this.counters[k] = 0;
  }

  variant(id: string): { product: SbProduct; variant: SbVariant } | undefined {
    const product = this.products.get(this.byVariant.get(id) ?? '');
    const variant = product?.variants.find((v) => v.id === id);
    return product && variant ? { product, variant } : undefined;
  }

  stats() {
    let variants = 0;
    let levels = 0;
    for (const p of this.products.values()) variants += p.variants.length;
    for (const i of this.inventoryItems.values()) levels += i.levels.size;
    return {
      products: this.products.size,
      variants,
      inventoryItems: this.inventoryItems.size,
      inventoryLevels: levels,
      locations: this.locations.size,
      customers: this.customers.size,
      orders: this.orders.size,
      bulkOperations: this.bulkOperations.size,
      webhookSubscriptions: this.webhookSubscriptions.size,
      ...this.counters,
      costByOperation: Object.fromEntries(this.operationCosts),
    };
  }
}

export const nowIso = () => new Date().toISOString();
export const numericId = (gid: string) => Number(gid.split('/').pop());
