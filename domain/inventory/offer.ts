import { availableToSell } from './ledger';

/**
 * What one Shopify location should hold for a SKU, so that Shopify's `available` (= on_hand − committed) is at
 * most what the ledger can sell there. Shopify has already taken its `committed` units out of `available`; the
 * ledger has taken out the Shopify reservations it knows (`shopifyReserved`). Committed units it does not know
 * yet (an order whose webhook has not arrived) are taken out once more, and units it knows are never added back:
 *   offer   = max(0, on_hand − reserved − max(0, committed − shopifyReserved) − safety)
 *   on_hand(Shopify) = offer + committed
 * An order placed between our read and our write only lowers `available` further: never an oversell.
 */
export function shopifyOnHandTarget(x: {
  onHand: number;
  reserved: number;
  shopifyReserved: number;
  committed: number;
  safetyStock: number;
}): { offer: number; onHand: number } {
  const unknownCommitted = Math.max(0, x.committed - x.shopifyReserved);
  const offer = availableToSell({ onHand: x.onHand - unknownCommitted, reserved: x.reserved }, x.safetyStock);
  return { offer, onHand: offer + Math.max(0, x.committed) };
}
