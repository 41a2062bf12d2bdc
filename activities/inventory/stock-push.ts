import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import {
  activateInventory,
  inventoryItemLevels,
  inventorySetQuantities,
  ShopifyUserError,
  type InventoryQuantity,
  type ShopifyClient,
} from '../../connectors/shopify';
import { shareOut } from '../../domain/channels/allocation';
import { shopifyOnHandTarget } from '../../domain/inventory/offer';
import type { ChannelAllocations } from '../channels/allocations';
import { pimDb, storeDb } from '../../db/client';
import type { ValidationProblem } from '../../domain/catalog/pim-product';
import { CHANNEL, recordSyncError } from '../catalog/catalog';
import { INVENTORY_CHANNEL } from './inventory';
import type { LedgerReads } from './ledger-reads';
import { activationProblem, createLocationMatcher } from './location-mappings';

export interface SkuPushResult {
  sku: string;
  /** The ledger version this push made Shopify equal to (pushed_version afterwards). */
  version: number;
  status: 'Synced' | 'Skipped';
  /**
   * Why nothing was written: the SKU has no Shopify inventory item yet, no ledger level, or Shopify refused its
   * inventory item (recorded in sync_errors).
   */
  skippedBecause?: 'unpublished' | 'no-ledger-stock' | 'refused';
  locations: number;
  writes: number;
  changed: number;
  /** What each mapped location now offers (Shopify `available` as we set it), within Shopify's allocation. */
  offered: Record<string, number>;
  unmappedLocations: string[];
  /** Store codes whose level Shopify refused to stock (recorded in sync_errors, channel shopify-inventory). */
  refusedLocations?: string[];
}

/** Ledger → Shopify for one SKU at every mapped location: compare-and-set writes under per-operation keys. */
export function createStockPushActivities(deps: {
  inventory: Pool;
  pim: Pool;
  store: Pool;
  shopify: ShopifyClient;
  reads: LedgerReads;
  /** The allocation rules: Shopify offers at most its share (`channels` area); without them, everything. */
  allocations?: ChannelAllocations;
}) {
  const pim = pimDb(deps.pim);
  const locations = createLocationMatcher({ pim, store: storeDb(deps.store), shopify: deps.shopify });
  /** A refusal is the product's recorded problem (sync_errors), named by SKU, item and location. */
  async function recordRefusal(sku: string, problems: ValidationProblem[]) {
    const [rows] = await deps.pim.query<RowDataPacket[]>('SELECT product_id FROM variants WHERE sku = ?', [sku]);
    const pimId = rows[0]?.product_id as number | undefined;
    if (pimId === undefined) return;
    await recordSyncError(
      pim,
      pimId,
      problems.map((p) => ({ ...p, message: `${sku}: ${p.message}` })),
      INVENTORY_CHANNEL,
    );
  }
  async function inventoryItemOf(sku: string): Promise<string | undefined> {
    const [rows] = await deps.pim.query<RowDataPacket[]>(
      'SELECT cm.external_variant_ids AS ids FROM variants v JOIN channel_mappings cm ON cm.pim_product_id = v.product_id AND cm.channel = ? WHERE v.sku = ?',
      [CHANNEL, sku],
    );
    const ids = rows[0]?.ids;
    const parsed = (typeof ids === 'string' ? JSON.parse(ids) : ids) as Record<
      string,
      { inventoryItemId?: string }
    > | null;
    return parsed?.[sku]?.inventoryItemId;
  }
  async function mappedLocations(): Promise<Map<string, string>> {
    const [rows] = await deps.pim.query<RowDataPacket[]>(
      'SELECT store_code, shopify_location_id FROM location_mappings WHERE active = TRUE',
    );
    return new Map(rows.map((r) => [r.store_code as string, r.shopify_location_id as string]));
  }
  const markPushed = (sku: string, version: number) =>
    deps.inventory.query(
      'UPDATE sku_sync SET pushed_version = GREATEST(pushed_version, ?), pushed_at = ? WHERE sku = ?',
      [version, new Date(), sku],
    );

  return {
    /**
     * Makes every mapped Shopify location offer what the ledger can sell there (`domain/inventory/offer.ts`).
     * The version is read before the levels, so a change committed meanwhile leaves pushed < ledger and is
     * pushed again. Each write is a compare-and-set on on_hand (a stale read is re-read, up to 5 rounds) under
     * an idempotency key from `operationId` (drawn by the workflow before the first attempt) + attempt + round.
     */
    async pushSkuStock(sku: string, operationId: string): Promise<SkuPushResult> {
      const { ledgerVersion } = await deps.reads.syncVersion(sku);
      const base = { sku, version: ledgerVersion, locations: 0, writes: 0, changed: 0, offered: {} };
      const levels = await deps.reads.levelsOf([sku]);
      const itemId = await inventoryItemOf(sku);
      if (!itemId || !levels.length) {
        await markPushed(sku, ledgerVersion);
        return {
          ...base,
          status: 'Skipped',
          skippedBecause: itemId ? 'no-ledger-stock' : 'unpublished',
          unmappedLocations: [],
        };
      }
      const safetyStock = levels[0]!.safetyStock;
      const byLocation = new Map(levels.map((l) => [l.location, l]));
      const attempt = Context.current().info.attempt;
      const key = (what: string) =>
        createHash('sha256').update(`${operationId}|${attempt}|stock|${sku}|${what}`).digest('hex');
      let mappedAt = Date.now();
      let mapped = await mappedLocations();
      // A store with stock and no mapping (stock that reached the ledger after the product was published, a store
      // opened since): match the stores to the shop's locations again (at most once a minute per process).
      if (levels.some((l) => l.onHand > 0 && !mapped.has(l.location))) {
        await locations.rematch();
        mappedAt = Date.now();
        mapped = await mappedLocations();
      }
      let rematched = false;
      // Locations Shopify refused to stock this item at (after one fresh match of the mappings): recorded, skipped.
      const refused = new Map<string, ValidationProblem>();
      let writes = 0;
      let changed = 0;
      const offered: Record<string, number> = {};
      const finish = async (status: SkuPushResult['status'], extra: Partial<SkuPushResult> = {}) => {
        if (refused.size) await recordRefusal(sku, [...refused.values()]);
        await markPushed(sku, ledgerVersion);
        const unmappedLocations = levels.filter((l) => !mapped.has(l.location) && l.onHand > 0).map((l) => l.location);
        return {
          ...base,
          status,
          locations: mapped.size,
          writes,
          changed,
          offered,
          unmappedLocations,
          ...(refused.size ? { refusedLocations: [...refused.keys()] } : {}),
          ...extra,
        };
      };
      // Shopify's share of the SKU under the allocation rules (all of it when no rule says otherwise), computed on
      // the ledger's available_to_sell as channel-sync computes the Amazon channels' shares.
      const available = levels.reduce((n, l) => n + l.availableToSell, 0);
      const allocation = deps.allocations
        ? ((await deps.allocations.allocationOf(sku, available)).byChannel.get('shopify') ?? 0)
        : available;
      for (let round = 1; ; round++) {
        const targets = [...mapped]
          .filter(([code]) => !refused.has(code))
          .map(([code, locationId]) => ({ code, locationId, level: byLocation.get(code) }));
        const quantities: InventoryQuantity[] = [];
        let remapped = false;
        const views = [];
        // All of the item's levels in one read; an item the shop doesn't know (it lost the product) is refused here.
        const shopLevels = await inventoryItemLevels(deps.shopify, itemId, Math.min(250, Math.max(1, mapped.size)));
        if (!shopLevels) {
          refused.set('*', {
            code: 'INVENTORY_ITEM_UNKNOWN',
            message: `inventory item ${itemId} is not known to the shop (its product must be published again)`,
          });
          return finish('Skipped', { skippedBecause: 'refused' });
        }
        for (const t of targets) {
          const shop = shopLevels.get(t.locationId) ?? null;
          const want = shopifyOnHandTarget({
            onHand: t.level?.onHand ?? 0,
            reserved: t.level?.reserved ?? 0,
            shopifyReserved: t.level?.reservedBy[CHANNEL] ?? 0,
            committed: shop?.committed ?? 0,
            safetyStock,
          });
          views.push({ t, shop, offer: want.offer });
        }
        // What each location could offer, capped so that the shop as a whole offers at most its allocation.
        const shares = shareOut(allocation, new Map(views.map((v) => [v.t.code, v.offer])));
        for (const { t, shop } of views) {
          const offer = shares.get(t.code) ?? 0;
          offered[t.code] = offer;
          if (!shop) {
            // Not stocked there yet: activate with the offer (nothing is committed at a location without a level).
            if (!t.level?.onHand) continue;
            try {
              await activateInventory(deps.shopify, itemId, t.locationId, offer, key(`activate|${t.locationId}`));
            } catch (err) {
              if (!(err instanceof ShopifyUserError)) throw err;
              delete offered[t.code];
              const problem = activationProblem(err, itemId, t.locationId);
              // The item itself is unknown (a shop that lost the product): nothing of this SKU can be stocked.
              if (problem.code === 'INVENTORY_ITEM_UNKNOWN') {
                refused.set(t.code, problem);
                return finish('Skipped', { skippedBecause: 'refused' });
              }
              // The mapping names a location the shop no longer has: match the stores again, once, and redo.
              if (problem.code === 'LOCATION_UNKNOWN' && !rematched) {
                rematched = true;
                await locations.rematch({ after: mappedAt });
                mappedAt = Date.now();
                mapped = await mappedLocations();
                remapped = true;
                break;
              }
              refused.set(t.code, problem);
              continue;
            }
            writes++;
            changed++;
          } else if (shop.onHand !== offer + Math.max(0, shop.committed))
            quantities.push({
              inventoryItemId: itemId,
              locationId: t.locationId,
              quantity: offer + Math.max(0, shop.committed),
              changeFromQuantity: shop.onHand,
            });
        }
        if (remapped) continue;
        if (quantities.length) {
          try {
            await inventorySetQuantities(
              deps.shopify,
              { name: 'on_hand', reason: 'correction', quantities },
              key(`set|${round}`),
            );
            writes++;
            changed += quantities.length;
          } catch (err) {
            const stale = err instanceof ShopifyUserError && err.codes.includes('CHANGE_FROM_QUANTITY_STALE');
            if (!stale || round >= 5) throw err;
            continue;
          }
        }
        return finish('Synced');
      }
    },

    /** The SKUs among these that have a Shopify inventory item. */
    async publishedSkus(skus: string[]): Promise<Set<string>> {
      const out = new Set<string>();
      for (let i = 0; i < skus.length; i += 1000) {
        const [rows] = await deps.pim.query<RowDataPacket[]>(
          'SELECT v.sku, cm.external_variant_ids AS ids FROM variants v JOIN channel_mappings cm ON cm.pim_product_id = v.product_id AND cm.channel = ? WHERE v.sku IN (?)',
          [CHANNEL, skus.slice(i, i + 1000)],
        );
        for (const r of rows) {
          const ids = (typeof r.ids === 'string' ? JSON.parse(r.ids) : r.ids) as Record<
            string,
            { inventoryItemId?: string }
          > | null;
          if (ids?.[r.sku]?.inventoryItemId) out.add(r.sku);
        }
      }
      return out;
    },

    /** SKUs whose last change has not reached Shopify (a lost signal, a crash between commit and signal). */
    async laggingSkus(olderThanMs: number, limit = 500): Promise<string[]> {
      const [rows] = await deps.inventory.query<RowDataPacket[]>(
        'SELECT sku FROM sku_sync WHERE pushed_version < ledger_version AND changed_at < ? ORDER BY changed_at LIMIT ?',
        [new Date(Date.now() - olderThanMs), limit],
      );
      return rows.map((r) => r.sku as string);
    },
  };
}
