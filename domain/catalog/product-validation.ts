import { isValidGtin } from './gtin';
import type { PimProduct, ValidationProblem } from './pim-product';

const MONEY = /^\d{1,10}(\.\d{1,2})?$/;
export const MAX_VARIANTS = 2048;
export const MAX_OPTIONS = 3;

/**
 * Every reason Shopify would (or should) reject this product, checked before any API call.
 * `skuOwners` maps SKUs to the product that owns them, to catch duplicates across the catalogue.
 */
export function validateProduct(
  p: PimProduct,
  skuOwners: ReadonlyMap<string, number> = new Map(),
): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const add = (code: string, message: string) => problems.push({ code, message });
  if (!p.title?.trim()) add('MISSING_TITLE', 'title is missing');
  if (p.options.length > MAX_OPTIONS)
    add('TOO_MANY_OPTIONS', `${p.options.length} options; Shopify allows at most ${MAX_OPTIONS}`);
  if (p.variants.length === 0) add('NO_VARIANTS', 'the product has no variants');
  if (p.variants.length > MAX_VARIANTS)
    add('TOO_MANY_VARIANTS', `${p.variants.length} variants; Shopify allows at most ${MAX_VARIANTS}`);
  const seen = new Set<string>();
  for (const v of p.variants) {
    const at = `variant ${v.sku || '(no sku)'}`;
    if (!v.sku?.trim()) add('MISSING_SKU', `${at}: SKU is missing`);
    else if (seen.has(v.sku)) add('DUPLICATE_SKU', `${at}: SKU appears twice in this product`);
    else if ((skuOwners.get(v.sku) ?? p.id) !== p.id)
      add('DUPLICATE_SKU', `${at}: SKU is also used by product ${skuOwners.get(v.sku)}`);
    seen.add(v.sku);
    if (!MONEY.test(v.price)) add('INVALID_PRICE', `${at}: price '${v.price}' is negative or malformed`);
    if (v.compareAtPrice !== null && !MONEY.test(v.compareAtPrice))
      add('INVALID_PRICE', `${at}: compare-at price '${v.compareAtPrice}' is negative or malformed`);
    if (v.barcode && !isValidGtin(v.barcode))
      add('INVALID_GTIN', `${at}: barcode '${v.barcode}' is not a valid GTIN (check digit)`);
    if (v.optionValues.length !== p.options.length)
      add('OPTION_MISMATCH', `${at}: ${v.optionValues.length} option values for ${p.options.length} options`);
  }
  for (const img of p.images)
    if (!isHttpUrl(img.url)) add('INVALID_IMAGE_URL', `image '${img.url}' is not an http(s) URL`);
  return problems;
}

function isHttpUrl(s: string): boolean {
  const m = /^https?:\/\/([a-z0-9-]+\.)+[a-z]{2,}(:\d+)?(\/[^\s]*)?$/i.exec(s);
  return m !== null;
}
