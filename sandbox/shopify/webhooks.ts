import { createHmac, randomUUID } from 'node:crypto';
import type { ShopState } from './state';

export interface WebhookOptions {
  shop: string;
  secret: string;
  apiVersion: string;
  /** Delays between delivery attempts; Shopify retries 8 times over 4 hours, the sandbox compresses that. */
  retryDelaysMs: number[];
  timeoutMs: number;
}

/** Shopify's schedule (8 retries, exponential, 4 hours in all) compressed to about four minutes. */
export const DEFAULT_RETRY_DELAYS_MS = [1_000, 2_000, 4_000, 8_000, 15_000, 30_000, 60_000, 120_000];

// The X-Shopify-Topic header of each GraphQL topic enum value.
const TOPIC_HEADERS: Record<string, string> = {
  ORDERS_CREATE: 'orders/create',
  ORDERS_UPDATED: 'orders/updated',
  ORDERS_RISK_ASSESSMENT_CHANGED: 'orders/risk_assessment_changed',
  PRODUCTS_UPDATE: 'products/update',
  PRODUCTS_DELETE: 'products/delete',
  CUSTOMERS_DELETE: 'customers/delete',
  INVENTORY_LEVELS_UPDATE: 'inventory_levels/update',
  BULK_OPERATIONS_FINISH: 'bulk_operations/finish',
  FULFILLMENT_ORDERS_ORDER_ROUTING_COMPLETE: 'fulfillment_orders/order_routing_complete',
  FULFILLMENT_ORDERS_MOVED: 'fulfillment_orders/moved',
};

/** ORDERS_CREATE → orders/create, as in the X-Shopify-Topic header. */
export const topicHeader = (topic: string): string => {
  const known = TOPIC_HEADERS[topic];
  if (known) return known;
  const [resource, ...rest] = topic.toLowerCase().split('_');
  return `${resource}/${rest.join('_')}`;
};

/** Delivers webhooks to subscribed URIs with Shopify's headers and HMAC, retrying failures. */
export class WebhookDispatcher {
  private pending = new Set<Promise<void>>();
  private closed = false;
  private readonly wake = new Set<() => void>();

  constructor(
    private readonly state: ShopState,
    private readonly opts: WebhookOptions,
  ) {}

  /** Sends `payload` (or what the function returns, built only when someone subscribed) to every subscriber. */
  emit(topic: string, payload: unknown): void {
    if (this.closed || !this.state.webhookSubscriptions.size) return;
    const subs = [...this.state.webhookSubscriptions.values()].filter((w) => w.topic === topic);
    if (!subs.length) return;
    const body = JSON.stringify(typeof payload === 'function' ? (payload as () => unknown)() : payload);
    // One event, one event id and trigger time, whatever the number of subscriptions and attempts.
    const event = { id: randomUUID(), triggeredAt: new Date().toISOString() };
    for (const sub of subs) {
      const p = this.deliver(sub.uri, topic, body, event).finally(() => this.pending.delete(p));
      this.pending.add(p);
    }
  }

  private async deliver(uri: string, topic: string, body: string, event: { id: string; triggeredAt: string }) {
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'Shopify-Captain-Hook',
      'x-shopify-topic': topicHeader(topic),
      'x-shopify-hmac-sha256': createHmac('sha256', this.opts.secret).update(body, 'utf8').digest('base64'),
      'x-shopify-shop-domain': this.opts.shop,
      'x-shopify-api-version': this.opts.apiVersion,
      // Stays the same across retries of this delivery: receivers dedupe on it.
      'x-shopify-webhook-id': randomUUID(),
      'x-shopify-event-id': event.id,
      'x-shopify-triggered-at': event.triggeredAt,
    };
    for (let attempt = 0; attempt <= this.opts.retryDelaysMs.length && !this.closed; attempt++) {
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
      await this.sleep(delay);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake.add(done);
    });
  }

  /** Waits for deliveries in flight (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  /** Stops retrying and delivering (the sandbox is closing). */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of [...this.wake]) w();
    await this.drain();
  }
}
