import { createHash } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import type { PimDb, StoreDb } from '../../db/client';
import { channelMappings, locationMappings } from '../../db/pim/schema';
import { stock, stores } from '../../db/store/schema';
import { canonicalJson } from '../../domain/catalog/shopify-product';
import {
  availableQuantity,
  inventorySetQuantities,
  listLocations,
  ShopifyUserError,
  type InventoryQuantity,
  type ShopifyClient,
} from '../../connectors/shopify';
import { CHANNEL } from '../catalog/catalog';

/** Stock per store → Shopify locations, as compare-and-set writes under an idempotency key. */
export function createInventoryActivities(deps: { pim: PimDb; store: StoreDb; shopify: ShopifyClient }) {
  async function desiredLines(
    pimId: number,
  ): Promise<{ inventoryItemId: string; locationId: string; quantity: number }[]> {
    const [mapping] = await deps.pim
      .select()
      .from(channelMappings)
      .where(and(eq(channelMappings.channel, CHANNEL), eq(channelMappings.pimProductId, pimId)));
    const variants = mapping?.externalVariantIds ?? {};
    const skus = Object.keys(variants);
    if (!skus.length) return [];
    const locations = new Map(
      (await deps.pim.select().from(locationMappings).where(eq(locationMappings.active, true))).map((l) => [
        l.storeCode,
        l.shopifyLocationId,
      ]),
    );
    const rows = await deps.store.select().from(stock).where(inArray(stock.sku, skus));
    return rows
      .filter((r) => locations.has(r.storeCode) && variants[r.sku]?.inventoryItemId)
      .map((r) => ({
        inventoryItemId: variants[r.sku]!.inventoryItemId!,
        locationId: locations.get(r.storeCode)!,
        quantity: Math.max(0, r.onHand),
      }))
      .sort((a, b) => a.inventoryItemId.localeCompare(b.inventoryItemId) || a.locationId.localeCompare(b.locationId));
  }

  return {
    /** Maps store codes to Shopify locations by the store's configured location name. Idempotent. */
    async syncLocationMappings(): Promise<number> {
      const locations = await listLocations(deps.shopify);
      const byName = new Map(locations.map((l) => [l.name, l.id]));
      let mapped = 0;
      for (const s of await deps.store.select().from(stores)) {
        const id = s.shopifyLocationName ? byName.get(s.shopifyLocationName) : undefined;
        if (!id) continue;
        await deps.pim
          .insert(locationMappings)
          .values({ storeCode: s.code, shopifyLocationId: id })
          .onDuplicateKeyUpdate({ set: { shopifyLocationId: id, active: true } });
        mapped++;
      }
      return mapped;
    },

    /**
     * Makes Shopify's available quantities equal the stores' stock for one product. Each write carries
     * changeFromQuantity (what we read) and an idempotency key derived from the workflow, the step and the
     * content, so a retried activity never applies a change twice; a stale read is re-read and retried.
     */
    async publishInventory(pimId: number, workflowId: string): Promise<{ lines: number; changed: number }> {
      const desired = await desiredLines(pimId);
      for (let attempt = 1; ; attempt++) {
        const quantities: InventoryQuantity[] = [];
        for (const line of desired) {
          const current = await availableQuantity(deps.shopify, line.inventoryItemId, line.locationId);
          if (current !== line.quantity) quantities.push({ ...line, changeFromQuantity: current });
        }
        if (!quantities.length) return { lines: desired.length, changed: 0 };
        const key = createHash('sha256')
          .update(`${workflowId}|inventory|${canonicalJson(quantities)}`)
          .digest('hex');
        try {
          await inventorySetQuantities(deps.shopify, quantities, key);
          return { lines: desired.length, changed: quantities.length };
        } catch (err) {
          const stale = err instanceof ShopifyUserError && err.codes.includes('CHANGE_FROM_QUANTITY_STALE');
          if (!stale || attempt >= 5) throw err;
        }
      }
    },
  };
}
