import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ShopifyClient } from './client';
import {
  WEBHOOK_SUBSCRIPTION_CREATE,
  WEBHOOK_SUBSCRIPTION_DELETE,
  WEBHOOK_SUBSCRIPTIONS,
  type WebhookSubscriptionInfo,
  type WebhookTopic,
} from './documents';
import { paginate } from './paginate';

/**
 * True when `hmacHeader` (X-Shopify-Hmac-Sha256) is the base64 HMAC-SHA256 of the raw body under `secret`.
 * Compared in constant time over equal-length digests, so timing reveals nothing about the expected value.
 */
export function verifyWebhook(rawBody: Buffer, hmacHeader: string | undefined, secret: string): boolean {
  if (!hmacHeader) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  const given = Buffer.from(hmacHeader, 'base64');
  // Compare fixed-length digests: a wrong-length header is compared against itself-sized zeros, then rejected.
  const comparable = given.length === expected.length ? given : Buffer.alloc(expected.length);
  return timingSafeEqual(comparable, expected) && given.length === expected.length;
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

export async function listWebhookSubscriptions(client: ShopifyClient): Promise<WebhookSubscriptionInfo[]> {
  const out: WebhookSubscriptionInfo[] = [];
  for await (const page of paginate(client, WEBHOOK_SUBSCRIPTIONS, { first: 50 }, (d) => d.webhookSubscriptions))
    out.push(...page);
  return out;
}

/** Makes the shop's subscriptions for `uri` exactly `topics`: creates the missing, deletes the others. Idempotent. */
export async function syncWebhookSubscriptions(
  client: ShopifyClient,
  uri: string,
  topics: readonly WebhookTopic[],
): Promise<WebhookSubscriptionInfo[]> {
  const existing = (await listWebhookSubscriptions(client)).filter((s) => s.uri === uri);
  for (const s of existing)
    if (!topics.includes(s.topic))
      await client.mutate(WEBHOOK_SUBSCRIPTION_DELETE, { id: s.id }, 'webhookSubscriptionDelete');
  for (const topic of topics)
    if (!existing.some((s) => s.topic === topic))
      await client.mutate(WEBHOOK_SUBSCRIPTION_CREATE, { topic, uri }, 'webhookSubscriptionCreate');
  return (await listWebhookSubscriptions(client)).filter((s) => s.uri === uri);
}
