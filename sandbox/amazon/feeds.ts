import zlib from 'node:zlib';
import { errorReply, iso, type Ctx, type Handler } from './api';
import { acceptChange, applyPatches, patchIssues, type PatchOp } from './listings';
import { describeErrors } from './models';
import type { Feed, ListingIssue } from './state';

/** A processing-report issue (listings-feed-processing-report-schema-v2.json, properties.issues.items). */
interface ReportIssue {
  messageId?: number;
  sku?: string;
  code?: string;
  severity: 'ERROR' | 'WARNING' | 'INFO';
  message: string;
  attributeName?: string;
}

interface FeedMessage {
  messageId: number;
  sku: string;
  operationType: 'UPDATE' | 'PARTIAL_UPDATE' | 'PATCH' | 'DELETE';
  productType?: string;
  attributes?: Record<string, Record<string, unknown>[]>;
  patches?: PatchOp[];
}

interface FeedHeader {
  sellerId: string;
  version: string;
  report?: { includedData: string[]; apiVersion: string };
}

const SUPPORTED_FEED_TYPES = ['JSON_LISTINGS_FEED'];

/** Feeds 2021-06-30 for JSON_LISTINGS_FEED: documents, the feed lifecycle, and the processing report. */
export function feedsHandlers(ctx: Ctx): Record<string, Handler> {
  const { state, config } = ctx;
  const newId = () => String(state.uniqueNumber());

  const writeReport = (
    feed: Feed,
    header: FeedHeader | undefined,
    issues: ReportIssue[],
    counts?: { processed: number; accepted: number; invalid: number },
    items?: unknown[],
  ) => {
    const report = {
      header: {
        sellerId: header?.sellerId ?? config.sellerId,
        version: '2.0',
        feedId: feed.feedId,
        ...(header?.report ? { report: header.report } : {}),
      },
      issues,
      summary: {
        errors: issues.filter((i) => i.severity === 'ERROR').length,
        warnings: issues.filter((i) => i.severity === 'WARNING').length,
        messagesProcessed: counts?.processed ?? 0,
        messagesAccepted: counts?.accepted ?? 0,
        messagesInvalid: counts?.invalid ?? 0,
        ...(items ? { itemSummary: { items: items.length, errors: 0, warnings: 0 } } : {}),
      },
      ...(items ? { items } : {}),
    };
    if (!ctx.models.validateProcessingReport(report)) state.counters.responseViolations++;
    const id = `amzn1.tortuga.4.na.${newId()}`;
    const text = Buffer.from(JSON.stringify(report));
    // FeedDocument.compressionAlgorithm: "If the feed document contents have been compressed, the compression
    // algorithm used is returned in this property and you must decompress the feed when you download."
    const compress = text.length >= config.compressResultsFrom;
    state.documents.set(id, {
      feedDocumentId: id,
      contentType: 'application/json',
      uploadExpiresAt: 0,
      content: compress ? zlib.gzipSync(text) : text,
      result: true,
      compressed: compress,
    });
    feed.resultFeedDocumentId = id;
  };

  const finish = (feed: Feed, status: 'DONE' | 'FATAL') => {
    feed.processingStatus = status;
    feed.processingEndTime = iso(ctx.now());
  };

  /** Runs one message; returns its issues (none: accepted). */
  const runMessage = (m: FeedMessage, seen: Set<number>): ListingIssue[] | ReportIssue[] => {
    const schemaErrors = ctx.models.messageValidators.flatMap((v) => (v(m) ? [] : describeErrors(v.errors)));
    if (schemaErrors.length) {
      // One issue per message (Ajv reports every oneOf branch it tried): the first distinct violations.
      const shown = [...new Set(schemaErrors)].slice(0, 3).join('; ');
      return [
        {
          messageId: m?.messageId,
          sku: m?.sku,
          severity: 'ERROR',
          message: `The message does not conform to listings-feed-message-schema-v2: ${shown}`,
        },
      ];
    }
    // "Identifier for the message that is unique within this feed submission." (listings-feed-schema-v2.json)
    if (seen.has(m.messageId))
      return [
        {
          messageId: m.messageId,
          sku: m.sku,
          severity: 'ERROR',
          message: `messageId ${m.messageId} is not unique within this feed submission.`,
        },
      ];
    seen.add(m.messageId);
    if (m.operationType === 'DELETE') {
      // Like every accepted change, the deletion shows once processed (after the listing delay).
      const l = state.listings.get(m.sku);
      if (l)
        l.pending.push({
          visibleAt: ctx.now() + config.listingDelayMs,
          submissionId: '',
          apply: (attrs) => {
            // A later accepted submission for the SKU re-creates it; otherwise it is gone.
            if (l.pending.length) for (const k of Object.keys(attrs)) delete attrs[k];
            else state.listings.delete(m.sku);
          },
        });
      return [];
    }
    // "PARTIAL_UPDATE" is equivalent to using "PATCH" with the "replace" op (listings-feed-schema-v2.json).
    const patches: PatchOp[] =
      m.operationType === 'PATCH'
        ? m.patches!
        : Object.entries(m.attributes!).map(([k, value]) => ({ op: 'replace', path: `/attributes/${k}`, value }));
    const issues = patchIssues(patches);
    if (issues.length) return issues;
    const full = m.operationType === 'UPDATE';
    acceptChange(ctx, m.sku, m.productType!, (attrs) => {
      if (full) for (const k of Object.keys(attrs)) delete attrs[k];
      applyPatches(attrs, patches);
    });
    return [];
  };

  const process = (feed: Feed) => {
    const doc = state.documents.get(feed.inputFeedDocumentId);
    const fatal = (message: string, header?: FeedHeader) => {
      writeReport(feed, header, [{ severity: 'ERROR', message }]);
      finish(feed, 'FATAL');
    };
    if (!doc?.content) return fatal('The feed document was not uploaded before the feed was created.');
    let parsed: { header: FeedHeader; messages: FeedMessage[] };
    try {
      parsed = JSON.parse(doc.content.toString('utf8'));
    } catch {
      return fatal('The feed document is not valid JSON.');
    }
    if (!ctx.models.validateFeedEnvelope(parsed))
      return fatal(
        `The feed document does not conform to listings-feed-schema-v2: ${describeErrors(ctx.models.validateFeedEnvelope.errors).join('; ')}`,
      );
    if (parsed.header.sellerId !== config.sellerId)
      return fatal(
        `The sellerId '${parsed.header.sellerId}' in the header is not the submitting selling partner.`,
        parsed.header,
      );
    feed.messages = parsed.messages.length;
    const injectedFatal =
      ctx.faults.roll('fatalFeedRate', 'createFeed') || ctx.faults.take('fatalNextFeeds', 'createFeed');
    const upTo = injectedFatal
      ? Math.floor(parsed.messages.length * (ctx.faults.current.fatalFeedAppliedShare ?? 0))
      : parsed.messages.length;
    const issues: ReportIssue[] = [];
    const accepted: string[] = [];
    const seen = new Set<number>();
    let invalid = 0;
    for (const m of parsed.messages.slice(0, upTo)) {
      const found = runMessage(m, seen);
      if (!found.length) accepted.push(m.sku);
      else {
        invalid++;
        for (const i of found)
          issues.push({
            messageId: m?.messageId,
            sku: m?.sku,
            ...('code' in i && i.code ? { code: i.code } : {}),
            severity: i.severity,
            message: i.message,
            ...('attributeNames' in i && i.attributeNames?.[0] ? { attributeName: i.attributeNames[0] } : {}),
          });
      }
    }
    if (injectedFatal) {
      issues.push({
        severity: 'ERROR',
        message: 'An internal error stopped processing of this feed; resubmit it (the sandbox injected this fault).',
      });
      writeReport(feed, parsed.header, issues.map(cleanIssue), { processed: upTo, accepted: accepted.length, invalid });
      return finish(feed, 'FATAL');
    }
    const included = parsed.header.report?.includedData;
    const items = included
      ? accepted.flatMap((sku) => {
          const l = state.listing(sku);
          return l
            ? [
                {
                  sku,
                  ...(included.includes('fulfillmentAvailability')
                    ? {
                        fulfillmentAvailability: (l.attributes.fulfillment_availability ?? []).map((e) => ({
                          fulfillmentChannelCode: String(e.fulfillment_channel_code),
                          ...(typeof e.quantity === 'number' ? { quantity: e.quantity } : {}),
                        })),
                      }
                    : {}),
                },
              ]
            : [];
        })
      : undefined;
    writeReport(
      feed,
      parsed.header,
      issues.map(cleanIssue),
      { processed: parsed.messages.length, accepted: accepted.length, invalid },
      items,
    );
    finish(feed, 'DONE');
  };

  const schedule = (feed: Feed) => {
    ctx.later(config.feedQueueMs, () => {
      if (feed.processingStatus !== 'IN_QUEUE') return; // cancelled
      feed.processingStatus = 'IN_PROGRESS';
      feed.processingStartTime = iso(ctx.now());
      const size = state.documents.get(feed.inputFeedDocumentId)?.content?.length ?? 0;
      const estimate = Math.round(size / 200); // ~200 bytes a message; the count is known once parsed
      ctx.later(config.feedProcessMs + config.feedPerMessageMs * estimate, () => process(feed));
    });
  };

  const view = (f: Feed) => ({
    feedId: f.feedId,
    feedType: f.feedType,
    marketplaceIds: f.marketplaceIds,
    createdTime: f.createdTime,
    processingStatus: f.processingStatus,
    ...(f.processingStartTime ? { processingStartTime: f.processingStartTime } : {}),
    ...(f.processingEndTime ? { processingEndTime: f.processingEndTime } : {}),
    ...(f.resultFeedDocumentId ? { resultFeedDocumentId: f.resultFeedDocumentId } : {}),
  });

  return {
    createFeedDocument: (call) => {
      const { contentType } = call.body as { contentType: string };
      const id = `amzn1.tortuga.4.na.${newId()}`;
      // "The presigned URL for uploading the feed contents. This URL expires after 5 minutes." (feeds_2021-06-30.json)
      state.documents.set(id, { feedDocumentId: id, contentType, uploadExpiresAt: ctx.now() + 5 * 60_000 });
      return { status: 201, body: { feedDocumentId: id, url: `${ctx.baseUrl()}/_documents/${id}` }, commits: true };
    },

    createFeed: (call) => {
      const spec = call.body as { feedType: string; marketplaceIds: string[]; inputFeedDocumentId: string };
      if (!SUPPORTED_FEED_TYPES.includes(spec.feedType))
        return errorReply(
          400,
          'InvalidInput',
          `Invalid feedType: the sandbox processes ${SUPPORTED_FEED_TYPES.join(', ')} only`,
        );
      const unknown = spec.marketplaceIds.filter((m) => m !== config.marketplaceId);
      if (unknown.length) return errorReply(400, 'InvalidInput', `Invalid marketplaceIds: ${unknown.join(', ')}`);
      const doc = state.documents.get(spec.inputFeedDocumentId);
      if (!doc || doc.result)
        return errorReply(400, 'InvalidInput', `Invalid inputFeedDocumentId: ${spec.inputFeedDocumentId}`);
      const feed: Feed = {
        feedId: newId(),
        feedType: spec.feedType,
        marketplaceIds: spec.marketplaceIds,
        inputFeedDocumentId: spec.inputFeedDocumentId,
        createdTime: iso(ctx.now()),
        processingStatus: 'IN_QUEUE',
      };
      state.feeds.set(feed.feedId, feed);
      schedule(feed);
      return { status: 202, body: { feedId: feed.feedId }, commits: true };
    },

    getFeed: (call) => {
      const feed = state.feeds.get(call.params.feedId as string);
      return feed
        ? { status: 200, body: view(feed) }
        : errorReply(404, 'NotFound', `Feed ${String(call.params.feedId)} not found`);
    },

    getFeeds: (call) => {
      const types = call.params.feedTypes as string[] | undefined;
      const statuses = call.params.processingStatuses as string[] | undefined;
      const since = call.params.createdSince ? Date.parse(String(call.params.createdSince)) : 0;
      const until = call.params.createdUntil ? Date.parse(String(call.params.createdUntil)) : Infinity;
      const all = [...state.feeds.values()].filter(
        (f) =>
          (!types || types.includes(f.feedType)) &&
          (!statuses || statuses.includes(f.processingStatus)) &&
          Date.parse(f.createdTime) >= since &&
          Date.parse(f.createdTime) <= until,
      );
      const size = (call.params.pageSize as number | undefined) ?? 10;
      const start = call.params.nextToken
        ? Number(Buffer.from(String(call.params.nextToken), 'base64url').toString())
        : 0;
      if (!Number.isInteger(start) || start < 0) return errorReply(400, 'InvalidInput', 'Invalid nextToken');
      const next = start + size < all.length ? Buffer.from(String(start + size)).toString('base64url') : undefined;
      return {
        status: 200,
        body: { feeds: all.slice(start, start + size).map(view), ...(next ? { nextToken: next } : {}) },
      };
    },

    cancelFeed: (call) => {
      const feed = state.feeds.get(call.params.feedId as string);
      if (!feed) return errorReply(404, 'NotFound', `Feed ${String(call.params.feedId)} not found`);
      // "CANCELLED: The feed was cancelled before it started processing." (Feed.processingStatus)
      if (feed.processingStatus !== 'IN_QUEUE')
        return errorReply(
          400,
          'InvalidInput',
          `Feed ${feed.feedId} is ${feed.processingStatus} and can no longer be cancelled`,
        );
      feed.processingStatus = 'CANCELLED';
      return { status: 200, commits: true };
    },

    getFeedDocument: (call) => {
      const doc = state.documents.get(call.params.feedDocumentId as string);
      if (!doc) return errorReply(404, 'NotFound', `Document ${String(call.params.feedDocumentId)} not found`);
      return {
        status: 200,
        body: {
          feedDocumentId: doc.feedDocumentId,
          url: `${ctx.baseUrl()}/_documents/${doc.feedDocumentId}`,
          ...(doc.compressed ? { compressionAlgorithm: 'GZIP' } : {}),
        },
      };
    },
  };
}

/** Drops what the report schema cannot carry (a messageId or sku the message itself got wrong). */
function cleanIssue(i: ReportIssue): ReportIssue {
  const out: ReportIssue = { severity: i.severity, message: i.message };
  if (Number.isInteger(i.messageId) && i.messageId! >= 1) out.messageId = i.messageId;
  if (typeof i.sku === 'string' && i.sku) out.sku = i.sku;
  if (i.code) out.code = i.code;
  if (i.attributeName) out.attributeName = i.attributeName;
  return out;
}
