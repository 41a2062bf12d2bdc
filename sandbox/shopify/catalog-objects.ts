import { nowIso, type ShopState, type SbInventoryItem, type SbProduct, type SbVariant } from './state';

/** A new product with Shopify's defaults (ACTIVE, no options, variants or metafields), not yet in the shop. */
export function newProduct(s: ShopState, fields: Partial<SbProduct> = {}, now = nowIso()): SbProduct {
  return {
    id: s.gid('Product'),
    handle: '',
    title: '',
    descriptionHtml: '',
    vendor: '',
    productType: '',
    tags: [],
    status: 'ACTIVE',
    options: [],
    variants: [],
    metafields: [],
    files: [],
    createdAt: now,
    updatedAt: now,
    ...fields,
  };
}

/** The variant's inventory item, created (tracked, no levels) if the shop has none yet, in the shop, with its SKU. */
export function inventoryItemOf(s: ShopState, variant: SbVariant): SbInventoryItem {
  const item = s.inventoryItems.get(variant.inventoryItemId) ?? {
    id: variant.inventoryItemId,
    variantId: variant.id,
    sku: null,
    tracked: true,
    weight: null,
    levels: new Map(),
  };
  item.sku = variant.sku;
  s.inventoryItems.set(item.id, item);
  return item;
}

/**
 * Seeds a one-variant product with stock straight into the shop, as a shop that already has a catalogue (benches:
 * 50,000 SKUs would take minutes through productSet at the plan's rate; the objects are the ones productSet makes).
 */
export function seedProduct(
  s: ShopState,
  p: { handle: string; title: string; sku: string; price: string; levels: Map<string, Map<string, number>> },
): { product: SbProduct; item: SbInventoryItem } {
  const product = newProduct(s, { handle: p.handle, title: p.title });
  const variant: SbVariant = {
    id: s.gid('ProductVariant'),
    sku: p.sku,
    barcode: null,
    price: p.price,
    compareAtPrice: null,
    position: 1,
    optionValues: [],
    inventoryItemId: s.gid('InventoryItem'),
    metafields: [],
  };
  product.variants.push(variant);
  const item = inventoryItemOf(s, variant);
  item.levels = p.levels;
  s.products.set(product.id, product);
  s.index(product);
  return { product, item };
}
