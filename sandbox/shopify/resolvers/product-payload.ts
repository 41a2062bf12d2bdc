import { numericId, type SbProduct } from '../state';

/** The products/update webhook body: Shopify's REST-style product JSON (numeric ids, snake_case). */
export function productPayload(p: SbProduct) {
  return {
    id: numericId(p.id),
    admin_graphql_api_id: p.id,
    title: p.title,
    handle: p.handle,
    body_html: p.descriptionHtml,
    vendor: p.vendor,
    product_type: p.productType,
    status: p.status.toLowerCase(),
    tags: p.tags.join(', '),
    created_at: p.createdAt,
    updated_at: p.updatedAt,
    options: p.options.map((o) => ({
      id: numericId(o.id),
      product_id: numericId(p.id),
      name: o.name,
      position: o.position,
      values: o.values,
    })),
    variants: p.variants.map((v) => ({
      id: numericId(v.id),
      admin_graphql_api_id: v.id,
      product_id: numericId(p.id),
      sku: v.sku,
      barcode: v.barcode,
      price: v.price,
      compare_at_price: v.compareAtPrice,
      position: v.position,
      title: v.optionValues.map((o) => o.value).join(' / ') || 'Default Title',
      inventory_item_id: numericId(v.inventoryItemId),
      ...Object.fromEntries(v.optionValues.slice(0, 3).map((o, i) => [`option${i + 1}`, o.value])),
    })),
  };
}
