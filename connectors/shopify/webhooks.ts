import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * True when `hmacHeader` (X-Shopify-Hmac-Sha256) is exactly the base64 HMAC-SHA256 of the raw body under `secret`.
 * The base64 texts are compared in constant time; a header of the wrong length (which only reveals that the
 * length, public anyway, is wrong) is rejected after a same-cost comparison. Decoding the header instead would
 * accept variants (trailing bytes after the padding are ignored by Node's decoder), so the text is compared.
 */
export function verifyWebhook(rawBody: Buffer, hmacHeader: string | undefined, secret: string): boolean {
  const expected = Buffer.from(createHmac('sha256', secret).update(rawBody).digest('base64'), 'utf8');
  const given = Buffer.from((hmacHeader ?? '').trim(), 'utf8');
  const sameLength = given.length === expected.length;
  const equal = timingSafeEqual(sameLength ? given : expected, expected);
  return sameLength && equal;
}

/** The key a delivery is deduplicated by: the event id (same event, several deliveries), else the webhook id. */
export function webhookDedupeKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  const get = (name: string) => {
    const v = headers[name] ?? headers[name.toLowerCase()];
    return Array.isArray(v) ? v[0] : v;
  };
  const eventId = get('x-shopify-event-id');
  if (eventId) return `event:${eventId}`;
  const webhookId = get('x-shopify-webhook-id');
  return webhookId ? `webhook:${webhookId}` : undefined;
}
