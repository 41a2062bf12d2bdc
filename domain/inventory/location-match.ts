/**
 * The one rule that ties a store to a Shopify location (pure): the location whose name equals the store's
 * `shopify_location_name`, else its name, else its code, case-insensitively; a location's first address line counts
 * as its name too, after every name. Used by the store → location matcher (activities/inventory/location-mappings.ts)
 * and by stock history, whose Stocky exports name locations by name (domain/extraction/stock-locations.ts).
 */
export interface MatchableStore {
  code: string;
  name: string;
  shopifyLocationName: string | null;
}
export interface MatchableLocation {
  id: string;
  name: string;
  address1?: string | null;
}

export const normLocationName = (s: string | null | undefined) => (s ?? '').trim().toLowerCase();

/** The names a store goes by, in the order the matcher tries them (normalized). */
export const storeNames = (s: MatchableStore) =>
  [s.shopifyLocationName, s.name, s.code].map(normLocationName).filter(Boolean);

export function matchStoreLocation<L extends MatchableLocation>(store: MatchableStore, locations: L[]): L | undefined {
  const wanted = storeNames(store);
  return (
    wanted.map((w) => locations.find((l) => normLocationName(l.name) === w)).find(Boolean) ??
    wanted.map((w) => locations.find((l) => normLocationName(l.address1) === w)).find(Boolean)
  );
}
