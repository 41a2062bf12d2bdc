import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { runSummary } from '../domain/platform/run-summary';
import type { ShopifySandbox } from '../sandbox/shopify';
import { demoTransfers } from '../sandbox/shopify/transfer-demo';

/** Days of inventory transfers the demo shop starts with (weekly trucks from the distribution centre). */
export const DEMO_TRANSFER_DAYS = 120;
const DAY_MS = 86_400_000;

export interface DemoTransfers extends ReturnType<typeof demoTransfers> {
  from: string;
  to: string;
  /** The extraction run that reads them into the lake's `stock.transfers`. */
  workflowId: string;
}

/**
 * The demo shop's inventory transfer history (Stocky's successor), placed once in a new shop: a restored shop keeps
 * the transfers it had, so it gets none (undefined). Trucks carry the shop's own inventory items, so this waits
 * until the catalogue publish has put `minItems` of them in the shop (or `signal` aborts: npm start stopped), then
 * starts `shopifyExtract` for transfers only, which brings them into `stock.transfers`.
 */
export async function placeDemoTransfers(
  sandbox: Pick<ShopifySandbox, 'state' | 'transfers' | 'restored'>,
  client: Client,
  opts: { taskQueue?: string; minItems?: number; pollMs?: number; signal?: AbortSignal; now?: number } = {},
): Promise<DemoTransfers | undefined> {
  if (sandbox.restored) return undefined;
  const minItems = opts.minItems ?? 150;
  while (sandbox.state.inventoryItems.size < minItems) {
    if (opts.signal?.aborted) return undefined;
    await sleep(opts.pollMs ?? 5000, undefined, { signal: opts.signal }).catch(() => undefined);
  }
  const now = opts.now ?? Date.now();
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const from = day(now - DEMO_TRANSFER_DAYS * DAY_MS);
  const to = day(now);
  const counts = demoTransfers(sandbox.state, sandbox.transfers, { from, to });
  const workflowId = `shopify-extract/demo-transfers/${from}_${to}`;
  try {
    await client.workflow.start('shopifyExtract', {
      taskQueue: opts.taskQueue ?? 'shopify',
      workflowId,
      args: [{ entities: [], transfers: true, deletions: false }],
      ...runSummary(['extract Shopify → lake · the demo shop’s inventory transfers'], { from, to }),
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  return { ...counts, from, to, workflowId };
}
