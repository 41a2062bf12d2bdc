import {
  inventorySetQuantities,
  ShopifyUserError,
  type InventoryQuantity,
  type ShopifyClient,
} from '../../connectors/shopify';

const STALE = 'CHANGE_FROM_QUANTITY_STALE';

/**
 * One compare-and-set write of `lines` (inventorySetQuantities on `name`, on_hand by default), where a stale compare quantity costs a
 * fresh read of its own job only. Shopify applies an adjustment group all or nothing, naming each stale line by
 * its index (`input.quantities.<i>.changeFromQuantity`): the jobs of the stale lines are returned for a fresh read,
 * and the other lines, whose reads still hold, are written again at once (at most 3 times; a job whose lines all
 * went through is done). Refusals other than stale ones, or stale ones Shopify did not place, are thrown as they
 * are, and so is any refusal when `retryStale` is false (the caller's last round).
 */
export async function setOnHandStaleAware<J>(
  shopify: ShopifyClient,
  lines: readonly { job: J; quantity: InventoryQuantity }[],
  key: (attempt: number) => string,
  retryStale: boolean,
  /** The quantity set and compared (the pusher sets `available`: an order between read and write makes it stale). */
  name: 'available' | 'on_hand' = 'on_hand',
): Promise<{ stale: Set<J>; written: { job: J; quantity: InventoryQuantity }[] }> {
  const stale = new Set<J>();
  let part = [...lines];
  for (let attempt = 0; part.length; attempt++) {
    try {
      await inventorySetQuantities(
        shopify,
        { name, reason: 'correction', quantities: part.map((w) => w.quantity) },
        key(attempt),
      );
      return { stale, written: part };
    } catch (err) {
      if (!(err instanceof ShopifyUserError) || !retryStale || attempt >= 3) throw err;
      const at = err.userErrors.map((e) =>
        e.code === STALE && e.field?.[0] === 'input' && e.field[1] === 'quantities' ? Number(e.field[2]) : NaN,
      );
      if (!at.length || at.some((i) => !Number.isInteger(i) || !part[i])) throw err;
      for (const i of at) stale.add(part[i]!.job);
      part = part.filter((w) => !stale.has(w.job));
    }
  }
  return { stale, written: [] };
}
