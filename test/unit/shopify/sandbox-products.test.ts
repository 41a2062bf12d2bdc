import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShopifySandbox, type ShopifySandbox } from '../../../sandbox/shopify';
import { rawAdmin } from '../../support/sandbox-client';

const SET = `mutation Set($identifier: ProductSetIdentifiers, $input: ProductSetInput!) {
  productSet(identifier: $identifier, input: $input, synchronous: true) {
    product { id handle title variants(first: 10) { nodes { id sku price inventoryItem { id } } } }
    userErrors { field message code }
  }
}`;
const DEFINE = `mutation { metafieldDefinitionCreate(definition: { name: "PIM id", namespace: "backbone", key: "pim_id", type: "single_line_text_field", ownerType: PRODUCT, capabilities: { uniqueValues: { enabled: true } } }) { createdDefinition { id } userErrors { code message } } }`;

const input = (title: string, skus: string[]) => ({
  title,
  productOptions: [{ name: 'Size', values: skus.map((s) => ({ name: s })) }],
  variants: skus.map((sku, i) => ({ sku, price: `${i + 1}.50`, optionValues: [{ optionName: 'Size', name: sku }] })),
});

describe('sandbox: products', () => {
  let sb: ShopifySandbox;
  let gql: ReturnType<typeof rawAdmin>;
  beforeAll(async () => {
    sb = await startShopifySandbox({ plan: 'plus' });
    gql = rawAdmin(sb);
  });
  afterAll(() => sb.close());

  it('rejects a wrong access token with 401 like Shopify', async () => {
    const { status, json } = await rawAdmin(sb, 'shpat_wrong')('{ shop { name } }');
    expect(status).toBe(401);
    expect(json.errors).toMatch(/Invalid API key or access token/);
  });

  it('requires the unique metafield definition before customId upserts', async () => {
    const { json } = await gql(SET, {
      identifier: { customId: { namespace: 'backbone', key: 'pim_id', value: '1' } },
      input: input('Milk', ['A']),
    });
    expect(json.data.productSet.userErrors[0].code).toBe('INVALID_INPUT');
    const defined = await gql(DEFINE);
    expect(defined.json.data.metafieldDefinitionCreate.userErrors).toEqual([]);
    const again = await gql(DEFINE);
    expect(again.json.data.metafieldDefinitionCreate.userErrors[0].code).toBe('TAKEN');
  });

  it('upserts by customId: the same identifier twice gives one product, list fields replaced', async () => {
    const identifier = { customId: { namespace: 'backbone', key: 'pim_id', value: '42' } };
    const first = await gql(SET, { identifier, input: input('Bajan Milk', ['M-1', 'M-2']) });
    expect(first.json.data.productSet.userErrors).toEqual([]);
    const second = await gql(SET, { identifier, input: input('Bajan Milk 2', ['M-2', 'M-3']) });
    const p1 = first.json.data.productSet.product;
    const p2 = second.json.data.productSet.product;
    expect(p2.id).toBe(p1.id);
    expect(p2.title).toBe('Bajan Milk 2');
    expect(p2.variants.nodes.map((v: { sku: string }) => v.sku)).toEqual(['M-2', 'M-3']);
    // ProductVariantSetInput.id: "Specifies the product variant to update or create a new variant if absent." Sent
    // without ids, even the variant with the same option values is a new one, with a new inventory item.
    expect(p2.variants.nodes[0].id).not.toBe(p1.variants.nodes[1].id);
    expect(p2.variants.nodes[0].inventoryItem.id).not.toBe(p1.variants.nodes[1].inventoryItem.id);
    const stats = (await (await fetch(`${sb.url}/_sandbox/stats`)).json()) as { products: number };
    expect(stats.products).toBe(1);
    const byId = await gql(`query($i: ProductIdentifierInput!) { productByIdentifier(identifier: $i) { id } }`, {
      i: identifier,
    });
    expect(byId.json.data.productByIdentifier.id).toBe(p1.id);
  });

  it('answers unknown ids and taken handles with Shopify userError codes', async () => {
    const unknown = await gql(SET, { identifier: { id: 'gid://shopify/Product/999999' }, input: input('X', ['X-1']) });
    expect(unknown.json.data.productSet.userErrors[0]).toMatchObject({
      code: 'PRODUCT_DOES_NOT_EXIST',
      field: ['identifier', 'id'],
    });
    await gql(SET, { input: { ...input('Handle Owner', ['H-1']), handle: 'taken-handle' } });
    const clash = await gql(SET, { input: { ...input('Other', ['H-2']), handle: 'taken-handle' } });
    expect(clash.json.data.productSet.userErrors[0].code).toBe('HANDLE_NOT_UNIQUE');
    const tooMany = await gql(SET, {
      input: { title: 'Opts', productOptions: ['a', 'b', 'c', 'd'].map((n) => ({ name: n, values: [{ name: 'x' }] })) },
    });
    expect(tooMany.json.data.productSet.userErrors[0].code).toBe('OPTIONS_OVER_LIMIT');
  });

  it('refuses connections without first/last and reports validation errors', async () => {
    const { json } = await gql('{ products { nodes { id } } }');
    expect(json.errors[0].message).toMatch(/first or last/);
    const invalid = await gql('{ products(first: 1) { nodes { notAField } } }');
    // Worded as Shopify's server (graphql-ruby) words it, not as graphql-js does.
    expect(invalid.json.errors[0]).toMatchObject({
      message: "Field 'notAField' doesn't exist on type 'Product'",
      extensions: { code: 'undefinedField', typeName: 'Product', fieldName: 'notAField' },
    });
    const missing = await gql('{ product { id } }');
    expect(missing.json.errors[0]).toMatchObject({
      message: "Field 'product' is missing required arguments: id",
      extensions: { code: 'missingRequiredArguments' },
    });
  });
});
