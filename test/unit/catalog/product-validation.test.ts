import { describe, expect, it } from 'vitest';
import { isValidGtin } from '../../../domain/catalog/gtin';
import type { PimProduct } from '../../../domain/catalog/pim-product';
import { MAX_OPTIONS, MAX_VARIANTS, validateProduct } from '../../../domain/catalog/product-validation';
import { sampleProduct } from '../../support/catalog/pim-product-sample';

const codes = (p: PimProduct, owners?: Map<string, number>) => validateProduct(p, owners).map((x) => x.code);

describe('GTIN check digit', () => {
  it.each(['96385074', '036000291452', '4006381333931', '10614141000415'])('accepts the valid GTIN %s', (code) => {
    expect(isValidGtin(code)).toBe(true);
  });

  it.each([
    ['96385075', 'wrong check digit (8)'],
    ['036000291453', 'wrong check digit (12)'],
    ['4006381333932', 'wrong check digit (13)'],
    ['10614141000416', 'wrong check digit (14)'],
    ['400638133393', 'a GTIN-13 cut to 12 digits'],
    ['1234567890', 'ten digits'],
    ['40063813339A1', 'a letter'],
    ['', 'empty'],
  ])('rejects %s (%s)', (code) => {
    expect(isValidGtin(code)).toBe(false);
  });
});

describe('product validation', () => {
  it('accepts a well-formed product', () => {
    expect(validateProduct(sampleProduct())).toEqual([]);
  });

  it('rejects a missing or blank title', () => {
    expect(codes(sampleProduct({ title: '   ' }))).toEqual(['MISSING_TITLE']);
  });

  it.each(['-3.00', 'abc', '3.999', '', '1,50'])('rejects the price %j', (price) => {
    const p = sampleProduct();
    p.variants[0]!.price = price;
    expect(codes(p)).toEqual(['INVALID_PRICE']);
  });

  it('rejects a negative compare-at price', () => {
    const p = sampleProduct();
    p.variants[1]!.compareAtPrice = '-1';
    expect(codes(p)).toEqual(['INVALID_PRICE']);
  });

  it('rejects a barcode whose check digit is wrong', () => {
    const p = sampleProduct();
    p.variants[0]!.barcode = '4006381333932';
    const problems = validateProduct(p);
    expect(problems.map((x) => x.code)).toEqual(['INVALID_GTIN']);
    expect(problems[0]!.message).toContain('MILK-1L');
  });

  it('rejects a SKU repeated within the product and one owned by another product', () => {
    const p = sampleProduct();
    p.variants[1]!.sku = 'MILK-1L';
    expect(codes(p)).toEqual(['DUPLICATE_SKU']);
    const elsewhere = validateProduct(sampleProduct(), new Map([['MILK-2L', 7]]));
    expect(elsewhere).toEqual([{ code: 'DUPLICATE_SKU', message: expect.stringContaining('product 7') }]);
  });

  it('does not treat the product’s own SKUs as duplicates', () => {
    expect(validateProduct(sampleProduct(), new Map([['MILK-1L', 42]]))).toEqual([]);
  });

  it(`rejects more than ${MAX_VARIANTS} variants but accepts exactly ${MAX_VARIANTS}`, () => {
    const many = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ ...sampleProduct().variants[1]!, sku: `S-${i}`, optionValues: [`${i}`] }));
    expect(validateProduct(sampleProduct({ variants: many(MAX_VARIANTS) }))).toEqual([]);
    expect(codes(sampleProduct({ variants: many(MAX_VARIANTS + 1) }))).toEqual(['TOO_MANY_VARIANTS']);
  });

  it(`rejects more than ${MAX_OPTIONS} options`, () => {
    const p = sampleProduct({ options: ['Size', 'Colour', 'Fat', 'Pack'] });
    for (const v of p.variants) v.optionValues = ['a', 'b', 'c', 'd'];
    expect(codes(p)).toEqual(['TOO_MANY_OPTIONS']);
  });

  it.each(['ftp://cdn.example.com/a.jpg', 'not a url', 'https://', 'https://cdn example.com/a.jpg', '/images/a.jpg'])(
    'rejects the image URL %j',
    (url) => {
      expect(codes(sampleProduct({ images: [{ url, alt: null }] }))).toEqual(['INVALID_IMAGE_URL']);
    },
  );

  it('returns every reason at once, not only the first', () => {
    const p = sampleProduct({ title: '', options: ['A', 'B', 'C', 'D'] });
    p.variants[0]!.price = '-1.00';
    p.variants[0]!.barcode = '123';
    p.variants[0]!.optionValues = ['1', '2', '3', '4'];
    p.variants[1]!.optionValues = ['1', '2', '3', '5'];
    p.images = [{ url: 'nope', alt: null }];
    expect(new Set(codes(p))).toEqual(
      new Set(['MISSING_TITLE', 'TOO_MANY_OPTIONS', 'INVALID_PRICE', 'INVALID_GTIN', 'INVALID_IMAGE_URL']),
    );
  });
});
