import type { ShopifyClient } from './client';
import {
  WEBHOOK_SUBSCRIPTION_CREATE,
  WEBHOOK_SUBSCRIPTION_DELETE,
  WEBHOOK_SUBSCRIPTIONS,
  type WebhookSubscriptionInfo,
  type WebhookTopic,
} from './documents';
import { paginate } from './paginate';

/** Subscribes `uri` to `topic`; Shopify rejects a duplicate (same topic and uri) with a ShopifyUserError. */
export async function createWebhookSubscription(
  client: ShopifyClient,
  topic: WebhookTopic,
  uri: string,
): Promise<WebhookSubscriptionInfo> {
  const payload = await client.mutate(WEBHOOK_SUBSCRIPTION_CREATE, { topic, uri }, 'webhookSubscriptionCreate');
  return payload.webhookSubscription!;
}

export async function deleteWebhookSubscription(client: ShopifyClient, id: string): Promise<void> {
  await client.mutate(WEBHOOK_SUBSCRIPTION_DELETE, { id }, 'webhookSubscriptionDelete');
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
  for (const s of existing) if (!topics.includes(s.topic)) await deleteWebhookSubscription(client, s.id);
  for (const topic of topics)
    if (!existing.some((s) => s.topic === topic)) await createWebhookSubscription(client, topic, uri);
  return (await listWebhookSubscriptions(client)).filter((s) => s.uri === uri);
}
