import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { and, asc, count, inArray, isNull, lte, min } from 'drizzle-orm';
import type { PimDb } from '../../db/client';
import { changeOutbox } from '../../db/pim/schema';
import { productPublishRun } from '../../domain/catalog/run-summaries';
import { SA } from '../../domain/platform/search-attributes';

/** Starts (or signals the running) publish workflow of a product. */
export async function signalProductChanged(
  client: Client,
  taskQueue: string,
  pimId: number,
  force = false,
): Promise<void> {
  await client.workflow.signalWithStart<(input: { pimId: number }) => Promise<unknown>, [{ force: boolean }]>(
    'productPublish',
    {
      workflowId: `product-publish/${pimId}`,
      taskQueue,
      args: [{ pimId }],
      signal: 'resync',
      signalArgs: [{ force }],
      ...productPublishRun(pimId, force),
      typedSearchAttributes: [
        { key: SA.ProductId, value: String(pimId) },
        { key: SA.Pipeline, value: 'product-publish' },
        { key: SA.Channel, value: 'shopify' },
        { key: SA.SyncStatus, value: 'Pending' },
      ],
    },
  );
}

export interface RelayReport {
  relayed: number;
  pending: number;
  /** Age of the oldest row not relayed yet; null when none is pending. */
  oldestPendingMs: number | null;
}

/**
 * Relays the change outbox into workflow signals. Rows are marked relayed only after their signal was
 * accepted, so a crash re-sends (harmless: the publish skips unchanged content) and never loses a change.
 */
export function createOutboxActivities(deps: { pim: PimDb; temporal: () => Promise<Client> }) {
  async function relayBatch(taskQueue: string, limit: number): Promise<number> {
    const rows = await deps.pim
      .select({ id: changeOutbox.id, aggregateId: changeOutbox.aggregateId })
      .from(changeOutbox)
      .where(isNull(changeOutbox.relayedAt))
      .orderBy(asc(changeOutbox.id))
      .limit(limit);
    if (!rows.length) return 0;
    const client = await deps.temporal();
    const productIds = [...new Set(rows.map((r) => r.aggregateId))];
    for (let i = 0; i < productIds.length; i += 32)
      await Promise.all(productIds.slice(i, i + 32).map((id) => signalProductChanged(client, taskQueue, id)));
    const maxId = rows.at(-1)!.id;
    await deps.pim
      .update(changeOutbox)
      .set({ relayedAt: new Date() })
      .where(
        and(
          isNull(changeOutbox.relayedAt),
          lte(changeOutbox.id, maxId),
          inArray(
            changeOutbox.id,
            rows.map((r) => r.id),
          ),
        ),
      );
    return rows.length;
  }

  return {
    /**
     * Polls the outbox for up to `runForMs`, heartbeating. Returns how many rows it relayed, and the lag it leaves:
     * rows still pending and how old the oldest of them is (the relay's current details in the UI).
     */
    async relayOutbox(opts: {
      taskQueue: string;
      runForMs: number;
      pollMs: number;
      batch: number;
    }): Promise<RelayReport> {
      const until = Date.now() + opts.runForMs;
      let relayed = 0;
      while (Date.now() < until) {
        Context.current().heartbeat(relayed);
        if (Context.current().cancellationSignal.aborted) break;
        const n = await relayBatch(opts.taskQueue, opts.batch);
        relayed += n;
        if (n < opts.batch) await Context.current().sleep(opts.pollMs);
      }
      const [lag] = await deps.pim
        .select({ pending: count(), oldest: min(changeOutbox.createdAt) })
        .from(changeOutbox)
        .where(isNull(changeOutbox.relayedAt));
      const oldest = lag?.oldest ? new Date(lag.oldest).getTime() : null;
      return { relayed, pending: lag?.pending ?? 0, oldestPendingMs: oldest === null ? null : Date.now() - oldest };
    },
  };
}
