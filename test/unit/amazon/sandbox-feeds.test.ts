import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { loadModels, MODELS_DIR } from '../../../sandbox/amazon/models';
import { amazonSandbox, eventually, type AmazonSandboxHarness } from '../../support/amazon-sandbox';

let h: AmazonSandboxHarness | undefined;
afterEach(async () => {
  await h?.sb.close();
  h = undefined;
});

interface Report {
  header: { feedId: string };
  issues: { messageId?: number; sku?: string; code?: string; severity: string; message: string }[];
  summary: { errors: number; messagesProcessed: number; messagesAccepted: number; messagesInvalid: number };
}

const CT = 'application/json; charset=UTF-8';

async function setup(opts: Parameters<typeof amazonSandbox>[0] = {}) {
  h = await amazonSandbox({
    feedQueueMs: 50,
    feedProcessMs: 50,
    listingDelayMs: 0,
    catalog: [
      { sku: 'SUGAR-1KG', quantity: 2 },
      { sku: 'FLOUR-1KG', quantity: 2 },
    ],
    rateLimits: {
      createFeed: { rate: 100, burst: 100 },
      createFeedDocument: { rate: 100, burst: 100 },
      getFeedDocument: { rate: 100, burst: 100 },
      getFeed: { rate: 100, burst: 100 },
    },
    ...opts,
  });
  const harness = h;
  /** The whole flow: createFeedDocument → PUT → createFeed → getFeed until final → the report. */
  const submit = async (content: string | object, expectStatus?: string) => {
    const doc = await harness.sp<{ feedDocumentId: string; url: string }>('POST', '/feeds/2021-06-30/documents', {
      contentType: CT,
    });
    expect(doc.status).toBe(201);
    const put = await fetch(doc.body.url, {
      method: 'PUT',
      headers: { 'content-type': CT },
      body: typeof content === 'string' ? content : JSON.stringify(content),
    });
    expect(put.status).toBe(200);
    const feed = await harness.sp<{ feedId: string }>('POST', '/feeds/2021-06-30/feeds', {
      feedType: 'JSON_LISTINGS_FEED',
      marketplaceIds: [harness.sb.config.marketplaceId],
      inputFeedDocumentId: doc.body.feedDocumentId,
    });
    expect(feed.status).toBe(202);
    const seen = new Set<string>();
    const final = await eventually(async () => {
      const f = await harness.sp<{ processingStatus: string; resultFeedDocumentId?: string }>(
        'GET',
        `/feeds/2021-06-30/feeds/${feed.body.feedId}`,
      );
      seen.add(f.body.processingStatus);
      return ['DONE', 'FATAL', 'CANCELLED'].includes(f.body.processingStatus) ? f.body : undefined;
    });
    if (expectStatus) expect(final.processingStatus).toBe(expectStatus);
    const result = await harness.sp<{ url: string }>(
      'GET',
      `/feeds/2021-06-30/documents/${final.resultFeedDocumentId}`,
    );
    const report = (await (await fetch(result.body.url)).json()) as Report;
    return { feedId: feed.body.feedId, final, report, seen };
  };
  return { ...harness, submit };
}

const header = () => ({ sellerId: h!.sb.config.sellerId, version: '2.0' });
const qty = (messageId: number, sku: string, quantity: unknown) => ({
  messageId,
  sku,
  operationType: 'PATCH',
  productType: 'GROCERY',
  patches: [
    {
      op: 'replace',
      path: '/attributes/fulfillment_availability',
      value: [{ fulfillment_channel_code: 'DEFAULT', quantity }],
    },
  ],
});

describe('Amazon sandbox: Feeds 2021-06-30, JSON_LISTINGS_FEED', () => {
  // feeds_2021-06-30.json Feed.processingStatus: IN_QUEUE "has not yet started processing", IN_PROGRESS, DONE "Examine
  // the contents of the result document to determine if there were any errors"; the report is
  // listings-feed-processing-report-schema-v2.json.
  it('goes IN_QUEUE → IN_PROGRESS → DONE and reports per-message issues; valid messages are applied', async () => {
    const { submit, sb } = await setup({ feedQueueMs: 500, feedProcessMs: 500 });
    const { report, seen, feedId } = await submit(
      {
        header: header(),
        messages: [qty(1, 'SUGAR-1KG', 30), qty(2, 'FLOUR-1KG', -3), qty(3, 'NEW-ONE', 7)],
      },
      'DONE',
    );
    expect([...seen]).toEqual(expect.arrayContaining(['IN_QUEUE', 'IN_PROGRESS', 'DONE']));
    expect(loadModels().validateProcessingReport(report)).toBe(true);
    expect(report.header.feedId).toBe(feedId);
    expect(report.summary).toMatchObject({ messagesProcessed: 3, messagesAccepted: 2, messagesInvalid: 1, errors: 1 });
    expect(report.issues).toEqual([expect.objectContaining({ messageId: 2, sku: 'FLOUR-1KG', severity: 'ERROR' })]);
    await eventually(async () => (sb.state.quantity('SUGAR-1KG') === 30 ? true : undefined));
    expect(sb.state.quantity('FLOUR-1KG')).toBe(2);
  });

  // listings-feed-message-schema-v2.json oneOf: "PATCH" operations require a "productType" and "patches";
  // messageId "unique within this feed submission"; "PARTIAL_UPDATE" is equivalent to "PATCH" with "replace".
  it('checks each message against the message schema and messageId uniqueness; PARTIAL_UPDATE replaces', async () => {
    const { submit, sb } = await setup();
    const { report } = await submit(
      {
        header: header(),
        messages: [
          { messageId: 1, sku: 'SUGAR-1KG', operationType: 'PATCH', productType: 'GROCERY' },
          {
            messageId: 2,
            sku: 'FLOUR-1KG',
            operationType: 'PARTIAL_UPDATE',
            productType: 'GROCERY',
            attributes: { fulfillment_availability: [{ fulfillment_channel_code: 'DEFAULT', quantity: 9 }] },
          },
          qty(2, 'SUGAR-1KG', 4),
          { messageId: 4, sku: 'SUGAR-1KG', operationType: 'RENAME' },
        ],
      },
      'DONE',
    );
    expect(report.summary).toMatchObject({ messagesProcessed: 4, messagesAccepted: 1, messagesInvalid: 3 });
    expect(new Set(report.issues.map((i) => i.messageId))).toEqual(new Set([1, 2, 4]));
    await eventually(async () => (sb.state.quantity('FLOUR-1KG') === 9 ? true : undefined));
    expect(sb.state.quantity('SUGAR-1KG')).toBe(2);
  });

  // listings-feed-schema-v2.json: messages "minItems": 1, "maxItems": 25000; header.version "const": "2.0".
  it('ends FATAL for a document outside listings-feed-schema-v2 (more than 25,000 messages, wrong version, not JSON)', async () => {
    const schema = JSON.parse(fs.readFileSync(path.join(MODELS_DIR, 'listings-feed-schema-v2.json'), 'utf8'));
    expect(schema.properties.messages.maxItems).toBe(25000);
    const { submit, sb } = await setup();
    const many = Array.from({ length: 25_001 }, (_, i) => qty(i + 1, `SKU-${i}`, 1));
    const big = await submit({ header: header(), messages: many }, 'FATAL');
    expect(big.report.issues[0]!.message).toMatch(/25000/);
    expect(sb.state.listings.size).toBe(2); // nothing applied
    expect(
      (await submit({ header: { ...header(), version: '1.0' }, messages: [qty(1, 'SUGAR-1KG', 1)] }, 'FATAL')).report
        .issues,
    ).toHaveLength(1);
    expect((await submit('{"header": ', 'FATAL')).report.issues[0]!.message).toMatch(/JSON/);
    const ok = await submit({ header: header(), messages: many.slice(0, 25_000) }, 'DONE');
    expect(ok.report.summary.messagesAccepted).toBe(25_000);
  });

  // CreateFeedDocumentResponse.url: "The presigned URL for uploading the feed contents. This URL expires after 5
  // minutes."; CreateFeedSpecification requires inputFeedDocumentId, feedType, marketplaceIds (minItems 1).
  it('stores uploads only with the document content type; createFeed validates its specification', async () => {
    const { sp, sb } = await setup();
    const doc = await sp<{ feedDocumentId: string; url: string }>('POST', '/feeds/2021-06-30/documents', {
      contentType: CT,
    });
    expect(
      (await fetch(doc.body.url, { method: 'PUT', headers: { 'content-type': 'text/xml' }, body: '{}' })).status,
    ).toBe(403);
    const create = (body: unknown) => sp<{ errors: { code: string }[] }>('POST', '/feeds/2021-06-30/feeds', body);
    expect(
      (
        await create({
          feedType: 'JSON_LISTINGS_FEED',
          marketplaceIds: [],
          inputFeedDocumentId: doc.body.feedDocumentId,
        })
      ).status,
    ).toBe(400);
    expect((await create({ feedType: 'JSON_LISTINGS_FEED', marketplaceIds: [sb.config.marketplaceId] })).status).toBe(
      400,
    );
    expect(
      (
        await create({
          feedType: 'POST_PRODUCT_DATA',
          marketplaceIds: [sb.config.marketplaceId],
          inputFeedDocumentId: doc.body.feedDocumentId,
        })
      ).status,
    ).toBe(400);
    // Not uploaded: the feed is accepted, then FATAL.
    const feed = await create({
      feedType: 'JSON_LISTINGS_FEED',
      marketplaceIds: [sb.config.marketplaceId],
      inputFeedDocumentId: doc.body.feedDocumentId,
    });
    expect(feed.status).toBe(202);
    const id = (feed.body as unknown as { feedId: string }).feedId;
    await eventually(async () =>
      (await sp<{ processingStatus: string }>('GET', `/feeds/2021-06-30/feeds/${id}`)).body.processingStatus === 'FATAL'
        ? true
        : undefined,
    );
  });

  // Feed.processingStatus FATAL: "The feed was aborted due to a fatal error. Some, none, or all of the operations
  // within the feed may have completed successfully."; CANCELLED: "cancelled before it started processing".
  it('fault fatalNextFeeds ends the next feed FATAL after applying the configured share; cancelFeed only IN_QUEUE', async () => {
    const { submit, sp, sb, inspect } = await setup({ faults: { fatalNextFeeds: 1, fatalFeedAppliedShare: 0.5 } });
    const fatal = await submit(
      { header: header(), messages: [qty(1, 'SUGAR-1KG', 11), qty(2, 'FLOUR-1KG', 12)] },
      'FATAL',
    );
    expect(fatal.report.summary.messagesProcessed).toBe(1);
    await eventually(async () => (sb.state.quantity('SUGAR-1KG') === 11 ? true : undefined));
    expect(sb.state.quantity('FLOUR-1KG')).toBe(2);
    expect(
      (await submit({ header: header(), messages: [qty(1, 'FLOUR-1KG', 12)] }, 'DONE')).report.summary.messagesAccepted,
    ).toBe(1);

    await inspect('/config', { feedQueueMs: 5000 });
    const doc = await sp<{ feedDocumentId: string; url: string }>('POST', '/feeds/2021-06-30/documents', {
      contentType: CT,
    });
    await fetch(doc.body.url, {
      method: 'PUT',
      headers: { 'content-type': CT },
      body: JSON.stringify({ header: header(), messages: [qty(1, 'SUGAR-1KG', 99)] }),
    });
    const feed = await sp<{ feedId: string }>('POST', '/feeds/2021-06-30/feeds', {
      feedType: 'JSON_LISTINGS_FEED',
      marketplaceIds: [sb.config.marketplaceId],
      inputFeedDocumentId: doc.body.feedDocumentId,
    });
    expect((await sp('DELETE', `/feeds/2021-06-30/feeds/${feed.body.feedId}`)).status).toBe(200);
    expect(
      (await sp<{ processingStatus: string }>('GET', `/feeds/2021-06-30/feeds/${feed.body.feedId}`)).body
        .processingStatus,
    ).toBe('CANCELLED');
    const list = await sp<{ feeds: unknown[] }>('GET', '/feeds/2021-06-30/feeds?processingStatuses=CANCELLED');
    expect(list.body.feeds).toHaveLength(1);
  });

  // FeedDocument.compressionAlgorithm: "If the feed document contents have been compressed, the compression algorithm
  // used is returned in this property and you must decompress the feed when you download."
  it('compresses result documents from the configured size, naming GZIP in getFeedDocument', async () => {
    const { sp, sb } = await setup({ compressResultsFrom: 0 });
    const doc = await sp<{ feedDocumentId: string; url: string }>('POST', '/feeds/2021-06-30/documents', {
      contentType: CT,
    });
    await fetch(doc.body.url, {
      method: 'PUT',
      headers: { 'content-type': CT },
      body: JSON.stringify({ header: header(), messages: [qty(1, 'SUGAR-1KG', 5)] }),
    });
    const feed = await sp<{ feedId: string }>('POST', '/feeds/2021-06-30/feeds', {
      feedType: 'JSON_LISTINGS_FEED',
      marketplaceIds: [sb.config.marketplaceId],
      inputFeedDocumentId: doc.body.feedDocumentId,
    });
    const done = await eventually(async () => {
      const f = await sp<{ processingStatus: string; resultFeedDocumentId?: string }>(
        'GET',
        `/feeds/2021-06-30/feeds/${feed.body.feedId}`,
      );
      return f.body.processingStatus === 'DONE' ? f.body : undefined;
    });
    const result = await sp<{ url: string; compressionAlgorithm?: string }>(
      'GET',
      `/feeds/2021-06-30/documents/${done.resultFeedDocumentId}`,
    );
    expect(result.body.compressionAlgorithm).toBe('GZIP');
    const raw = Buffer.from(await (await fetch(result.body.url)).arrayBuffer());
    const report = JSON.parse(zlib.gunzipSync(raw).toString('utf8'));
    expect(loadModels().validateProcessingReport(report)).toBe(true);
  });

  // listings-feed-schema-v2.json operationType: "DELETE" indicates the listings item will be deleted.
  it('DELETE removes the listing once processed (after the listing delay)', async () => {
    const { submit, sp, sb } = await setup({ listingDelayMs: 300 });
    const { report } = await submit(
      { header: header(), messages: [{ messageId: 1, sku: 'SUGAR-1KG', operationType: 'DELETE' }] },
      'DONE',
    );
    expect(report.summary.messagesAccepted).toBe(1);
    const get = () =>
      sp('GET', `/listings/2021-08-01/items/${sb.config.sellerId}/SUGAR-1KG?marketplaceIds=${sb.config.marketplaceId}`);
    await eventually(async () => ((await get()).status === 404 ? true : undefined), 3000);
    expect(sb.state.listings.has('SUGAR-1KG')).toBe(false);
  });
});
