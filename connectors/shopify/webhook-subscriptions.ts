import type { ShopifyClient } from './client';
import { ShopifyUserError } from './errors';
import {
  WEBHOOK_SUBSCRIPTION_CREATE,
  WEBHOOK_SUBSCRIPTION_DELETE,
  WEBHOOK_SUBSCRIPTIONS,
  type WebhookSubscriptionInfo,
  type WebhookTopic,
} from './documents';
import { paginate } from './paginate';

/**
 * Subscribes `uri` to `topic`, idempotently: Shopify refuses a second subscription for the same topic and address
 * ("Address for this topic has already been taken"), so an existing one (ours, or one a concurrent start or a lost
 * reply created) is adopted. Any other userError (e.g. an address that is not https) is thrown.
 */
export async function createWebhookSubscription(
  client: ShopifyClient,
  topic: WebhookTopic,
  uri: string,
): Promise<WebhookSubscriptionInfo> {
  const existing = async () => (await listWebhookSubscriptions(client)).find((s) => s.topic === topic && s.uri === uri);
  try {
    const payload = await client.mutate(WEBHOOK_SUBSCRIPTION_CREATE, { topic, uri }, 'webhookSubscriptionCreate');
    return payload.webhookSubscription!;
  } catch (err) {
    if (!(err instanceof ShopifyUserError) || !err.userErrors.some((e) => /already been taken/i.test(e.message)))
      throw err;
    const adopted = await existing();
    if (!adopted) throw err;
    return adopted;
  }
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
