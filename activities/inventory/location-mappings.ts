import { eq } from 'drizzle-orm';
import type { PimDb, StoreDb } from '../../db/client';
import { locationMappings } from '../../db/pim/schema';
import { stores } from '../../db/store/schema';
import { listLocations, type ShopifyClient, type ShopifyUserError } from '../../connectors/shopify';
import type { ValidationProblem } from '../../domain/catalog/pim-product';
import { matchStoreLocation } from '../../domain/inventory/location-match';

/** A store with stock but no location mapping (or a mapping Shopify refuses) triggers a fresh match at most this often. */
const REMATCH_MS = 60_000;

/** inventoryActivate's userError as the product's problem, naming the item and location it was about. */
export function activationProblem(
  err: ShopifyUserError,
  inventoryItemId: string,
  locationId: string,
): ValidationProblem {
  const e = err.userErrors[0];
  const field = e?.field?.at(-1);
  const code =
    e?.code ??
    (field === 'inventoryItemId'
      ? 'INVENTORY_ITEM_UNKNOWN'
      : field === 'locationId'
        ? 'LOCATION_UNKNOWN'
        : 'INVENTORY_ACTIVATE_FAILED');
  const message = `inventoryActivate ${inventoryItemId} at ${locationId}: ${err.userErrors.map((u) => u.message).join('; ')}`;
  return { code, message };
}

/** Store codes → Shopify locations (`location_mappings`), matched by name against the shop's active locations. */
export function createLocationMatcher(deps: { pim: PimDb; store: StoreDb; shopify: ShopifyClient }) {
  // One match at a time per process; concurrent publishes wait for it instead of reporting stores unmapped.
  let match: { at: number; run: Promise<unknown> } | undefined;
  // `after`: a mapping read at that time was refused by Shopify, so only a match started since then will do.
  const rematch = (opts: { after?: number } = {}) => {
    if (!match || Date.now() - match.at > REMATCH_MS || (opts.after !== undefined && match.at < opts.after)) {
      const run = syncLocationMappings().catch((err: unknown) => {
        match = undefined;
        throw err;
      });
      match = { at: Date.now(), run };
    }
    return match.run;
  };

  /**
   * Maps each store to the Shopify location whose name equals the store's `shopify_location_name` (else its
   * name, else its code), case-insensitively; a location's first address line counts as its name too. Stores
   * no location matches are returned (and their old mapping deactivated). Idempotent.
   */
  async function syncLocationMappings(): Promise<{ mapped: number; unmatched: string[] }> {
    const locations = (await listLocations(deps.shopify)).filter((l) => l.isActive);
    const unmatched: string[] = [];
    let mapped = 0;
    for (const s of await deps.store.select().from(stores)) {
      const match = matchStoreLocation(s, locations);
      if (!match) {
        unmatched.push(s.code);
        await deps.pim.update(locationMappings).set({ active: false }).where(eq(locationMappings.storeCode, s.code));
        continue;
      }
      await deps.pim
        .insert(locationMappings)
        .values({ storeCode: s.code, shopifyLocationId: match.id })
        .onDuplicateKeyUpdate({ set: { shopifyLocationId: match.id, active: true } });
      mapped++;
    }
    return { mapped, unmatched };
  }

  return { syncLocationMappings, rematch };
}
