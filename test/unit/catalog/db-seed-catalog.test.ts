import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEMO_STORES, SUB_DEPARTMENTS, demoProducts, demoStores } from '../../../db/seed/catalog';
import { gtinCheckDigit } from '../../../db/seed/random';

const digest = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');
const isValidGtin = (code: string) =>
  /^\d{8,14}$/.test(code) && Number(code.at(-1)) === gtinCheckDigit(code.slice(0, -1));

describe('demo catalogue generator', () => {
  it('computes GS1 check digits of published GTINs', () => {
    expect(gtinCheckDigit('400638133393')).toBe(1); // EAN-13 4006381333931
    expect(gtinCheckDigit('590123412345')).toBe(7); // GS1's sample EAN-13 5901234123457
    expect(gtinCheckDigit('03600029145')).toBe(2); // UPC-A 036000291452
    expect(gtinCheckDigit('9638507')).toBe(4); // EAN-8 96385074
    expect(isValidGtin('4006381333932')).toBe(false);
  });

  const catalogue = [...demoProducts(5000, 42)];
  const allVariants = catalogue.flatMap((p) => p.variants);

  it('gives every variant a unique SKU and a unique, valid GTIN-13', () => {
    expect(new Set(allVariants.map((v) => v.sku)).size).toBe(allVariants.length);
    expect(new Set(allVariants.map((v) => v.barcode)).size).toBe(allVariants.length);
    const invalid = allVariants.filter((v) => v.barcode?.length !== 13 || !isValidGtin(v.barcode));
    expect(invalid).toEqual([]);
  });

  it('builds Shopify-shaped products: unique handles, 1-4 size variants (dozens for a few), at most three options', () => {
    expect(new Set(catalogue.map((p) => p.handle)).size).toBe(catalogue.length);
    const wide = catalogue.filter((p) => p.variants.length > 4);
    expect(wide.length).toBe(20); // every 250th from product 7
    expect(wide.every((p) => p.variants.length >= 24 && p.options!.length === 2)).toBe(true);
    expect(new Set(allVariants.map((v) => v.id)).size).toBe(allVariants.length);
    for (const p of catalogue) {
      expect(p.variants.length).toBeGreaterThanOrEqual(1);
      if (!wide.includes(p)) expect(p.variants.length).toBeLessThanOrEqual(4);
      expect(p.options!.length).toBeLessThanOrEqual(3);
      for (const v of p.variants) expect(v.optionValues).toHaveLength(p.options!.length);
      expect(new Set(p.variants.map((v) => v.optionValues!.join('/'))).size).toBe(p.variants.length);
    }
    expect(new Set(allVariants.map((v) => v.optionValues!.length > 0)).size).toBe(1);
  });

  it('prices in BBD as two-decimal strings, compare-at prices above the price on a share of variants', () => {
    for (const v of allVariants) {
      expect(v.price).toMatch(/^\d+\.\d{2}$/);
      if (v.compareAtPrice) expect(Number(v.compareAtPrice)).toBeGreaterThan(Number(v.price));
    }
    const discounted = allVariants.filter((v) => v.compareAtPrice).length / allVariants.length;
    expect(discounted).toBeGreaterThan(0.05);
    expect(discounted).toBeLessThan(0.3);
  });

  it('spreads products over every sub-department and gives stores aisles and local names', () => {
    const used = new Set(catalogue.map((p) => p.subDepartmentCode));
    expect([...used].sort()).toEqual(SUB_DEPARTMENTS.map((d) => d.code).sort());
    const attrs = catalogue.flatMap((p) => p.storeAttributes ?? []);
    expect(new Set(attrs.map((a) => a.storeCode))).toEqual(new Set(DEMO_STORES.map((s) => s.code)));
    expect(new Set(attrs.map((a) => a.key))).toEqual(new Set(['aisle', 'local_name']));
    for (const p of catalogue.slice(0, 50)) expect(p.images?.[0]?.url).toMatch(/^https:\/\/cdn\.example\.com\//);
  });

  it('gives the same catalogue for the same seed and a different one for another seed', () => {
    expect(digest([...demoProducts(500, 42)])).toBe(digest(catalogue.slice(0, 500)));
    expect(digest([...demoProducts(500, 43)])).not.toBe(digest(catalogue.slice(0, 500)));
  });

  it('limits store attributes to the chosen stores', () => {
    const stores = demoStores(['EMERALD', 'HOLETOWN']);
    expect(stores).toEqual([
      { code: 'EMERALD', name: 'Emerald City', shopifyLocationName: 'Emerald City' },
      { code: 'HOLETOWN', name: 'HOLETOWN', shopifyLocationName: 'HOLETOWN' },
    ]);
    const codes = new Set(
      [...demoProducts(200, 42, 1, stores)].flatMap((p) => p.storeAttributes!.map((a) => a.storeCode)),
    );
    expect(codes).toEqual(new Set(['EMERALD', 'HOLETOWN']));
  });
});
