/** `listings-feed-schema-v2.json`: "messages" has "maxItems": 25000. */
export const LISTINGS_FEED_MAX_MESSAGES = 25_000;
export const JSON_LISTINGS_FEED = 'JSON_LISTINGS_FEED';

export interface QuantityUpdate {
  sku: string;
  quantity: number;
  productType: string;
}

/**
 * A JSON_LISTINGS_FEED document (schema v2) of PATCH messages replacing each SKU's merchant-fulfilled quantity,
 * as the schema's example message 4 does. Message ids are 1-based positions, so the report maps back to `updates`.
 */
export function quantityFeed(sellerId: string, updates: readonly QuantityUpdate[]): string {
  if (updates.length === 0 || updates.length > LISTINGS_FEED_MAX_MESSAGES)
    throw new RangeError(`a listings feed holds 1-${LISTINGS_FEED_MAX_MESSAGES} messages, not ${updates.length}`);
  return JSON.stringify({
    header: { sellerId, version: '2.0', issueLocale: 'en_US' },
    messages: updates.map((u, i) => ({
      messageId: i + 1,
      sku: u.sku,
      operationType: 'PATCH',
      productType: u.productType,
      patches: [
        {
          op: 'replace',
          path: '/attributes/fulfillment_availability',
          value: [{ fulfillment_channel_code: 'DEFAULT', quantity: u.quantity }],
        },
      ],
    })),
  });
}

/** The parts of `listings-feed-processing-report-schema-v2.json` we read. */
export interface ProcessingReport {
  header?: { feedId?: string };
  issues?: {
    messageId?: number;
    sku?: string;
    code: string;
    severity: 'ERROR' | 'WARNING' | 'INFO';
    message: string;
  }[];
  summary?: { messagesProcessed?: number; messagesAccepted?: number; messagesInvalid?: number; errors?: number };
}

export interface FeedOutcome {
  accepted: string[];
  /** SKU → Amazon's messages for it (ERROR issues only; warnings don't reject a message). */
  rejected: Map<string, string[]>;
}

/** Which SKUs of a feed Amazon accepted and which it rejected (an ERROR issue on their message), with its words. */
export function feedOutcome(updates: readonly QuantityUpdate[], report: ProcessingReport): FeedOutcome {
  const rejected = new Map<string, string[]>();
  for (const issue of report.issues ?? []) {
    if (issue.severity !== 'ERROR') continue;
    const sku = issue.messageId !== undefined ? updates[issue.messageId - 1]?.sku : issue.sku;
    // An issue with no message id is about the feed as a whole: every message shares it.
    const skus = sku ? [sku] : issue.messageId === undefined ? updates.map((u) => u.sku) : [];
    for (const s of skus) rejected.set(s, [...(rejected.get(s) ?? []), `${issue.code}: ${issue.message}`]);
  }
  return { accepted: updates.map((u) => u.sku).filter((s) => !rejected.has(s)), rejected };
}
