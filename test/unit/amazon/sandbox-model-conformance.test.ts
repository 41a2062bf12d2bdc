import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModels } from '../../../sandbox/amazon/models';
import { amazonSandbox, eventually, type AmazonSandboxHarness, type SpReply } from '../../support/amazon-sandbox';

/**
 * The sandbox's contract is Amazon's models (../shared/amazon): for every operation it serves, a valid call gets a
 * reply whose body the model's response schema for that status accepts, and a call outside the model's parameters
 * or body schema gets 400 InvalidInput (ErrorList). The schemas are checked here, in the test, from the model files.
 */
const models = loadModels();
let h: AmazonSandboxHarness;
const replies = new Map<string, SpReply[]>();
const CT = 'application/json; charset=UTF-8';

beforeAll(async () => {
  h = await amazonSandbox({
    feedQueueMs: 20,
    feedProcessMs: 20,
    transactionMs: 20,
    listingDelayMs: 0,
    catalog: [{ sku: 'OATS-500G', title: 'Oats 500 g', price: '2.49', quantity: 50 }],
    rateLimits: Object.fromEntries(models.operations.map((o) => [o.id, { rate: 100, burst: 100 }])),
  });
});
afterAll(async () => h.sb.close());

async function call(opId: string, method: string, path: string, body?: unknown): Promise<SpReply> {
  const r = await h.sp(method, path, body);
  replies.set(opId, [...(replies.get(opId) ?? []), r]);
  return r;
}

function conforms(opId: string, r: SpReply): void {
  const op = models.operation(opId);
  expect(op.responses.has(r.status), `${opId} declares ${r.status}`).toBe(true);
  const validate = op.responses.get(r.status);
  if (validate) expect(validate(r.body), `${opId} ${r.status}: ${JSON.stringify(validate.errors)}`).toBe(true);
  expect(r.headers.get('x-amzn-RateLimit-Limit')).toMatch(/^\d+(\.\d+)?$/);
  expect(r.headers.get('x-amzn-RequestId')).toBeTruthy();
}

describe('Amazon sandbox conforms to the SP-API models, operation by operation', () => {
  it('answers a valid call of every served operation with a reply its model accepts', async () => {
    const { sellerId, marketplaceId, vendorPartyId } = h.sb.config;
    const item = `/listings/2021-08-01/items/${sellerId}/OATS-500G?marketplaceIds=${marketplaceId}`;
    await call(
      'getListingsItem',
      'GET',
      `${item}&includedData=summaries,attributes,issues,offers,fulfillmentAvailability,procurement,relationships,productTypes`,
    );
    await call(
      'searchListingsItems',
      'GET',
      `/listings/2021-08-01/items/${sellerId}?marketplaceIds=${marketplaceId}&includedData=summaries,fulfillmentAvailability&pageSize=20`,
    );
    const patch = {
      productType: 'GROCERY',
      patches: [
        {
          op: 'replace',
          path: '/attributes/fulfillment_availability',
          value: [{ fulfillment_channel_code: 'DEFAULT', quantity: 40 }],
        },
      ],
    };
    await call('patchListingsItem', 'PATCH', item, patch);
    await call('patchListingsItem', 'PATCH', `${item}&mode=VALIDATION_PREVIEW&includedData=issues`, patch);
    await call('patchListingsItem', 'PATCH', item, {
      ...patch,
      patches: [{ ...patch.patches[0], value: [{ quantity: -1 }] }],
    });
    await call(
      'deleteListingsItem',
      'DELETE',
      `/listings/2021-08-01/items/${sellerId}/GONE-SKU?marketplaceIds=${marketplaceId}`,
    );

    const doc = await call('createFeedDocument', 'POST', '/feeds/2021-06-30/documents', { contentType: CT });
    const { feedDocumentId, url } = doc.body as { feedDocumentId: string; url: string };
    const feedDoc = {
      header: {
        sellerId,
        version: '2.0',
        report: { includedData: ['fulfillmentAvailability'], apiVersion: '2021-08-01' },
      },
      messages: [
        {
          messageId: 1,
          sku: 'OATS-500G',
          operationType: 'PARTIAL_UPDATE',
          productType: 'GROCERY',
          attributes: { fulfillment_availability: [{ fulfillment_channel_code: 'DEFAULT', quantity: 30 }] },
        },
        { messageId: 2, sku: 'OATS-500G', operationType: 'DELETE', productType: 'GROCERY' },
      ],
    };
    expect(
      (await fetch(url, { method: 'PUT', headers: { 'content-type': CT }, body: JSON.stringify(feedDoc) })).status,
    ).toBe(200);
    const feed = await call('createFeed', 'POST', '/feeds/2021-06-30/feeds', {
      feedType: 'JSON_LISTINGS_FEED',
      marketplaceIds: [marketplaceId],
      inputFeedDocumentId: feedDocumentId,
      feedOptions: {},
    });
    const { feedId } = feed.body as { feedId: string };
    const done = await eventually(async () => {
      const f = await call('getFeed', 'GET', `/feeds/2021-06-30/feeds/${feedId}`);
      return (f.body as { processingStatus: string }).processingStatus === 'DONE'
        ? (f.body as { resultFeedDocumentId: string })
        : undefined;
    });
    const result = await call(
      'getFeedDocument',
      'GET',
      `/feeds/2021-06-30/documents/${done.resultFeedDocumentId}?enableContentEncodingUrlHeader=true`,
    );
    const report = await (await fetch((result.body as { url: string }).url)).json();
    expect(models.validateProcessingReport(report), JSON.stringify(models.validateProcessingReport.errors)).toBe(true);
    expect((report as { issues: unknown[] }).issues).toHaveLength(1); // the DELETE carrying productType
    await call(
      'getFeeds',
      'GET',
      `/feeds/2021-06-30/feeds?feedTypes=JSON_LISTINGS_FEED&pageSize=1&processingStatuses=DONE,IN_QUEUE&createdSince=2026-01-01T00:00:00Z`,
    );
    await call('cancelFeed', 'DELETE', `/feeds/2021-06-30/feeds/${feedId}`); // DONE: 400
    h.sb.config.feedQueueMs = 60_000; // a feed that stays IN_QUEUE, so it can be cancelled
    const queued = await call('createFeed', 'POST', '/feeds/2021-06-30/feeds', {
      feedType: 'JSON_LISTINGS_FEED',
      marketplaceIds: [marketplaceId],
      inputFeedDocumentId: feedDocumentId,
    });
    await call('cancelFeed', 'DELETE', `/feeds/2021-06-30/feeds/${(queued.body as { feedId: string }).feedId}`);

    const vdf = await call(
      'submitInventoryUpdate',
      'POST',
      '/vendor/directFulfillment/inventory/v1/warehouses/EM/items',
      {
        inventory: {
          sellingParty: { partyId: vendorPartyId },
          isFullUpdate: false,
          items: [{ vendorProductIdentifier: 'OATS-500G', availableQuantity: { amount: 8, unitOfMeasure: 'Each' } }],
        },
      },
    );
    const { transactionId } = (vdf.body as { payload: { transactionId: string } }).payload;
    await call('getTransaction', 'GET', `/vendor/transactions/v1/transactions/${transactionId}`);
    await eventually(async () => {
      const t = await call('getTransaction', 'GET', `/vendor/transactions/v1/transactions/${transactionId}`);
      return (t.body as { payload: { transactionStatus: { status: string } } }).payload.transactionStatus.status ===
        'Success'
        ? true
        : undefined;
    });

    h.sb.state.addCatalogListing({ sku: 'OATS-1KG', quantity: 10 });
    const [order] = h.sb.marketplace.placeOrders(1);
    const all =
      'BUYER,RECIPIENT,PROCEEDS,EXPENSE,PROMOTION,CANCELLATION,FULFILLMENT,PACKAGES,TAX,PAYMENT,FULFILLMENT_ORDERS';
    await call(
      'searchOrders',
      'GET',
      `/orders/2026-01-01/orders?createdAfter=2026-01-01T00:00:00Z&marketplaceIds=${marketplaceId}&fulfilledBy=MERCHANT&fulfillmentStatuses=UNSHIPPED&maxResultsPerPage=1&includedData=${all}`,
    );
    await call('getOrder', 'GET', `/orders/2026-01-01/orders/${order!.orderId}?includedData=${all}`);
    await call('getOrder', 'GET', `/orders/2026-01-01/orders/000-0000000-0000000`);

    const served = models.operations.map((o) => o.id).filter((id) => id !== 'putListingsItem');
    for (const id of served) {
      const got = replies.get(id) ?? [];
      expect(
        got.some((r) => r.status < 300),
        `a successful ${id}`,
      ).toBe(true);
      for (const r of got) conforms(id, r);
    }
    expect(h.sb.state.counters.responseViolations).toBe(0);
  });

  it('refuses calls outside each operation’s parameters or body schema with a 400 its model accepts', async () => {
    const { sellerId, marketplaceId } = h.sb.config;
    const item = `/listings/2021-08-01/items/${sellerId}/OATS-1KG`;
    const bad: [string, string, string, unknown?][] = [
      ['getListingsItem', 'GET', `${item}`], // marketplaceIds required
      [
        'searchListingsItems',
        'GET',
        `/listings/2021-08-01/items/${sellerId}?marketplaceIds=${marketplaceId}&pageSize=21`,
      ], // maximum 20
      ['patchListingsItem', 'PATCH', `${item}?marketplaceIds=${marketplaceId}`, { productType: 'GROCERY' }], // patches required
      ['deleteListingsItem', 'DELETE', `${item}?marketplaceIds=${marketplaceId},A1F83G8C2ARO7P`], // maxItems 1
      ['createFeedDocument', 'POST', '/feeds/2021-06-30/documents', {}], // contentType required
      [
        'createFeed',
        'POST',
        '/feeds/2021-06-30/feeds',
        { feedType: 'JSON_LISTINGS_FEED', marketplaceIds: [marketplaceId] },
      ],
      ['getFeed', 'GET', '/feeds/2021-06-30/feeds/1?verbose=true'], // undeclared
      ['getFeeds', 'GET', '/feeds/2021-06-30/feeds?processingStatuses=FINISHED'], // enum
      ['cancelFeed', 'DELETE', '/feeds/2021-06-30/feeds/1?force=1'],
      ['getFeedDocument', 'GET', '/feeds/2021-06-30/documents/x?enableContentEncodingUrlHeader=maybe'], // boolean
      [
        'submitInventoryUpdate',
        'POST',
        '/vendor/directFulfillment/inventory/v1/warehouses/EM/items',
        { inventory: { isFullUpdate: 'yes', items: [], sellingParty: { partyId: 'X' } } },
      ],
      ['getTransaction', 'GET', '/vendor/transactions/v1/transactions/abc?x=1'],
      ['searchOrders', 'GET', '/orders/2026-01-01/orders?createdAfter=2026-01-01T00:00:00Z&maxResultsPerPage=ten'], // integer
      ['getOrder', 'GET', '/orders/2026-01-01/orders/1?includedData=EVERYTHING'], // enum
    ];
    for (const [id, method, path, body] of bad) {
      const r = await h.sp(method, path, body);
      expect(r.status, `${id} ${path}`).toBe(400);
      conforms(id, r);
      const errors = (r.body as { errors: { code: string }[] }).errors;
      expect(errors[0]!.code).toBe('InvalidInput');
    }
    expect(new Set(bad.map(([id]) => id)).size).toBe(models.operations.length - 1); // all but putListingsItem
  });
});
