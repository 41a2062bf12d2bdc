import {
  continueAsNew,
  proxyActivities,
  setCurrentDetails,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createAmazonOrdersActivities } from '../../activities/channels/amazon-orders';
import { SA } from '../../domain/platform/search-attributes';
import { withSummary } from '../platform/activity-summary';

// searchOrders' plan is 1 call per 180 s after a burst of 20: the connector waits for its token inside the
// activity, so the start-to-close leaves room for that wait; the activity heartbeats every second, also while it
// waits, so a killed worker's pull is retried after 5 s.
const acts = proxyActivities<ReturnType<typeof createAmazonOrdersActivities>>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '5 seconds',
  retry: { initialInterval: '5 seconds', maximumInterval: '2 minutes' },
});

/** Amazon Seller Central orders → ledger reservations, forever (`amazon-orders`, amazon queue). */
export async function amazonOrders(opts: { pollMs?: number; orders?: number } = {}) {
  upsertSearchAttributes([
    { key: SA.Pipeline, value: 'amazon-orders' },
    { key: SA.Channel, value: 'amazon' },
  ]);
  let orders = opts.orders ?? 0;
  for (let i = 0; i < 500 && !workflowInfo().continueAsNewSuggested; i++) {
    const r = await withSummary(acts, `pull Amazon orders · ${orders} read so far`).pullAmazonOrders();
    orders += r.orders;
    setCurrentDetails(`**Amazon orders → ledger** · ${orders} orders read · last pass applied ${r.applied} movements`);
    await sleep(opts.pollMs ?? 10_000);
  }
  await continueAsNew<typeof amazonOrders>({ ...opts, orders });
}
