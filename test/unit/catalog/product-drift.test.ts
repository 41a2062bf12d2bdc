import { describe, expect, it } from 'vitest';
import { gidNumber, shopifyDrift, type ShopifyProductView } from '../../../domain/catalog/product-drift';
import { toProductSetInput } from '../../../domain/catalog/shopify-product';
import { sampleProduct } from '../../support/catalog/pim-product-sample';

const published = toProductSetInput(sampleProduct());
const asShopifyShowsIt = (): ShopifyProductView => ({
  title: 'Fresh milk',
  handle: 'fresh-milk',
  status: 'ACTIVE',
  variants: [
    { sku: 'MILK-1L', price: '3.5' },
    { sku: 'MILK-2L', price: '6.25' },
  ],
});

describe('drift between what we published and what Shopify shows', () => {
  it('finds none when Shopify shows what we sent (money compared as numbers)', () => {
    expect(shopifyDrift(published, asShopifyShowsIt())).toEqual([]);
  });

  it('names every field edited on Shopify’s side', () => {
    const shown = asShopifyShowsIt();
    shown.title = 'Milk!';
    shown.status = 'ARCHIVED';
    shown.variants[1]!.price = '5.00';
    expect(shopifyDrift(published, shown)).toEqual(['title', 'status', 'variants[1].price']);
  });

  it('notices a deleted or reordered variant', () => {
    const shown = asShopifyShowsIt();
    expect(shopifyDrift(published, { ...shown, variants: shown.variants.slice(0, 1) })).toEqual(['variants']);
    expect(shopifyDrift(published, { ...shown, variants: [...shown.variants].reverse() })).toContain('variants[0].sku');
  });

  it('compares only the variants a page shows', () => {
    const many = sampleProduct({
      variants: Array.from({ length: 30 }, (_, i) => ({ ...sampleProduct().variants[1]!, sku: `S-${i}` })),
    });
    const shown = { ...asShopifyShowsIt(), variants: many.variants.slice(0, 10) };
    expect(shopifyDrift(toProductSetInput(many), shown)).toEqual([]);
  });
});

describe('gidNumber', () => {
  it('reads the numeric id products pages are ordered by', () => {
    expect(gidNumber('gid://shopify/Product/10079785100')).toBe(10079785100);
    expect(gidNumber('nonsense/x')).toBe(0);
  });
});
