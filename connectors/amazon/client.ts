import { gunzipSync } from 'node:zlib';
import { FeedsApi, type Feed } from '@sp-api-sdk/feeds-api-2021-06-30';
import { ListingsItemsApi, type Issue } from '@sp-api-sdk/listings-items-api-2021-08-01';
import { OrdersApi, type Order, type OrdersApiSearchOrdersRequest } from '@sp-api-sdk/orders-api-2026-01-01';
import { VendorDirectFulfillmentInventoryApi } from '@sp-api-sdk/vendor-direct-fulfillment-inventory-api-v1';
import type { AxiosInstance } from 'axios';
import type { SharedTokenStore } from '../leased-token-cache';
import { AmazonApiError, errorsOf, type AmazonErrorEntry } from './errors';
import { LwaTokens } from './lwa-tokens';
import type { Operation } from './operations';
import { abortableSleep, OperationRateLimiter } from './rate-limiter';
import { createTransport } from './transport';

/** searchListingsItems calls `getListingQuantities` keeps in flight (the limiter paces them to the plan). */
const LISTING_READS_IN_FLIGHT = 3;

export interface AmazonClientOptions {
  /** SP-API endpoint, e.g. https://sellingpartnerapi-eu.amazon.com, or the sandbox's URL. */
  endpoint: string;
  lwa: { clientId: string; clientSecret: string; refreshToken: string; tokenUrl?: string };
  sellerId: string;
  marketplaceId: string;
  tokenStore?: SharedTokenStore;
  /** A plan other than the model's default (Amazon grants per account; the limiter adopts the header anyway). */
  rateOverrides?: Partial<Record<Operation, { rate: number; burst: number }>>;
  maxAttempts?: number;
  backoffMs?: number;
  /** The running call's cancellation, read per request (`TransportOptions.abortSignal`). */
  abortSignal?: () => AbortSignal | undefined;
}

/** Amazon's verdict on one listings submission (patchListingsItem). */
export interface ListingSubmission {
  sku: string;
  status: 'ACCEPTED' | 'INVALID' | 'VALID';
  submissionId: string;
  issues: Issue[];
}

/** A VDF transaction's state (vendorTransactionStatus.json `Transaction`). */
export interface VendorTransaction {
  transactionId: string;
  status: 'Failure' | 'Processing' | 'Success';
  errors: AmazonErrorEntry[];
}

export interface VendorInventoryItem {
  vendorProductIdentifier: string;
  quantity: number;
}

/**
 * One selling partner's SP-API: the `@sp-api-sdk` generated clients built on our transport (base URL, LWA
 * tokens, per-operation limits, retries), plus the two calls no package covers for these paths:
 * vendor transaction status (`/vendor/transactions/v1`) and the feed documents' pre-signed URLs.
 */
export class AmazonClient {
  readonly limiter: OperationRateLimiter;
  readonly tokens: LwaTokens;
  readonly http: AxiosInstance;
  private readonly listings: ListingsItemsApi;
  private readonly feeds: FeedsApi;
  private readonly vendor: VendorDirectFulfillmentInventoryApi;
  private readonly orders: OrdersApi;
  readonly sellerId: string;
  readonly marketplaceId: string;
  private readonly endpoint: string;
  private readonly cancellation: () => AbortSignal | undefined;

  constructor(opts: AmazonClientOptions) {
    this.sellerId = opts.sellerId;
    this.marketplaceId = opts.marketplaceId;
    this.endpoint = opts.endpoint.replace(/\/+$/, '');
    this.cancellation = opts.abortSignal ?? (() => undefined);
    this.limiter = new OperationRateLimiter(opts.rateOverrides);
    this.tokens = new LwaTokens({ ...opts.lwa, store: opts.tokenStore, storeKey: `amazon/${opts.sellerId}` });
    this.http = createTransport({
      tokens: this.tokens,
      limiter: this.limiter,
      maxAttempts: opts.maxAttempts,
      backoffMs: opts.backoffMs,
      abortSignal: opts.abortSignal,
    });
    // The generated classes take (configuration, basePath, axios): no configuration, so nothing overrides the base.
    this.listings = new ListingsItemsApi(undefined, this.endpoint, this.http);
    this.feeds = new FeedsApi(undefined, this.endpoint, this.http);
    this.vendor = new VendorDirectFulfillmentInventoryApi(undefined, this.endpoint, this.http);
    this.orders = new OrdersApi(undefined, this.endpoint, this.http);
  }

  /** The listing's offered quantity (DEFAULT = merchant-fulfilled channel) and issues; undefined if Amazon has no such SKU. */
  async getListingQuantity(sku: string): Promise<{ quantity: number | undefined; issues: Issue[] } | undefined> {
    try {
      const { data } = await this.listings.getListingsItem({
        sellerId: this.sellerId,
        sku,
        marketplaceIds: [this.marketplaceId],
        includedData: ['fulfillmentAvailability', 'issues'],
      });
      const fa = data.fulfillmentAvailability?.find((f) => f.fulfillmentChannelCode === 'DEFAULT');
      return { quantity: fa?.quantity, issues: data.issues ?? [] };
    } catch (err) {
      if (err instanceof AmazonApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  /**
   * The offered (DEFAULT channel) quantity of many listings: searchListingsItems by SKU identifiers, 20 a call
   * (the model's most identifiers and page size), so a feed's worth of SKUs costs 1/20 of getListingsItem calls.
   * A SKU Amazon does not list is absent from the map.
   */
  async getListingQuantities(skus: string[]): Promise<Map<string, number | undefined>> {
    const out = new Map<string, number | undefined>();
    // A few calls in flight, paced by the limiter: one at a time, a reply slower than the plan's interval (200 ms at
    // 5/s, e.g. on a loaded host) lowered the rate below the plan (10,000 SKUs: 500 calls, 100 s at the plan).
    let next = 0;
    const worker = async () => {
      while (next < skus.length) {
        const ids = skus.slice(next, next + 20);
        next += 20;
        const { data } = await this.listings.searchListingsItems({
          sellerId: this.sellerId,
          marketplaceIds: [this.marketplaceId],
          identifiers: ids,
          identifiersType: 'SKU',
          includedData: ['fulfillmentAvailability'],
          pageSize: 20,
        });
        for (const item of data.items ?? [])
          out.set(
            item.sku,
            item.fulfillmentAvailability?.find((f) => f.fulfillmentChannelCode === 'DEFAULT')?.quantity,
          );
      }
    };
    await Promise.all(Array.from({ length: Math.min(LISTING_READS_IN_FLIGHT, Math.ceil(skus.length / 20)) }, worker));
    return out;
  }

  /** Replaces the listing's merchant-fulfilled quantity (`/attributes/fulfillment_availability`). */
  async patchQuantity(
    sku: string,
    quantity: number,
    productType: string,
    mode?: 'VALIDATION_PREVIEW',
  ): Promise<ListingSubmission> {
    const { data } = await this.listings.patchListingsItem({
      sellerId: this.sellerId,
      sku,
      marketplaceIds: [this.marketplaceId],
      mode,
      body: {
        productType,
        patches: [
          {
            op: 'replace',
            path: '/attributes/fulfillment_availability',
            value: [{ fulfillment_channel_code: 'DEFAULT', quantity }],
          },
        ],
      },
    });
    return { sku: data.sku, status: data.status, submissionId: data.submissionId, issues: data.issues ?? [] };
  }

  /**
   * Uploads a feed document and submits it: createFeedDocument → PUT to its pre-signed URL → createFeed.
   * Returns the feed id to follow with `getFeed`.
   */
  async submitFeed(feedType: string, document: string): Promise<{ feedId: string; feedDocumentId: string }> {
    const contentType = 'application/json; charset=UTF-8';
    const { data: doc } = await this.feeds.createFeedDocument({ body: { contentType } });
    await this.transferDocument('PUT', doc.url, contentType, document);
    const { data } = await this.feeds.createFeed({
      body: { feedType, marketplaceIds: [this.marketplaceId], inputFeedDocumentId: doc.feedDocumentId },
    });
    return { feedId: data.feedId, feedDocumentId: doc.feedDocumentId };
  }

  async getFeed(feedId: string): Promise<Feed> {
    return (await this.feeds.getFeed({ feedId })).data;
  }

  /** A feed's result document (the processing report), decompressed and parsed. */
  async getResultDocument<T>(feedDocumentId: string): Promise<T> {
    const { data } = await this.feeds.getFeedDocument({ feedDocumentId });
    const body = await this.transferDocument('GET', data.url);
    const text = data.compressionAlgorithm === 'GZIP' ? gunzipSync(body).toString('utf8') : body.toString('utf8');
    return JSON.parse(text) as T;
  }

  /** Vendor Central direct-fulfillment inventory for one warehouse; returns the transaction to follow. */
  async submitVendorInventory(
    warehouseId: string,
    partyId: string,
    items: VendorInventoryItem[],
    isFullUpdate: boolean,
  ): Promise<string> {
    const { data } = await this.vendor.submitInventoryUpdate({
      warehouseId,
      body: {
        inventory: {
          sellingParty: { partyId },
          isFullUpdate,
          items: items.map((i) => ({
            vendorProductIdentifier: i.vendorProductIdentifier,
            availableQuantity: { amount: i.quantity, unitOfMeasure: 'Each' },
          })),
        },
      },
    });
    const id = data.payload?.transactionId;
    if (!id) throw new AmazonApiError('submitInventoryUpdate', 202, errorsOf(data, 202), true, 1_000);
    return id;
  }

  /**
   * GET /vendor/transactions/v1/transactions/{transactionId} (vendorTransactionStatus.json). No @sp-api-sdk
   * package covers this path (its direct-fulfillment transactions package is /vendor/directFulfillment/…), so
   * this is the thin typed call, on the same transport.
   */
  async getVendorTransaction(transactionId: string): Promise<VendorTransaction> {
    const { data } = await this.http.get<{ payload?: { transactionStatus?: VendorTransaction } }>(
      `${this.endpoint}/vendor/transactions/v1/transactions/${encodeURIComponent(transactionId)}`,
    );
    const t = data.payload?.transactionStatus;
    if (!t) throw new AmazonApiError('getTransaction', 200, errorsOf(data, 200), true, 1_000);
    return { transactionId: t.transactionId, status: t.status, errors: t.errors ?? [] };
  }

  async searchOrders(
    params: Omit<OrdersApiSearchOrdersRequest, 'marketplaceIds'>,
  ): Promise<{ orders: Order[]; nextToken?: string; lastUpdatedBefore?: string; createdBefore?: string }> {
    const { data } = await this.orders.searchOrders({ ...params, marketplaceIds: [this.marketplaceId] });
    return {
      orders: data.orders,
      nextToken: data.pagination?.nextToken,
      lastUpdatedBefore: data.lastUpdatedBefore,
      createdBefore: data.createdBefore,
    };
  }

  async getOrder(orderId: string): Promise<Order> {
    return (await this.orders.getOrder({ orderId })).data.order;
  }

  /** Feed documents live at pre-signed URLs: no SP-API token, no SP-API rate limit; retried on 5xx or no reply. */
  private async transferDocument(method: 'PUT' | 'GET', url: string, contentType?: string, body?: string) {
    for (let attempt = 1; ; attempt++) {
      let status: number | undefined;
      try {
        const res = await fetch(url, {
          method,
          headers: contentType ? { 'content-type': contentType } : undefined,
          body,
          signal: this.cancellation()
            ? AbortSignal.any([AbortSignal.timeout(60_000), this.cancellation()!])
            : AbortSignal.timeout(60_000),
        });
        status = res.status;
        if (res.ok) return Buffer.from(await res.arrayBuffer());
        if (status < 500) throw new AmazonApiError('document', status, errorsOf(await res.text(), status), false);
      } catch (err) {
        if (err instanceof AmazonApiError) throw err;
        const cancelled = this.cancellation();
        if (cancelled?.aborted) throw cancelled.reason ?? err;
      }
      if (attempt >= 4) throw new AmazonApiError('document', status, [], true, 1_000);
      await abortableSleep(250 * 2 ** attempt, this.cancellation());
    }
  }
}
