import { connection, type ConnectionArgs, type SandboxContext } from '../connection';
import { nowIso, type ShopState } from '../state';

export function webhookSubscriptionResolvers(s: ShopState) {
  return {
    query: {
      webhookSubscriptions: (a: ConnectionArgs & { topics?: string[] }, ctx: SandboxContext) =>
        connection(
          [...s.webhookSubscriptions.values()].filter((w) => !a.topics?.length || a.topics.includes(w.topic)),
          a,
          ctx,
        ),
    },
    mutation: {
      webhookSubscriptionCreate: ({
        topic,
        webhookSubscription: w,
      }: {
        topic: string;
        webhookSubscription: { uri?: string; callbackUrl?: string };
      }) => {
        const uri = w.uri ?? w.callbackUrl;
        if (!uri || !/^https?:\/\//.test(uri))
          return {
            webhookSubscription: null,
            userErrors: [{ field: ['webhookSubscription', 'uri'], message: 'Address is invalid' }],
          };
        const existing = [...s.webhookSubscriptions.values()].find((x) => x.topic === topic && x.uri === uri);
        if (existing)
          return {
            webhookSubscription: null,
            userErrors: [
              { field: ['webhookSubscription', 'uri'], message: 'Address for this topic has already been taken' },
            ],
          };
        const sub = { id: s.gid('WebhookSubscription'), topic, uri, createdAt: nowIso() };
        s.webhookSubscriptions.set(sub.id, sub);
        return { webhookSubscription: sub, userErrors: [] };
      },
      webhookSubscriptionDelete: ({ id }: { id: string }) =>
        s.webhookSubscriptions.delete(id)
          ? { deletedWebhookSubscriptionId: id, userErrors: [] }
          : {
              deletedWebhookSubscriptionId: null,
              userErrors: [{ field: ['id'], message: 'Webhook subscription does not exist' }],
            },
    },
  };
}
