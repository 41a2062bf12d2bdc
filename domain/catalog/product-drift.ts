/** What Shopify shows of a product in a catalogue page: enough to notice edits made on Shopify's side. */
export interface ShopifyProductView {
  title: string;
  handle: string;
  status: string;
  variants: { sku: string | null; price: string }[];
}

/** The fields of a ProductSetInput that the drift check compares. */
export interface PublishedView {
  title?: unknown;
  handle?: unknown;
  status?: unknown;
  variants?: { sku?: unknown; price?: unknown }[];
}

/**
 * The fields where Shopify no longer shows what we last published (an edit in Shopify's admin, an app, a manual
 * archive). Only the fields a catalogue page returns are compared; `variantsShown` is how many variants the page
 * lists per product, so a product with more variants is compared on that prefix.
 */
export function shopifyDrift(published: PublishedView, shown: ShopifyProductView, variantsShown = 10): string[] {
  const drift: string[] = [];
  if (published.title !== shown.title) drift.push('title');
  if (published.handle !== undefined && published.handle !== shown.handle) drift.push('handle');
  if ((published.status ?? 'ACTIVE') !== shown.status) drift.push('status');
  const expected = (published.variants ?? []).slice(0, variantsShown);
  if (shown.variants.length !== expected.length) drift.push('variants');
  else
    expected.forEach((v, i) => {
      const s = shown.variants[i]!;
      if (v.sku !== s.sku) drift.push(`variants[${i}].sku`);
      // Money compares as a number: Shopify may answer "3.5" for "3.50".
      if (Number(v.price) !== Number(s.price)) drift.push(`variants[${i}].price`);
    });
  return drift;
}

/** The numeric part of a Shopify gid (`gid://shopify/Product/123` → 123), the order products pages use. */
export function gidNumber(gid: string): number {
  const n = Number(gid.slice(gid.lastIndexOf('/') + 1));
  return Number.isFinite(n) ? n : 0;
}
