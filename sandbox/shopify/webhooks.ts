import { createHmac, randomUUID } from 'node:crypto';
import type { ShopState } from './state';

export interface WebhookOptions {
  shop: string;
  secret: string;
  apiVersion: string;
  /** Delays between delivery attempts; Shopify spreads 8 retries over 4 hours, the sandbox over seconds. */
  retryDelaysMs: number[];
  timeoutMs: number;
}

/** Delivers webhooks to subscribed URIs with Shopify's headers and HMAC, retrying failures. */
export class WebhookDispatcher {
  private pending = new Set<Promise<void>>();
  constructor(
    private readonly state: ShopState,
    private readonly opts: WebhookOptions,
  ) {}

  emit(topic: string, payload: unknown): void {
    const subs = [...this.state.webhookSubscriptions.values()].filter((w) => w.topic === topic);
    if (!subs.length) return;
    const body = JSON.stringify(payload);
    const eventId = randomUUID();
    for (const sub of subs) {
      const p = this.deliver(sub.uri, topic, body, eventId).finally(() => this.pending.delete(p));
      this.pending.add(p);
    }
  }

  private async deliver(uri: string, topic: string, body: string, eventId: string): Promise<void> {
    const webhookId = randomUUID();
    const headers = {
      'content-type': 'application/json',
      'x-shopify-topic': topicHeader(topic),
      'x-shopify-hmac-sha256': createHmac('sha256', this.opts.secret).update(body, 'utf8').digest('base64'),
      'x-shopify-shop-domain': this.opts.shop,
      'x-shopify-api-version': this.opts.apiVersion,
      'x-shopify-webhook-id': webhookId,
      'x-shopify-event-id': eventId,
      'x-shopify-triggered-at': new Date().toISOString(),
    };
    for (let attempt = 0; attempt <= this.opts.retryDelaysMs.length; attempt++) {
      try {
        const res = await fetch(uri, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.timeout(this.opts.timeoutMs),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) {
          this.state.counters.webhooksDelivered++;
          return;
        }
      } catch {
        // unreachable or timed out: retried like any other failure
      }
      this.state.counters.webhooksFailed++;
      const delay = this.opts.retryDelaysMs[attempt];
      if (delay === undefined) return;
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  /** Waits for deliveries in flight (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }
}

/** ORDERS_CREATE → orders/create, as in the X-Shopify-Topic header. */
export const topicHeader = (topic: string) => {
  const [resource, ...rest] = topic.toLowerCase().split('_');
  return `${resource}/${rest.join('_')}`;
};
