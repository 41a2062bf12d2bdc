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
        key: store.toLowerCase(),
        type: 'json',
        value: JSON.stringify(attrs),
      })),
    ],
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
