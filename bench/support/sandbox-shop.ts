import type { Pool } from 'mysql2/promise';
import type { ShopifySandbox } from '../../sandbox/shopify';
import { newLevel } from '../../sandbox/shopify/inventory-levels';
import { seedProduct } from '../../sandbox/shopify/catalog-objects';

/**
 * A published catalogue without publishing it: one product, variant and inventory item per SKU in the sandbox
 * shop (stocked `onHand(i, k)` at the shop's first `stores.length` locations), and the same products in the PIM
 * with their Shopify mapping and the store → location mapping. Set up in memory, because it is the fixture, not
 * the thing measured (publishing 10,000 products through the API takes minutes).
 */
export async function publishedCatalog(
  sandbox: ShopifySandbox,
  pim: Pool,
  opts: { skus: string[]; stores: string[]; onHand: (i: number, k: number) => number },
): Promise<{ inventoryItemIds: string[]; locationIds: string[] }> {
  const s = sandbox.state;
  const locations = [...s.locations.values()].slice(0, opts.stores.length);
  const items: string[] = [];
  const productIds: string[] = [];
  opts.skus.forEach((sku, i) => {
    const levels = new Map(locations.map((l, k) => [l.id, newLevel({ onHand: opts.onHand(i, k) })]));
    const { product, item } = seedProduct(s, {
      handle: `bench-${i + 1}`,
      title: `Bench item ${i + 1}`,
      sku,
      price: '4.99',
      levels,
    });
    const itemId = item.id;
    items.push(itemId);
    productIds.push(product.id);
  });
  const insert = async (sql: string, rows: unknown[][]) => {
    for (let i = 0; i < rows.length; i += 5000) await pim.query(sql, [rows.slice(i, i + 5000)]);
  };
  const ids = opts.skus.map((_, i) => i + 1);
  await insert(
    'INSERT INTO products (id, handle, title) VALUES ?',
    ids.map((id) => [id, `bench-${id}`, `Bench item ${id}`]),
  );
  await insert(
    'INSERT INTO variants (id, product_id, sku, price) VALUES ?',
    ids.map((id) => [id * 10, id, opts.skus[id - 1], '4.99']),
  );
  await insert(
    'INSERT INTO channel_mappings (channel, pim_product_id, external_id, external_variant_ids, status) VALUES ?',
    ids.map((id) => [
      'shopify',
      id,
      productIds[id - 1]!,
      JSON.stringify({ [opts.skus[id - 1]!]: { variantId: 'x', inventoryItemId: items[id - 1] } }),
      'SYNCED',
    ]),
  );
  await insert(
    'INSERT INTO location_mappings (store_code, shopify_location_id) VALUES ?',
    opts.stores.map((code, k) => [code, locations[k]!.id]),
  );
  return { inventoryItemIds: items, locationIds: locations.map((l) => l.id) };
}
