import {
  ApplicationFailure,
  continueAsNew,
  defineQuery,
  defineSignal,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
  uuid4,
} from '@temporalio/workflow';
import type { createCatalogActivities, PushResult } from '../../activities/catalog/catalog';
import type { createInventoryActivities, InventoryOutcome } from '../../activities/inventory/inventory';
import { SA, type SyncStatus } from '../../domain/platform/search-attributes';
import { taskQueueFor } from '../../domain/platform/task-queues';
import { count } from '../../domain/platform/run-summary';
import { withSummary } from '../platform/activity-summary';
import { pushUntilQuiet } from '../platform/push-until-quiet';

/** A PIM change (from the outbox relay) or an operator's re-sync; `force` pushes even unchanged content. */
export const resyncSignal = defineSignal<[{ force?: boolean }]>('resync');
export const statusQuery = defineQuery<PublishState>('status');

export interface PublishState {
  pimId: number;
  pushes: number;
  last?: PushResult;
  inventory?: InventoryOutcome;
}

// Shopify calls: retried with backoff (the client already retried THROTTLED and 5xx inside one attempt).
const shopifyCalls = () =>
  proxyActivities<ReturnType<typeof createCatalogActivities> & ReturnType<typeof createInventoryActivities>>({
    taskQueue: taskQueueFor('shopify', workflowInfo().taskQueue),
    startToCloseTimeout: '2 minutes',
    retry: {
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumInterval: '1 minute',
      nonRetryableErrorTypes: ['ShopifyUserError', 'ShopifyGraphqlError'],
    },
  });

/**
 * Keeps one product in Shopify equal to the PIM. Edits arriving during a push coalesce into one more push
 * (`pushUntilQuiet`); the workflow completes when nothing is pending, and the next change starts it again.
 */
export async function productPublish(input: {
  pimId: number;
  force?: boolean;
  pushes?: number;
}): Promise<PublishState> {
  const state: PublishState = { pimId: input.pimId, pushes: input.pushes ?? 0 };
  let force = input.force ?? false;
  setHandler(statusQuery, () => state);
  const status = (value: SyncStatus) => upsertSearchAttributes([{ key: SA.SyncStatus, value }]);
  upsertSearchAttributes([
    { key: SA.ProductId, value: String(input.pimId) },
    { key: SA.Pipeline, value: 'product-publish' },
    { key: SA.Channel, value: 'shopify' },
  ]);
  const a = shopifyCalls();
  // The UI's current details: where the product stands after the last push.
  const details = (phase: string) =>
    setCurrentDetails(
      [
        `**${phase}** · push ${state.pushes}`,
        state.last && `last: ${state.last.status}`,
        state.last?.skus && count(state.last.skus.length, 'variant'),
        state.inventory && `inventory ${state.inventory.changed}/${count(state.inventory.lines, 'level')} changed`,
      ]
        .filter(Boolean)
        .join(' · '),
    );

  await pushUntilQuiet({
    signal: resyncSignal,
    onSignal: (o) => {
      force ||= Boolean(o?.force);
    },
    push: async (changedAgain) => {
      const forceThis = force;
      force = false;
      status('Running');
      details('pushing');
      state.last = await withSummary(a, `productSet ${input.pimId}${forceThis ? ' (forced)' : ''}`).pushProduct(
        input.pimId,
        { force: forceThis },
      );
      state.pushes++;
      if (state.last.skus?.length) upsertSearchAttributes([{ key: SA.Sku, value: state.last.skus }]);
      if (state.last.status === 'Invalid') {
        status('Invalid');
        throw ApplicationFailure.nonRetryable(
          `product ${input.pimId} cannot be published: ${(state.last.problems ?? []).map((p) => `${p.code}: ${p.message}`).join('; ')}`,
          'InvalidProduct',
          state.last.problems,
        );
      }
      // One stock publication = one operation id, drawn before its first attempt: the activity's retries
      // share it, and the next publication (another day, the same correction) gets a new one.
      if (state.last.status === 'Synced' || state.last.status === 'Skipped')
        state.inventory = await withSummary(a, `inventorySetQuantities ${input.pimId}`).publishInventory(
          input.pimId,
          uuid4(),
        );
      details(changedAgain() ? 'changed again' : 'pushed');
    },
    restart: () => continueAsNew<typeof productPublish>({ pimId: input.pimId, force, pushes: state.pushes }),
  });
  // Archived in Shopify because the PIM dropped it: Shopify follows the PIM, so the product is in sync.
  const final = state.last!.status; // pushUntilQuiet pushes at least once
  details('done');
  status(final === 'Missing' ? 'Skipped' : final === 'Archived' ? 'Synced' : final);
  return state;
}
