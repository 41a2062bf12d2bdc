import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { and, eq } from 'drizzle-orm';
import type { PimDb, StoreDb } from '../../db/client';
import { channelMappings, locationMappings } from '../../db/pim/schema';
import {
  activateInventory,
  inventoryLevelQuantities,
  inventorySetQuantities,
  ShopifyUserError,
  type InventoryQuantity,
  type ShopifyClient,
} from '../../connectors/shopify';
import { shareOut } from '../../domain/channels/allocation';
import { shopifyOnHandTarget } from '../../domain/inventory/offer';
import type { ChannelAllocations } from '../channels/allocations';
import { CHANNEL, recordSyncError, resolveSyncErrors } from '../catalog/catalog';
import type { LedgerLevel, LedgerReads } from './ledger-reads';
import type { ValidationProblem } from '../../domain/catalog/pim-product';
import { populationPage, type PopulationFilter } from '../catalog/pim-reads';
import { activationProblem, createLocationMatcher } from './location-mappings';

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

/** The ledger's stock per store → Shopify locations, as compare-and-set writes under an idempotency key. */
export function createInventoryActivities(deps: {
  pim: PimDb;
  store: StoreDb;
  shopify: ShopifyClient;
  /** The stock ledger: what a product's first publication (and a backfill) offers at each location. */
  reads: LedgerReads;
  /** The allocation rules: the shop offers at most Shopify's share, as inventory-sync does; without them, all. */
  allocations?: ChannelAllocations;
}) {
  const { syncLocationMappings, rematch } = createLocationMatcher(deps);

  async function desiredLines(pimId: number) {
    const [mapping] = await deps.pim
      .select()
      .from(channelMappings)
      .where(and(eq(channelMappings.channel, CHANNEL), eq(channelMappings.pimProductId, pimId)));
    const variants = mapping?.externalVariantIds ?? {};
    const skus = Object.keys(variants);
    if (!skus.length) return { lines: [], levels: [], unmapped: [] };
    const locations = new Map(
      (await deps.pim.select().from(locationMappings).where(eq(locationMappings.active, true))).map((l) => [
        l.storeCode,
        l.shopifyLocationId,
      ]),
    );
    // The ledger's levels, not the store DB's counts: the ledger has the POS sales, reservations and
    // corrections since the store's last count (the same source as inventory-sync's pushes).
    const levels = (await deps.reads.levelsOf(skus)).filter((l) => variants[l.sku]?.inventoryItemId);
    const unmapped = [
      ...new Set(levels.filter((l) => l.onHand > 0 && !locations.has(l.location)).map((l) => l.location)),
    ];
    const lines = levels
      .filter((l) => locations.has(l.location))
      .map((l) => ({
        inventoryItemId: variants[l.sku]!.inventoryItemId!,
        locationId: locations.get(l.location)!,
        level: l,
      }))
      .sort((a, b) => a.inventoryItemId.localeCompare(b.inventoryItemId) || a.locationId.localeCompare(b.locationId));
    return { lines, levels, unmapped: unmapped.sort() };
  }

  /** What a location could offer of a ledger level, given the units Shopify has committed there (`domain/inventory/offer`). */
  const target = (level: LedgerLevel, committed: number) =>
    shopifyOnHandTarget({
      onHand: level.onHand,
      reserved: level.reserved,
      shopifyReserved: level.reservedBy[CHANNEL] ?? 0,
      committed,
      safetyStock: level.safetyStock,
    });

  /** Stock that could not be published is a recorded problem of the product, not a silent success. */
  const unmappedProblem = (unmapped: string[]): ValidationProblem[] =>
    unmapped.length
      ? [
          {
            code: 'LOCATION_UNMAPPED',
            message: `no Shopify location matches store(s) ${unmapped.join(', ')}; their stock is not published`,
          },
        ]
      : [];
  async function recordUnmapped(pimId: number, unmapped: string[]) {
    if (!unmapped.length) return resolveSyncErrors(deps.pim, pimId, INVENTORY_CHANNEL);
    await recordSyncError(deps.pim, pimId, unmappedProblem(unmapped), INVENTORY_CHANNEL);
  }

  const api = {
    syncLocationMappings,

    /**
     * Makes each mapped location offer what the ledger can sell there for one product (first publication,
     * backfills): Shopify's `on_hand` = offer + committed, the rule of inventory-sync's pushes
     * (`domain/inventory/offer.ts`: on_hand − reserved − committed units the ledger does not know − safety
     * stock), so units already committed to unfulfilled online orders are never counted twice. Items not stocked
     * at a location yet are activated there with the offer (nothing is committed there yet). Each write is a
     * compare-and-set (a stale read is re-read and retried) under an idempotency key derived from
     * `operationId` — fixed by the workflow before the first attempt — plus the activity attempt and the
     * round: the client's retries of one request share its key, and every new request (after a re-read) has a
     * key of its own, so a key never meets different parameters or a failed first attempt.
     */
    async publishInventory(pimId: number, operationId: string): Promise<InventoryOutcome> {
      let { lines, levels, unmapped } = await desiredLines(pimId);
      if (unmapped.length) {
        await rematch();
        ({ lines, levels, unmapped } = await desiredLines(pimId));
      }
      await recordUnmapped(pimId, unmapped);
      const outcome = (changed: number): InventoryOutcome => ({
        lines: lines.length,
        changed,
        ...(unmapped.length ? { unmappedStores: unmapped } : {}),
      });
      const attempt = Context.current().info.attempt;
      const key = (what: string) =>
        createHash('sha256').update(`${operationId}|${attempt}|inventory|${what}`).digest('hex');
      let activated = 0;
      // Lines Shopify refused to stock (an inventory item or location it does not know: a stale mapping) are the
      // product's recorded problem; the product's other lines, and every other product, are still published.
      const refused = new Map<string, ValidationProblem>();
      const done = async (changed: number) => {
        if (refused.size)
          await recordSyncError(
            deps.pim,
            pimId,
            [...refused.values(), ...unmappedProblem(unmapped)],
            INVENTORY_CHANNEL,
          );
        return { ...outcome(changed), ...(refused.size ? { refusedLines: refused.size } : {}) };
      };
      // Shopify's share of each SKU under the allocation rules, on the ledger's available_to_sell at every location
      // (inventory-sync's cap): the shop as a whole never offers more of a SKU than its share.
      const allocation = new Map<string, number>();
      for (const sku of new Set(levels.map((l) => l.sku))) {
        const available = levels.filter((l) => l.sku === sku).reduce((n, l) => n + l.availableToSell, 0);
        allocation.set(
          sku,
          deps.allocations
            ? ((await deps.allocations.allocationOf(sku, available)).byChannel.get('shopify') ?? 0)
            : available,
        );
      }
      for (let round = 1; ; round++) {
        const quantities: InventoryQuantity[] = [];
        const views = [];
        for (const line of lines) {
          const at = `${line.inventoryItemId}|${line.locationId}`;
          if (refused.has(at)) continue;
          const level = await inventoryLevelQuantities(deps.shopify, line.inventoryItemId, line.locationId);
          views.push({ line, at, level, offer: target(line.level, level?.committed ?? 0).offer });
        }
        for (const sku of new Set(views.map((v) => v.line.level.sku))) {
          const mine = views.filter((v) => v.line.level.sku === sku);
          const shares = shareOut(allocation.get(sku) ?? 0, new Map(mine.map((v) => [v.at, v.offer])));
          for (const { line, at, level } of mine) {
            const offer = shares.get(at) ?? 0;
            if (!level) {
              try {
                await activateInventory(
                  deps.shopify,
                  line.inventoryItemId,
                  line.locationId,
                  offer,
                  key(`activate|${at}`),
                );
                activated++;
              } catch (err) {
                if (!(err instanceof ShopifyUserError)) throw err;
                refused.set(at, activationProblem(err, line.inventoryItemId, line.locationId));
              }
            } else if (level.onHand !== offer + Math.max(0, level.committed))
              quantities.push({
                inventoryItemId: line.inventoryItemId,
                locationId: line.locationId,
                quantity: offer + Math.max(0, level.committed),
                changeFromQuantity: level.onHand,
              });
          }
        }
        if (!quantities.length) return done(activated);
        try {
          await inventorySetQuantities(
            deps.shopify,
            { name: 'on_hand', reason: 'correction', quantities },
            key(`set|${round}`),
          );
          return done(activated + quantities.length);
        } catch (err) {
          const stale = err instanceof ShopifyUserError && err.codes.includes('CHANGE_FROM_QUANTITY_STALE');
          if (!stale || round >= 5) throw err;
        }
      }
    },
  };
  return {
    ...api,
    /** Publishes the stock of one page of a population (after a backfill), heartbeating per product. */
    async publishInventoryPage(
      filter: PopulationFilter,
      afterId: number,
      limit: number,
      operationId: string,
    ): Promise<{ lastId: number; processed: number; changed: number }> {
      const ids = await populationPage(deps.pim, filter, afterId, limit);
      let changed = 0;
      let next = 0;
      // 16 products at a time; the shared cost budget paces the reads and writes at the shop's ceiling.
      const work = async () => {
        while (next < ids.length) {
          const id = ids[next++]!;
          changed += (await api.publishInventory(id, `${operationId}/${id}`)).changed;
          Context.current().heartbeat(next);
        }
      };
      await Promise.all(Array.from({ length: Math.min(16, ids.length) }, work));
      return { lastId: ids.at(-1) ?? afterId, processed: ids.length, changed };
    },
  };
}
