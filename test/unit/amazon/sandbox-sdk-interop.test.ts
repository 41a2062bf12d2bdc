import axios from 'axios';
import { FeedsApi } from '@sp-api-sdk/feeds-api-2021-06-30';
import { ListingsItemsApi } from '@sp-api-sdk/listings-items-api-2021-08-01';
import { OrdersApi } from '@sp-api-sdk/orders-api-2026-01-01';
import { VendorDirectFulfillmentInventoryApi } from '@sp-api-sdk/vendor-direct-fulfillment-inventory-api-v1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amazonSandbox, type AmazonSandboxHarness } from '../../support/amazon-sandbox';

/**
 * The generated @sp-api-sdk clients (../shared/docs/TOOLBOX.md: "its exported generated classes take [a base URL]")
 * talk to the sandbox as they would to Amazon: their wire format (csv query arrays, JSON bodies) is what the
 * sandbox's model validation accepts. No connector code: only the published packages.
 */
let h: AmazonSandboxHarness;
let http: ReturnType<typeof axios.create>;

beforeAll(async () => {
  h = await amazonSandbox({ listingDelayMs: 0, catalog: [{ sku: 'PASTA-500G', quantity: 6 }] });
  const token = await h.token();
  http = axios.create({ headers: { 'x-amz-access-token': token } });
});
afterAll(async () => h.sb.close());

describe('Amazon sandbox with the @sp-api-sdk generated clients', () => {
  it('serves listings, feeds, vendor inventory and orders calls as the SDK sends them', async () => {
    const { sellerId, marketplaceId, vendorPartyId } = h.sb.config;
    const listings = new ListingsItemsApi(undefined, h.sb.url, http);
    const item = await listings.getListingsItem({
      sellerId,
      sku: 'PASTA-500G',
      marketplaceIds: [marketplaceId],
      includedData: ['fulfillmentAvailability', 'issues'],
    });
    expect(item.data.fulfillmentAvailability).toEqual([{ fulfillmentChannelCode: 'DEFAULT', quantity: 6 }]);
    expect(item.headers['x-amzn-ratelimit-limit']).toBe('5.0');
    const patched = await listings.patchListingsItem({
      sellerId,
      sku: 'PASTA-500G',
      marketplaceIds: [marketplaceId],
      includedData: ['issues'],
      body: {
        productType: 'GROCERY',
        patches: [
          {
            op: 'replace',
            path: '/attributes/fulfillment_availability',
            value: [{ fulfillment_channel_code: 'DEFAULT', quantity: 3 }],
          },
        ],
      },
    });
    expect(patched.data.status).toBe('ACCEPTED');

    const feeds = new FeedsApi(undefined, h.sb.url, http);
    const doc = await feeds.createFeedDocument({ body: { contentType: 'application/json; charset=UTF-8' } });
    expect(doc.status).toBe(201);
    const feed = await feeds.getFeeds({ feedTypes: ['JSON_LISTINGS_FEED'], pageSize: 5 });
    expect(feed.data.feeds).toEqual([]);

    const vdf = new VendorDirectFulfillmentInventoryApi(undefined, h.sb.url, http);
    const tx = await vdf.submitInventoryUpdate({
      warehouseId: 'EM',
      body: {
        inventory: {
          sellingParty: { partyId: vendorPartyId },
          isFullUpdate: false,
          items: [{ vendorProductIdentifier: 'PASTA-500G', availableQuantity: { amount: 4, unitOfMeasure: 'Each' } }],
        },
      },
    });
    expect(tx.status).toBe(202);
    expect(tx.data.payload?.transactionId).toBeTruthy();

    h.sb.marketplace.placeOrders(1);
    const orders = new OrdersApi(undefined, h.sb.url, http);
    const found = await orders.searchOrders({
      createdAfter: '2026-01-01T00:00:00Z',
      marketplaceIds: [marketplaceId],
      includedData: ['FULFILLMENT', 'PROCEEDS'],
      maxResultsPerPage: 10,
    });
    expect(found.data.orders).toHaveLength(1);
    const one = await orders.getOrder({ orderId: found.data.orders[0]!.orderId, includedData: ['FULFILLMENT'] });
    expect(one.data.order.orderItems[0]!.product.sellerSku).toBe('PASTA-500G');
    expect(h.sb.state.counters.invalidRequests).toBe(0);
    expect(h.sb.state.counters.responseViolations).toBe(0);
  });
});
