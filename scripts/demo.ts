import { createPool, pimDb, storeDb } from '../db/client';
import { isDemoDataPresent, seedDemoData } from '../db/seed';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Config } from '../workers/config';

/** Seeds the demo grocery chain if the PIM is empty; returns a line for the ready banner. */
export async function prepareDemo(
  config: Config,
  products = Number(process.env.DEMO_PRODUCTS ?? 2000),
): Promise<string> {
  const pimPool = createPool(config.databases.pim, 4);
  const storePool = createPool(config.databases.store, 4);
  try {
    const pim = pimDb(pimPool);
    if (await isDemoDataPresent(pim)) return 'already present (delete .local/ to start over)';
    const summary = await seedDemoData({ pim, store: storeDb(storePool) }, { products });
    return `seeded ${summary.products} products, ${summary.variants} variants, ${summary.stores} stores, ${summary.stockRows} stock rows`;
  } finally {
    await Promise.all([pimPool.end(), storePool.end()]);
  }
}

/**
 * The long-running pipelines of the demo: the outbox relay (PIM edits → Shopify) and a one-off backfill
 * publishing the seeded catalogue to the sandbox. Starting an already-running one is a no-op.
 */
export async function startDemoPipelines(client: Client): Promise<string[]> {
  const start = async (workflowType: string, workflowId: string, args: unknown[]) => {
    try {
      await client.workflow.start(workflowType, {
        taskQueue: workflowType === 'outboxRelay' ? 'data' : 'shopify',
        workflowId,
        args,
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    return workflowId;
  };
  return Promise.all([
    start('outboxRelay', 'outbox-relay', [{}]),
    start('catalogBackfill', 'catalog-backfill/demo', [{ name: 'demo', filter: {} }]),
  ]);
}
