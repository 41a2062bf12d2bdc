import type { PimProduct } from './pim-product';

export const PIM_ID_NAMESPACE = 'backbone';
export const PIM_ID_KEY = 'pim_id';
export const STORE_ATTRIBUTES_NAMESPACE = 'store_attributes';

/**
 * The ProductSetInput for a PIM product. List fields are complete (productSet replaces them), and every
 * list is in a canonical order so the same PIM content always yields the same input (and content hash).
 */
export function toProductSetInput(p: PimProduct): Record<string, unknown> {
  const byStore = new Map<string, Record<string, string>>();
  for (const a of [...p.storeAttributes].sort(
    (x, y) => x.storeCode.localeCompare(y.storeCode) || x.key.localeCompare(y.key),
  )) {
    const entry = byStore.get(a.storeCode) ?? {};
    entry[a.key] = a.value;
    byStore.set(a.storeCode, entry);
  }
  return {
    title: p.title,
    handle: p.handle,
    descriptionHtml: p.descriptionHtml ?? '',
    vendor: p.vendor ?? '',
    productType: p.subDepartment?.name ?? '',
    tags: [...p.tags].sort(),
    status: p.status,
    productOptions: p.options.map((name, i) => ({
      name,
      position: i + 1,
      values: [...new Set(p.variants.map((v) => v.optionValues[i] ?? ''))].map((value) => ({ name: value })),
    })),
    variants: p.variants.map((v, i) => ({
      sku: v.sku,
      barcode: v.barcode ?? undefined,
      price: v.price,
      compareAtPrice: v.compareAtPrice ?? undefined,
      position: i + 1,
      optionValues: p.options.map((name, k) => ({ optionName: name, name: v.optionValues[k] ?? '' })),
      inventoryItem: {
        tracked: true,
        ...(v.weight ? { measurement: { weight: { value: Number(v.weight), unit: weightUnit(v.weightUnit) } } } : {}),
      },
    })),
    files: p.images.map((img) => ({ originalSource: img.url, alt: img.alt ?? undefined, contentType: 'IMAGE' })),
    metafields: [
      { namespace: PIM_ID_NAMESPACE, key: PIM_ID_KEY, type: 'single_line_text_field', value: String(p.id) },
      ...[...byStore].map(([store, attrs]) => ({
        namespace: STORE_ATTRIBUTES_NAMESPACE,
        key: storeAttributesKey(store),
        type: 'json',
        value: JSON.stringify(attrs),
      })),
    ],
  };
}

/**
 * The metafield key of a store's attributes. MetafieldInput.key "Must be 2-64 characters long and can contain
 * alphanumeric, hyphen, and underscore characters", so the bare store code (`C`) is not a key: `store_c` is, for
 * every store code of up to 58 characters (other characters become `_`).
 */
export function storeAttributesKey(storeCode: string): string {
  return `store_${storeCode.toLowerCase().replace(/[^a-z0-9_-]/g, '_')}`.slice(0, 64);
}

/** The Shopify ids of a product's variants, by SKU, as the mapping of the last push recorded them. */
export type KnownVariants = Readonly<Record<string, { variantId: string }>>;

/**
 * The input with each variant's Shopify id where the SKU is already known. ProductVariantSetInput.id "Specifies the
 * product variant to update or create a new variant if absent": without it, every push would replace the variants
 * (new inventory items, stock lost). Ids are added after hashing, so the content hash stays the PIM content's.
 */
export function withVariantIds(input: Record<string, unknown>, known: KnownVariants): Record<string, unknown> {
  const variants = input.variants as { sku?: string }[] | undefined;
  if (!variants) return input;
  return {
    ...input,
    variants: variants.map((v) => {
      const id = v.sku ? known[v.sku]?.variantId : undefined;
      return id ? { id, ...v } : v;
    }),
  };
}

function weightUnit(unit: string): string {
  const u = unit.toUpperCase();
  return ['GRAMS', 'KILOGRAMS', 'OUNCES', 'POUNDS'].includes(u) ? u : 'GRAMS';
}

/** JSON with object keys sorted at every level: equal content, equal text, equal hash. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}
