import { shopifyOnHandTarget } from './offer';

/**
 * Multi-store stock reconciliation: per SKU × location, the store DB's count, the ledger's level and Shopify's
 * quantities, classified and, where the rule is clear, corrected. Pure: the activity gathers the three views in
 * bulk and applies what `reconcileKey` decides.
 *
 * Rules:
 * - the ledger follows a store count that is newer than its last movement (a count movement at the count's time);
 *   an older count that disagrees is reported (`store-behind-ledger`), never applied: the ledger has seen later
 *   movements the store DB's row does not include yet;
 * - Shopify follows the ledger: its on_hand should be `shopifyOnHandTarget` of the ledger's level, capped at the
 *   location's share of Shopify's allocation (what the push would set); a difference is `shopify-drifted` and is
 *   set back;
 * - a SKU the PIM does not know (`unknown-sku`) or a store/location nobody mapped (`unmapped-location`) is reported
 *   only: there is nothing to correct it to.
 */
export type ReconClass =
  'ledger-behind-store' | 'store-behind-ledger' | 'shopify-drifted' | 'unknown-sku' | 'unmapped-location';

export const RECON_CLASSES: readonly ReconClass[] = [
  'ledger-behind-store',
  'store-behind-ledger',
  'shopify-drifted',
  'unknown-sku',
  'unmapped-location',
];

export interface ReconInput {
  sku: string;
  /** Store code (or warehouse code); for a Shopify-only row at a location no store maps to, the location's id. */
  location: string;
  store?: { onHand: number; updatedAt: string };
  ledger?: { onHand: number; reserved: number; shopifyReserved: number; safetyStock: number; lastMovementAt: string };
  shopify?: { onHand: number; available: number; committed: number };
  /** The SKU is a PIM variant. */
  knownSku: boolean;
  /** The location maps to an active Shopify location. */
  mappedLocation: boolean;
  /** The SKU has a Shopify inventory item (it is published). */
  published: boolean;
  shelfPrice?: number;
  /**
   * What this location may offer on Shopify under the allocation rules (the SKU's Shopify share spread over its
   * locations as the push spreads it, `shareOut`); the ledger's offer is capped at it. Unset: no cap.
   */
  shopifyShare?: number;
}

export interface ReconDifference {
  sku: string;
  location: string;
  classes: ReconClass[];
  reasons: string[];
  store: number | null;
  ledger: number | null;
  shopify: number | null;
  /** Units apart (the largest gap among the views compared), and their value at the store's shelf price. */
  units: number;
  value: number;
  correction?: { ledgerCountTo?: number; shopifyOnHandTo?: number; shopifyFrom?: number | null };
}

/** The difference of one SKU × location, or null when the views agree (or have nothing to compare). */
export function reconcileKey(x: ReconInput): ReconDifference | null {
  const classes: ReconClass[] = [];
  const reasons: string[] = [];
  const correction: NonNullable<ReconDifference['correction']> = {};
  let units = 0;
  if (!x.knownSku) {
    classes.push('unknown-sku');
    reasons.push(`${x.sku} is not a PIM variant`);
    units = Math.max(x.store?.onHand ?? 0, x.shopify?.onHand ?? 0, 0);
  } else {
    let ledgerOnHand = x.ledger?.onHand;
    if (x.store && x.store.onHand !== (x.ledger?.onHand ?? 0)) {
      const newer = !x.ledger || Date.parse(x.store.updatedAt) > Date.parse(x.ledger.lastMovementAt);
      if (newer && x.store.onHand >= 0) {
        classes.push('ledger-behind-store');
        reasons.push(
          `store counted ${x.store.onHand} at ${x.store.updatedAt}, after the ledger's last movement (${x.ledger?.lastMovementAt ?? 'none'}); ledger had ${x.ledger?.onHand ?? 0}`,
        );
        correction.ledgerCountTo = x.store.onHand;
        ledgerOnHand = x.store.onHand;
      } else {
        classes.push('store-behind-ledger');
        reasons.push(
          `store row (${x.store.onHand} at ${x.store.updatedAt}) is older than the ledger's last movement (${x.ledger?.lastMovementAt}); ledger has ${x.ledger?.onHand ?? 0}`,
        );
      }
      units = Math.max(units, Math.abs(x.store.onHand - (x.ledger?.onHand ?? 0)));
    }
    if (!x.mappedLocation) {
      if ((x.store?.onHand ?? 0) > 0 || (x.ledger?.onHand ?? 0) > 0 || x.shopify) {
        classes.push('unmapped-location');
        reasons.push(`location ${x.location} has no active Shopify location mapping`);
      }
    } else if (x.published && (x.ledger || x.shopify || ledgerOnHand !== undefined)) {
      const target = shopifyOnHandTarget({
        onHand: ledgerOnHand ?? 0,
        reserved: x.ledger?.reserved ?? 0,
        shopifyReserved: x.ledger?.shopifyReserved ?? 0,
        committed: x.shopify?.committed ?? 0,
        safetyStock: x.ledger?.safetyStock ?? 0,
      });
      const want =
        x.shopifyShare === undefined
          ? target.onHand
          : Math.min(target.offer, x.shopifyShare) + Math.max(0, x.shopify?.committed ?? 0);
      const have = x.shopify?.onHand;
      // An item not stocked at the location is in sync when the ledger offers nothing there.
      if ((have ?? 0) !== want && !(have === undefined && want === 0)) {
        classes.push('shopify-drifted');
        reasons.push(
          have === undefined
            ? `not stocked in Shopify; the ledger offers ${want} on hand`
            : `Shopify on_hand ${have}, the ledger says ${want}`,
        );
        correction.shopifyOnHandTo = want;
        correction.shopifyFrom = have ?? null;
        units = Math.max(units, Math.abs(want - (have ?? 0)));
      }
    }
  }
  if (!classes.length) return null;
  return {
    sku: x.sku,
    location: x.location,
    classes,
    reasons,
    store: x.store?.onHand ?? null,
    ledger: x.ledger?.onHand ?? null,
    shopify: x.shopify?.onHand ?? null,
    units,
    value: Math.round(units * (x.shelfPrice ?? 0) * 100) / 100,
    ...(Object.keys(correction).length ? { correction } : {}),
  };
}

export interface ReconCounts {
  compared: number;
  inSync: number;
  differences: number;
  byClass: Record<ReconClass, { rows: number; units: number; value: number }>;
}

export function emptyCounts(): ReconCounts {
  return {
    compared: 0,
    inSync: 0,
    differences: 0,
    byClass: Object.fromEntries(
      RECON_CLASSES.map((c) => [c, { rows: 0, units: 0, value: 0 }]),
    ) as ReconCounts['byClass'],
  };
}

export function addToCounts(counts: ReconCounts, d: ReconDifference | null): void {
  counts.compared++;
  if (!d) {
    counts.inSync++;
    return;
  }
  counts.differences++;
  for (const c of d.classes) {
    const b = counts.byClass[c];
    b.rows++;
    b.units += d.units;
    b.value = Math.round((b.value + d.value) * 100) / 100;
  }
}
