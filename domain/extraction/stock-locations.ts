import {
  matchStoreLocation,
  normLocationName,
  type MatchableLocation,
  type MatchableStore,
} from '../inventory/location-match';

/**
 * Which store a stock history row is about (pure). Stocky's CSV exports name a location by the name Stocky read
 * from Shopify; Shopify's transfers name a location by id (and a name snapshot). Both resolve to our store code,
 * by the store ↔ location rule the matcher uses (domain/inventory/location-match.ts), so rows from before and after
 * Stocky's shutdown read as one history per store. A name no store answers to is a problem, never a guess.
 */
export interface StockLocationDirectory {
  stores: MatchableStore[];
  /** The shop's locations, inactive ones too (history names locations since closed). */
  locations: MatchableLocation[];
  /** Active `location_mappings`: the location each store's stock is published to. */
  mappings: { storeCode: string; shopifyLocationId: string }[];
}

export interface StockLocation {
  store: string;
  locationId: string | null;
}
export type Located = StockLocation | { problem: string };

export function stockLocations(dir: StockLocationDirectory) {
  const entries = dir.stores.map((s) => {
    const mapped = dir.mappings.find((m) => m.storeCode === s.code)?.shopifyLocationId;
    const loc = dir.locations.find((l) => l.id === mapped) ?? matchStoreLocation(s, dir.locations);
    return { s, locationId: mapped ?? loc?.id ?? null, loc };
  });
  // Most specific first: Stocky wrote Shopify's location names, so a location's name decides before a store's.
  const tiers: ((e: (typeof entries)[number]) => string | null | undefined)[] = [
    (e) => e.loc?.name,
    (e) => e.loc?.address1,
    (e) => e.s.shopifyLocationName,
    (e) => e.s.name,
    (e) => e.s.code,
  ];
  const found = (e: (typeof entries)[number]): StockLocation => ({ store: e.s.code, locationId: e.locationId });

  function byName(name: string): Located {
    const n = normLocationName(name);
    for (const tier of tiers) {
      const hits = entries.filter((e) => n && normLocationName(tier(e)) === n);
      if (hits.length === 1) return found(hits[0]!);
      if (hits.length > 1)
        return { problem: `location "${name}" could be store ${hits.map((h) => h.s.code).join(' or ')}` };
    }
    return {
      problem: `location "${name}" is no store's: no store or its Shopify location goes by that name (case-insensitive)`,
    };
  }

  /** A Shopify location by id (its mapped store), else by the name the row shows. */
  function byLocation(id: string | null | undefined, name: string): Located {
    const hit = id ? entries.find((e) => e.locationId === id) : undefined;
    return hit ? found(hit) : byName(name);
  }

  return { byName, byLocation };
}
export type StockLocations = ReturnType<typeof stockLocations>;
