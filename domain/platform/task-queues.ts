/** The task queues workers poll; see workers/registry.ts for what each serves. */
export type QueueRole = 'shopify' | 'data' | 'amazon' | 'lightspeed';

/**
 * The queue for `role` beside the queue the caller runs on. A queue name is `[isolation.]role`: production
 * uses bare roles (`shopify`, `data`); tests run side by side under prefixes such as `t1a2b.shopify`.
 */
export function taskQueueFor(role: QueueRole, currentQueue: string): string {
  const dot = currentQueue.lastIndexOf('.');
  return dot < 0 ? role : `${currentQueue.slice(0, dot + 1)}${role}`;
}
