import { connection, type ConnectionArgs, type SandboxContext } from '../connection';
import { nowIso, type ShopState } from '../state';

/**
 * WebhookSubscriptionInput.uri: "Supports an HTTPS URL, a Google Pub/Sub URI (pubsub://{project-id}:{topic-id}) or an
 * Amazon EventBridge event source ARN." Shopify refuses any other address; its text for http is "protocol http:// is
 * not supported". The sandbox delivers only over HTTP(S), so Pub/Sub and EventBridge are refused too (README), and
 * `allowHttpLoopbackWebhooks` (a dev flag, `npm start` sets it) lets a local http receiver on 127.0.0.1/localhost in.
 */
function addressProblem(uri: string | undefined, allowHttpLoopback: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(uri ?? '');
  } catch {
    return 'Address is invalid';
  }
  if (url.protocol === 'https:') return undefined;
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol === 'http:' && loopback && allowHttpLoopback) return undefined;
  return `Address protocol ${url.protocol}// is not supported`;
}

export function webhookSubscriptionResolvers(s: ShopState, opts: { allowHttpLoopback?: boolean } = {}) {
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
        const problem = addressProblem(uri, opts.allowHttpLoopback ?? false);
        if (problem || !uri)
          return {
            webhookSubscription: null,
            userErrors: [{ field: ['webhookSubscription', 'uri'], message: problem }],
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
