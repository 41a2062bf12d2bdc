import { Context } from '@temporalio/activity';
import { and, eq, inArray } from 'drizzle-orm';
import type { ShopifyClient } from '../../connectors/shopify';
import type { PimDb, StoreDb } from '../../db/client';
import { channelMappings } from '../../db/pim/schema';
import { CHANNEL, recordSyncError, resolveSyncErrors } from '../catalog/catalog';
import type { ValidationProblem } from '../../domain/catalog/pim-product';
import { populationPage, type PopulationFilter } from '../catalog/pim-reads';
import { createLocationMatcher } from './location-mappings';
import type { SkuPushResult } from './stock-push';

/** sync_errors channel of stock problems, apart from the product's own content errors. */
export const INVENTORY_CHANNEL = 'shopify-inventory';

export interface InventoryOutcome {
  lines: number;
  changed: number;
  /** Store codes holding stock of this product that no Shopify location is mapped to: not published. */
  unmappedStores?: string[];
  /** Levels inventoryActivate refused (recorded in sync_errors, channel shopify-inventory): not published. */
  refusedLines?: number;
}

/** The stock pusher's batch push (`stock-push.ts`): the one place that decides what Shopify offers. */
export type PushSkus = (
  skus: readonly string[],
  operationId: string,
  opts?: { force?: boolean },
) => Promise<SkuPushResult[]>;

/** SKUs the stock pusher takes per call (its own passes take as many). */
const SKUS_PER_PUSH = 250;

/**
 * A product's stock at its first publication and after a backfill: the ledger's levels → every mapped Shopify
 * location, by the stock pusher itself (`pushSkus`, forced), so publication offers exactly what the ledger's pushes
 * offer — the same offer rule (`domain/inventory/offer.ts`: committed units never counted twice, safety stock,
 * Shopify's allocation share), the same batched reads, compare-and-set writes and idempotency keys, and the pushed
 * version recorded so the pusher does not push the SKU again.
 */
export function createInventoryActivities(deps: {
  pim: PimDb;
  store: StoreDb;
  shopify: ShopifyClient;
  push: PushSkus;
}) {
  const { syncLocationMappings } = createLocationMatcher(deps);
  /** Each product's published SKUs (its channel mapping's variants). */
  async function skusOf(pimIds: readonly number[]): Promise<Map<number, string[]>> {
    if (!pimIds.length) return new Map();
    const rows = await deps.pim
      .select()
      .from(channelMappings)
      .where(and(eq(channelMappings.channel, CHANNEL), inArray(channelMappings.pimProductId, [...pimIds])));
    return new Map(rows.map((m) => [m.pimProductId, Object.keys(m.externalVariantIds ?? {})]));
  }

  /** Heartbeats every 2 s while it pushes: a batch waits on Shopify's cost budget, a killed worker stops beating. */
  async function pushAll(skus: string[], operationId: string): Promise<Map<string, SkuPushResult>> {
    const out = new Map<string, SkuPushResult>();
    const ctx = Context.current();
    const beat = setInterval(() => ctx.heartbeat(out.size), 2_000);
    try {
      for (let i = 0; i < skus.length; i += SKUS_PER_PUSH)
        for (const r of await deps.push(skus.slice(i, i + SKUS_PER_PUSH), `${operationId}|${i}`, { force: true }))
          out.set(r.sku, r);
    } finally {
      clearInterval(beat);
    }
    return out;
  }

  /**
   * A product's outcome from its SKUs' pushes. Stock that could not be published is a recorded problem of the
   * product, not a silent success: a store with stock and no Shopify location (LOCATION_UNMAPPED); levels Shopify
   * refused are recorded by the pusher itself. With neither, the product's stock problems are resolved.
   */
  async function outcomeOf(pimId: number, results: SkuPushResult[]): Promise<InventoryOutcome> {
    const unmapped = [...new Set(results.flatMap((r) => r.unmappedLocations))].sort();
    const refused = results.reduce(
      (n, r) => n + (r.refusedLocations?.length ?? 0) + (r.skippedBecause === 'refused' ? 1 : 0),
      0,
    );
    const problems: ValidationProblem[] = unmapped.length
      ? [
          {
            code: 'LOCATION_UNMAPPED',
            message: `no Shopify location matches store(s) ${unmapped.join(', ')}; their stock is not published`,
          },
        ]
      : [];
    if (problems.length) await recordSyncError(deps.pim, pimId, problems, INVENTORY_CHANNEL);
    else if (!refused) await resolveSyncErrors(deps.pim, pimId, INVENTORY_CHANNEL);
    return {
      lines: results.reduce((n, r) => n + (r.status === 'Synced' ? Object.keys(r.offered).length : 0), 0),
      changed: results.reduce((n, r) => n + r.changed, 0),
      ...(unmapped.length ? { unmappedStores: unmapped } : {}),
      ...(refused ? { refusedLines: refused } : {}),
    };
  }

  return {
    /** Store codes → Shopify locations, matched by the matcher's rule (`location-mappings.ts`). */
    syncLocationMappings,

    /**
     * One product's stock at every mapped location (first publication, a forced re-publish). `operationId` is
     * fixed by the workflow before the first attempt; the pusher's keys add the attempt and its round.
     */
    async publishInventory(pimId: number, operationId: string): Promise<InventoryOutcome> {
      const skus = (await skusOf([pimId])).get(pimId) ?? [];
      if (!skus.length) return { lines: 0, changed: 0 };
      const results = await pushAll(skus, operationId);
      return outcomeOf(
        pimId,
        skus.map((s) => results.get(s)!),
      );
    },

    /** The stock of one page of a population (after a backfill): its SKUs pushed in batches of 250. */
    async publishInventoryPage(
      filter: PopulationFilter,
      afterId: number,
      limit: number,
      operationId: string,
    ): Promise<{ lastId: number; processed: number; changed: number }> {
      const ids = await populationPage(deps.pim, filter, afterId, limit);
      const skus = await skusOf(ids);
      const results = await pushAll([...skus.values()].flat(), operationId);
      let changed = 0;
      for (const [pimId, own] of skus)
        changed += (
          await outcomeOf(
            pimId,
            own.map((s) => results.get(s)!),
          )
        ).changed;
      return { lastId: ids.at(-1) ?? afterId, processed: ids.length, changed };
    },
  };
}
