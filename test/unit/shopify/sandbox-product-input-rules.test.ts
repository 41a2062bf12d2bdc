import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShopifySandbox, type ShopifySandbox } from '../../../sandbox/shopify';
import { rawAdmin } from '../../support/sandbox-client';

// Each rule below quotes the 2026-10 schema (admin_2026-10.json.gz) description it follows; the error codes are
// ProductSetUserErrorCode values, whose descriptions are quoted too.
const SET = `mutation Set($identifier: ProductSetIdentifiers, $input: ProductSetInput!) {
  productSet(identifier: $identifier, input: $input, synchronous: true) {
    product { id variants(first: 50) { nodes { id sku inventoryItem { id } } } }
    userErrors { field message code }
  }
}`;
const DEFINE = `mutation { metafieldDefinitionCreate(definition: { name: "PIM id", namespace: "backbone", key: "pim_id", type: "single_line_text_field", ownerType: PRODUCT, capabilities: { uniqueValues: { enabled: true } } }) { userErrors { code } } }`;

const product = (title: string, sizes = ['1 L'], extra: Record<string, unknown> = {}) => ({
  title,
  productOptions: [{ name: 'Size', values: sizes.map((name) => ({ name })) }],
  variants: sizes.map((size, i) => ({
    sku: `${title}-${i}`,
    price: '1.00',
    optionValues: [{ optionName: 'Size', name: size }],
  })),
  ...extra,
});
const metafield = (namespace: string, key: string) => ({ namespace, key, type: 'json', value: '{"aisle":"4"}' });

describe('sandbox: productSet input rules from the 2026-10 schema', () => {
  let sb: ShopifySandbox;
  let gql: ReturnType<typeof rawAdmin>;
  beforeAll(async () => {
    sb = await startShopifySandbox({ plan: 'plus' });
    gql = rawAdmin(sb);
    await gql(DEFINE);
  });
  afterAll(() => sb.close());

  const errorsOf = async (variables: Record<string, unknown>) => {
    const { json } = await gql(SET, variables);
    return json.data.productSet as { product: unknown; userErrors: { field: string[]; code: string }[] };
  };

  it('MetafieldInput.key: "Must be 2-64 characters long and can contain alphanumeric, hyphen, and underscore characters."', async () => {
    const before = sb.state.products.size;
    for (const key of ['c', 'x'.repeat(65), 'store c', 'store.c']) {
      const r = await errorsOf({
        input: product(`Key ${key.length}`, ['1 L'], { metafields: [metafield('store_attributes', key)] }),
      });
      expect(r.product).toBeNull();
      expect(r.userErrors).toContainEqual(
        expect.objectContaining({ field: ['input', 'metafields', '0', 'key'], code: 'INVALID_METAFIELD' }),
      );
    }
    expect(sb.state.products.size).toBe(before); // nothing applied
    for (const key of ['ab', 'store_c', 'x'.repeat(64), 'a-b_C9'])
      expect(
        (await errorsOf({ input: product(`Ok ${key}`, ['1 L'], { metafields: [metafield('store_attributes', key)] }) }))
          .userErrors,
      ).toEqual([]);
  });

  it('MetafieldInput.namespace: "Must be 3-255 characters long and can contain alphanumeric, hyphen, and underscore characters."', async () => {
    for (const namespace of ['st', 'n'.repeat(256), 'store attrs']) {
      const r = await errorsOf({
        input: product(`Ns ${namespace.length}`, ['1 L'], { metafields: [metafield(namespace, 'aisle')] }),
      });
      expect(r.userErrors).toContainEqual(
        expect.objectContaining({ field: ['input', 'metafields', '0', 'namespace'], code: 'INVALID_METAFIELD' }),
      );
    }
    expect(
      (await errorsOf({ input: product('Ns ok', ['1 L'], { metafields: [metafield('sto', 'aisle')] }) })).userErrors,
    ).toEqual([]);
  });

  it('MetafieldInput key rules hold for variant metafields too (ProductVariantSetInput.metafields is a [MetafieldInput!])', async () => {
    const input = product('Variant mf');
    (input.variants[0] as Record<string, unknown>).metafields = [metafield('custom', 'c')];
    const r = await errorsOf({ input });
    expect(r.userErrors).toContainEqual(
      expect.objectContaining({
        field: ['input', 'variants', '0', 'metafields', '0', 'key'],
        code: 'INVALID_METAFIELD',
      }),
    );
  });

  it('MetafieldInput.type: "Required when creating or updating a metafield without a definition."', async () => {
    const r = await errorsOf({
      input: product('No type', ['1 L'], { metafields: [{ namespace: 'custom', key: 'aisle', value: '4' }] }),
    });
    expect(r.userErrors).toContainEqual(
      expect.objectContaining({ field: ['input', 'metafields', '0', 'type'], code: 'INVALID_METAFIELD' }),
    );
  });

  it('METAFIELD_MISMATCH: "The input argument `metafields` (if present) must contain the `customId` value."', async () => {
    const identifier = { customId: { namespace: 'backbone', key: 'pim_id', value: '77' } };
    const missing = await errorsOf({
      identifier,
      input: product('Custom', ['1 L'], { metafields: [metafield('custom', 'aisle')] }),
    });
    expect(missing.userErrors.map((e) => e.code)).toEqual(['METAFIELD_MISMATCH']);
    const other = { namespace: 'backbone', key: 'pim_id', type: 'single_line_text_field', value: '78' };
    const mismatch = await errorsOf({ identifier, input: product('Custom', ['1 L'], { metafields: [other] }) });
    // INPUT_MISMATCH: "The identifier value does not match the value of the corresponding field in the input."
    expect(mismatch.userErrors.map((e) => e.code)).toEqual(['INPUT_MISMATCH']);
  });

  it('ID_NOT_ALLOWED: "The id field is not allowed if identifier is provided."', async () => {
    const r = await errorsOf({
      identifier: { handle: 'x-handle' },
      input: { ...product('Id'), id: 'gid://shopify/Product/1' },
    });
    expect(r.userErrors.map((e) => e.code)).toContain('ID_NOT_ALLOWED');
  });

  it('ProductSetInput.handle: "A handle can contain letters, hyphens (`-`), and numbers, but no spaces."', async () => {
    const r = await errorsOf({ input: product('Spaced', ['1 L'], { handle: 'fresh milk' }) });
    expect(r.userErrors).toContainEqual(expect.objectContaining({ field: ['input', 'handle'], code: 'INVALID_INPUT' }));
  });

  it('PRODUCT_OPTIONS_INPUT_MISSING: "Must specify product options when updating variants." and VARIANTS_INPUT_MISSING: "Must specify variants when updating options."', async () => {
    const { productOptions, variants, ...rest } = product('Opts');
    expect((await errorsOf({ input: { ...rest, variants } })).userErrors.map((e) => e.code)).toContain(
      'PRODUCT_OPTIONS_INPUT_MISSING',
    );
    expect((await errorsOf({ input: { ...rest, productOptions } })).userErrors.map((e) => e.code)).toContain(
      'VARIANTS_INPUT_MISSING',
    );
  });

  it('OPTION_VALUES_MISSING: "Each option must have at least one option value specified."; DUPLICATED_OPTION_NAME; DUPLICATED_OPTION_VALUE', async () => {
    const base = product('Values');
    const empty = await errorsOf({ input: { ...base, productOptions: [{ name: 'Size', values: [] }] } });
    expect(empty.userErrors.map((e) => e.code)).toContain('OPTION_VALUES_MISSING');
    const twice = await errorsOf({
      input: { ...base, productOptions: [...base.productOptions, { name: 'Size', values: [{ name: '1 L' }] }] },
    });
    expect(twice.userErrors.map((e) => e.code)).toContain('DUPLICATED_OPTION_NAME');
    const dupValue = await errorsOf({
      input: { ...base, productOptions: [{ name: 'Size', values: [{ name: '1 L' }, { name: '1 L' }] }] },
    });
    expect(dupValue.userErrors.map((e) => e.code)).toContain('DUPLICATED_OPTION_VALUE');
  });

  it('OPTION_DOES_NOT_EXIST: "Option does not exist." / OPTION_VALUE_DOES_NOT_EXIST: "Option value does not exist."', async () => {
    const base = product('Refs');
    const badOption = await errorsOf({
      input: { ...base, variants: [{ ...base.variants[0], optionValues: [{ optionName: 'Colour', name: '1 L' }] }] },
    });
    expect(badOption.userErrors.map((e) => e.code)).toContain('OPTION_DOES_NOT_EXIST');
    const badValue = await errorsOf({
      input: { ...base, variants: [{ ...base.variants[0], optionValues: [{ optionName: 'Size', name: '9 L' }] }] },
    });
    expect(badValue.userErrors.map((e) => e.code)).toContain('OPTION_VALUE_DOES_NOT_EXIST');
  });

  it('ProductVariantSetInput.position: "The first position in the list is 1."', async () => {
    const base = product('Pos');
    const r = await errorsOf({ input: { ...base, variants: [{ ...base.variants[0], position: 0 }] } });
    expect(r.userErrors).toContainEqual(
      expect.objectContaining({ field: ['input', 'variants', '0', 'position'], code: 'INVALID_VARIANT' }),
    );
  });

  it('ProductVariantSetInput.id: "Specifies the product variant to update or create a new variant if absent."', async () => {
    const identifier = { handle: 'identity-milk' };
    const first = await errorsOf({
      identifier,
      input: product('Identity', ['1 L', '2 L'], { handle: 'identity-milk' }),
    });
    const created = (first.product as { variants: { nodes: { id: string; inventoryItem: { id: string } }[] } }).variants
      .nodes;
    // Without ids: new variants and new inventory items, the old ones deleted.
    const again = await errorsOf({
      identifier,
      input: product('Identity', ['1 L', '2 L'], { handle: 'identity-milk' }),
    });
    const recreated = (again.product as typeof first.product & { variants: { nodes: typeof created } }).variants.nodes;
    expect(recreated.map((v) => v.id)).not.toContain(created[0]!.id);
    expect(sb.state.inventoryItems.has(created[0]!.inventoryItem.id)).toBe(false);
    // With ids: the same variants and inventory items.
    const withIds = product('Identity renamed', ['1 L', '2 L'], { handle: 'identity-milk' });
    withIds.variants.forEach((v, i) => Object.assign(v, { id: recreated[i]!.id }));
    const kept = await errorsOf({ identifier, input: withIds });
    const ids = (nodes: typeof created) => nodes.map((v) => [v.id, v.inventoryItem.id]);
    expect(ids((kept.product as { variants: { nodes: typeof created } }).variants.nodes)).toEqual(ids(recreated));
    // An id that is not one of the product's variants: PRODUCT_VARIANT_DOES_NOT_EXIST ("Product variant does not exist.")
    Object.assign(withIds.variants[0]!, { id: 'gid://shopify/ProductVariant/1' });
    expect((await errorsOf({ identifier, input: withIds })).userErrors.map((e) => e.code)).toEqual([
      'PRODUCT_VARIANT_DOES_NOT_EXIST',
    ]);
  });
});
