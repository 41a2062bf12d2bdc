// `npx tsx scripts/shopify-input-constraints.ts`: lists every input field our product documents send (a productSet
// input built from a sample PIM product, walked against the real 2026-10 schema) with the sentences of its
// description that state a constraint, so the sandbox's rules (sandbox/shopify/resolvers/product-set-rules.ts)
// can be checked against the schema.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { buildClientSchema, getNamedType, isInputObjectType, type GraphQLInputObjectType } from 'graphql';
import { toProductSetInput, withVariantIds } from '../domain/catalog/shopify-product';

const file = path.resolve(import.meta.dirname, '../../shared/shopify/admin_2026-10.json.gz');
const intro = JSON.parse(zlib.gunzipSync(fs.readFileSync(file)).toString());
const schema = buildClientSchema(intro.data ?? intro);
const CONSTRAINT =
  /maximum|minimum|characters|must|limit|exceed|at most|at least|required|only|between|no spaces|first position/i;

const sample = toProductSetInput({
  id: 1,
  handle: 'sample',
  title: 'Sample',
  descriptionHtml: '<p>x</p>',
  vendor: 'V',
  subDepartment: { code: 'D', name: 'Dairy' },
  tags: ['t'],
  options: ['Size'],
  status: 'ACTIVE',
  variants: [
    {
      sku: 'S',
      barcode: '4006381333931',
      optionValues: ['1 L'],
      price: '1.00',
      compareAtPrice: '2.00',
      weight: '1',
      weightUnit: 'GRAMS',
    },
  ],
  images: [{ url: 'https://cdn.example.com/x.jpg', alt: 'x' }],
  storeAttributes: [{ storeCode: 'C', key: 'aisle', value: '1' }],
});
const input = withVariantIds(sample, { S: { variantId: 'gid://shopify/ProductVariant/1' } });

function walk(value: unknown, type: GraphQLInputObjectType, at: string): void {
  for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
    const field = type.getFields()[name];
    if (!field || v === undefined) continue;
    const sentences = (field.description ?? '')
      .replace(/\s+/g, ' ')
      .split(/(?<=\.)\s+/)
      .filter((s) => CONSTRAINT.test(s));
    console.log(`${at}.${name}: ${String(field.type)}${sentences.length ? `\n    ${sentences.join('\n    ')}` : ''}`);
    const named = getNamedType(field.type);
    if (isInputObjectType(named))
      for (const item of Array.isArray(v) ? v.slice(0, 1) : [v]) walk(item, named, `${at}.${name}`);
  }
}

const productSet = schema.getMutationType()!.getFields().productSet!;
console.log(`productSet: ${productSet.description?.match(/[^.]*limit[^.]*\./i)?.[0]?.trim() ?? ''}`);
walk(input, schema.getType('ProductSetInput') as GraphQLInputObjectType, 'ProductSetInput');
walk(
  { customId: { namespace: 'backbone', key: 'pim_id', value: '1' } },
  schema.getType('ProductSetIdentifiers') as GraphQLInputObjectType,
  'ProductSetIdentifiers',
);
