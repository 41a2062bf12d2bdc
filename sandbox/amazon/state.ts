/** Everything the sandbox's selling partner has on Amazon, in memory. */

export interface ListingIssue {
  code: string;
  message: string;
  severity: 'ERROR' | 'WARNING' | 'INFO';
  attributeNames?: string[];
  categories: string[];
}

export type Attributes = Record<string, Record<string, unknown>[]>;

export interface Listing {
  sku: string;
  productType: string;
  asin?: string;
  title?: string;
  /** Unit price the order simulator charges (a string decimal, as the Orders API's Money.amount). */
  price: string;
  /** In Amazon's catalogue and complete: shoppers can buy it (summaries.status BUYABLE, DISCOVERABLE). */
  buyable: boolean;
  attributes: Attributes;
  issues: ListingIssue[];
  createdDate: string;
  lastUpdatedDate: string;
  /** A listing an accepted submission creates exists only once that submission is processed. */
  visibleFrom?: number;
  /** Accepted changes not yet visible: Amazon processes an accepted submission asynchronously. */
  pending: { visibleAt: number; submissionId: string; apply(attrs: Attributes): void }[];
}

export interface FeedDocument {
  feedDocumentId: string;
  contentType: string;
  /** Upload URL deadline ("This URL expires after 5 minutes", CreateFeedDocumentResponse.url). */
  uploadExpiresAt: number;
  content?: Buffer;
  /** A result document the sandbox wrote (processing report). */
  result?: boolean;
  /** The stored content is GZIP-compressed (FeedDocument.compressionAlgorithm). */
  compressed?: boolean;
}

export type FeedStatus = 'CANCELLED' | 'DONE' | 'FATAL' | 'IN_PROGRESS' | 'IN_QUEUE';

export interface Feed {
  feedId: string;
  feedType: string;
  marketplaceIds: string[];
  inputFeedDocumentId: string;
  createdTime: string;
  processingStatus: FeedStatus;
  processingStartTime?: string;
  processingEndTime?: string;
  resultFeedDocumentId?: string;
  messages?: number;
}

export interface VendorError {
  code: string;
  message: string;
  details?: string;
}

export interface VendorTransaction {
  transactionId: string;
  warehouseId: string;
  status: 'Processing' | 'Success' | 'Failure';
  errors?: VendorError[];
  submittedAt: string;
  isFullUpdate: boolean;
  items: number;
}

export interface OrderLine {
  orderItemId: string;
  sku: string;
  asin?: string;
  title?: string;
  quantity: number;
  unitPrice: string;
}

export interface MarketplaceOrder {
  orderId: string;
  marketplaceId: string;
  createdTime: string;
  lastUpdatedTime: string;
  status: 'PENDING' | 'UNSHIPPED' | 'SHIPPED' | 'CANCELLED';
  lines: OrderLine[];
  buyerName: string;
}

export const DEFAULT_CHANNEL = 'DEFAULT';

export class AmazonState {
  readonly listings = new Map<string, Listing>();
  readonly documents = new Map<string, FeedDocument>();
  readonly feeds = new Map<string, Feed>();
  readonly transactions = new Map<string, VendorTransaction>();
  /** Vendor Central: the last accepted available quantity per warehouse and vendor product identifier. */
  readonly vendorInventory = new Map<string, Map<string, number>>();
  readonly orders = new Map<string, MarketplaceOrder>();
  counters = emptyCounters();
  private seq = 0;
  constructor(private readonly now: () => number = Date.now) {}

  nextId(): number {
    return ++this.seq;
  }

  private lastUnique = 0;
  /**
   * A number never handed out before, by this sandbox or an earlier run of it (the clock's milliseconds, moved on
   * when two fall in one): feed, document and order ids, so a restarted sandbox never reuses one a client stored.
   */
  uniqueNumber(): number {
    this.lastUnique = Math.max(this.lastUnique + 1, Date.now());
    return this.lastUnique;
  }

  /** The listing as shoppers and the API see it now: accepted changes whose delay has passed are applied. */
  listing(sku: string): Listing | undefined {
    const l = this.listings.get(sku);
    const t = this.now();
    if (!l || (l.visibleFrom ?? 0) > t) return undefined;
    while (l.pending.length && l.pending[0]!.visibleAt <= t) l.pending.shift()!.apply(l.attributes);
    if (this.listings.get(sku) !== l) return undefined; // a deletion was processed
    return l;
  }

  /** The merchant-fulfilled quantity a shopper can buy now. */
  quantity(sku: string): number {
    const l = this.listing(sku);
    const entry = l?.attributes.fulfillment_availability?.find((e) => e.fulfillment_channel_code === DEFAULT_CHANNEL);
    return typeof entry?.quantity === 'number' ? entry.quantity : 0;
  }

  setQuantity(sku: string, quantity: number): void {
    const l = this.listing(sku);
    if (!l) return;
    const list = (l.attributes.fulfillment_availability ??= []);
    const entry = list.find((e) => e.fulfillment_channel_code === DEFAULT_CHANNEL);
    if (entry) entry.quantity = quantity;
    else list.push({ fulfillment_channel_code: DEFAULT_CHANNEL, quantity });
  }

  /** A listing in Amazon's catalogue (what a seller gets by listing an existing ASIN): buyable, quantity 0. */
  addCatalogListing(input: {
    sku: string;
    productType?: string;
    title?: string;
    price?: string;
    quantity?: number;
  }): Listing {
    const at = new Date(this.now()).toISOString();
    const existing = this.listings.get(input.sku);
    const l: Listing = existing ?? {
      sku: input.sku,
      productType: input.productType ?? 'GROCERY',
      asin: `B0${String(this.nextId()).padStart(8, '0')}`,
      title: input.title ?? input.sku,
      price: input.price ?? '4.99',
      buyable: true,
      attributes: {},
      issues: [],
      createdDate: at,
      lastUpdatedDate: at,
      pending: [],
    };
    l.buyable = true;
    l.asin ??= `B0${String(this.nextId()).padStart(8, '0')}`;
    if (input.title) l.title = input.title;
    if (input.price) l.price = input.price;
    this.listings.set(l.sku, l);
    if (input.quantity !== undefined) this.setQuantity(l.sku, input.quantity);
    return l;
  }

  reset(): void {
    for (const m of [this.listings, this.documents, this.feeds, this.transactions, this.vendorInventory, this.orders])
      m.clear();
    this.counters = emptyCounters();
  }

  stats() {
    return {
      listings: this.listings.size,
      feeds: this.feeds.size,
      transactions: this.transactions.size,
      orders: this.orders.size,
      ...this.counters,
    };
  }
}

function emptyCounters() {
  return {
    requests: 0,
    unauthorized: 0,
    throttled: 0,
    faults5xx: 0,
    dropped: 0,
    invalidRequests: 0,
    /** Replies that did not conform to the model (a sandbox bug; tests assert it stays 0). */
    responseViolations: 0,
    tokenGrants: 0,
  };
}
