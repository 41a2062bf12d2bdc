import { document, type Connection, type UserError } from './define';

export const WEBHOOK_TOPICS = [
  'ORDERS_CREATE',
  'ORDERS_UPDATED',
  'PRODUCTS_UPDATE',
  'INVENTORY_LEVELS_UPDATE',
  'BULK_OPERATIONS_FINISH',
  'ORDERS_RISK_ASSESSMENT_CHANGED',
  'FULFILLMENT_ORDERS_ORDER_ROUTING_COMPLETE',
  'FULFILLMENT_ORDERS_MOVED',
] as const;
export type WebhookTopic = (typeof WEBHOOK_TOPICS)[number];
export interface WebhookSubscriptionInfo {
  id: string;
  topic: WebhookTopic;
  uri: string;
}

export const WEBHOOK_SUBSCRIPTIONS = document<
  { webhookSubscriptions: Connection<WebhookSubscriptionInfo> },
  { first: number; after?: string | null }
>(
  'webhookSubscriptions',
  `query webhookSubscriptions($first: Int!, $after: String) {
  webhookSubscriptions(first: $first, after: $after) { nodes { id topic uri } pageInfo { hasNextPage endCursor } }
}`,
  52,
);

export const WEBHOOK_SUBSCRIPTION_CREATE = document<
  { webhookSubscriptionCreate: { webhookSubscription: WebhookSubscriptionInfo | null; userErrors: UserError[] } },
  { topic: WebhookTopic; uri: string }
>(
  'webhookSubscriptionCreate',
  `mutation webhookSubscriptionCreate($topic: WebhookSubscriptionTopic!, $uri: String!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: { uri: $uri, format: JSON }) {
    webhookSubscription { id topic uri }
    userErrors { field message }
  }
}`,
  10,
);

export const WEBHOOK_SUBSCRIPTION_DELETE = document<
  { webhookSubscriptionDelete: { deletedWebhookSubscriptionId: string | null; userErrors: UserError[] } },
  { id: string }
>(
  'webhookSubscriptionDelete',
  `mutation webhookSubscriptionDelete($id: ID!) { webhookSubscriptionDelete(id: $id) { deletedWebhookSubscriptionId userErrors { field message } } }`,
  10,
);
