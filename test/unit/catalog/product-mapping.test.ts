import { coerceInputValue, type GraphQLInputType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { contentHash } from '../../../activities/catalog/catalog';
import { canonicalJson, toProductSetInput } from '../../../domain/catalog/shopify-product';
import { sampleProduct } from '../../support/catalog/pim-product-sample';
import { realShopifySchema } from '../../support/shopify-schema';

/** Coerces a variable value the way Shopify's GraphQL server would, returning every error message. */
function errorsAgainstRealSchema(typeName: string, value: unknown): string[] {
  const type = realShopifySchema().getType(typeName) as GraphQLInputType;
  const errors: string[] = [];
  coerceInputValue(JSON.parse(JSON.stringify(value)), type, (path, _v, e) =>
    errors.push(`${path.join('.')}: ${e.message}`),
  );
  return errors;
}

describe('PIM product → Shopify ProductSetInput', () => {
  it("is a valid ProductSetInput in Shopify's published 2026-10 schema", () => {
    expect(errorsAgainstRealSchema('ProductSetInput', toProductSetInput(sampleProduct()))).toEqual([]);
  });

  it('would notice an input the real schema rejects', () => {
    const input = { ...toProductSetInput(sampleProduct()), notAField: 1, status: 'SOLD_OUT' };
    expect(errorsAgainstRealSchema('ProductSetInput', input).length).toBeGreaterThanOrEqual(2);
  });

  it('maps every catalogue field', () => {
    const input = toProductSetInput(sampleProduct()) as {
      variants: { barcode?: string; inventoryItem: { measurement?: unknown } }[];
    };
    expect(input).toMatchObject({
      title: 'Fresh milk',
      handle: 'fresh-milk',
      descriptionHtml: '<p>Whole milk</p>',
      vendor: 'Pine Hill',
      productType: 'Dairy',
      tags: ['chilled', 'local'],
      status: 'ACTIVE',
      productOptions: [{ name: 'Size', position: 1, values: [{ name: '1 L' }, { name: '2 L' }] }],
      files: [{ originalSource: 'https://cdn.example.com/milk.jpg', alt: 'A bottle', contentType: 'IMAGE' }],
    });
    expect(input.variants[0]).toMatchObject({
      sku: 'MILK-1L',
      barcode: '4006381333931',
      price: '3.50',
      compareAtPrice: '3.99',
      optionValues: [{ optionName: 'Size', name: '1 L' }],
      inventoryItem: { tracked: true, measurement: { weight: { value: 1030, unit: 'GRAMS' } } },
    });
    expect(input.variants[1]!.barcode).toBeUndefined();
    expect(input.variants[1]!.inventoryItem.measurement).toBeUndefined();
  });

  it('carries the PIM id as the customId metafield and store attributes as one JSON metafield per store', () => {
    const { metafields } = toProductSetInput(sampleProduct()) as { metafields: Record<string, string>[] };
    expect(metafields).toEqual([
      { namespace: 'backbone', key: 'pim_id', type: 'single_line_text_field', value: '42' },
      { namespace: 'store_attributes', key: 'store_c', type: 'json', value: '{"aisle":"7"}' },
      { namespace: 'store_attributes', key: 'store_emerald', type: 'json', value: '{"aisle":"4"}' },
    ]);
  });
});

describe('canonical content hash', () => {
  it('sorts object keys at every level and drops undefined fields', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: undefined, x: 0 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,{"x":0,"z":1}]},"b":1}',
    );
  });

  it('is equal for the same content however the PIM happened to order tags and store attributes', () => {
    const a = sampleProduct();
    const b = sampleProduct({ tags: ['chilled', 'local'], storeAttributes: [...a.storeAttributes].reverse() });
    expect(contentHash(toProductSetInput(b))).toBe(contentHash(toProductSetInput(a)));
    expect(contentHash(toProductSetInput(a))).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each<[string, (p: ReturnType<typeof sampleProduct>) => void]>([
    ['title', (p) => void (p.title = 'Fresh milk (new)')],
    ['price', (p) => void (p.variants[0]!.price = '3.55')],
    ['barcode', (p) => void (p.variants[1]!.barcode = '96385074')],
    ['weight', (p) => void (p.variants[0]!.weight = '1000')],
    ['image', (p) => void (p.images[0]!.url = 'https://cdn.example.com/milk-2.jpg')],
    ['store attribute', (p) => void (p.storeAttributes[0]!.value = '5')],
    ['variant order', (p) => void p.variants.reverse()],
  ])('changes when the %s changes', (_what, edit) => {
    const edited = sampleProduct();
    edit(edited);
    expect(contentHash(toProductSetInput(edited))).not.toBe(contentHash(toProductSetInput(sampleProduct())));
  });
});
