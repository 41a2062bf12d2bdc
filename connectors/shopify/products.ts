import type { ShopifyClient } from './client';
import {
  LOCATIONS,
  METAFIELD_DEFINITION_CREATE,
  PRODUCT_ARCHIVE,
  PRODUCT_BY_IDENTIFIER,
  PRODUCT_SET,
  type ProductSetVariables,
  type ProductSnapshot,
} from './documents';
import { ShopifyUserError } from './errors';
import { paginate } from './paginate';

/** Where the PIM id lives on a Shopify product: a metafield with unique values, used as productSet's customId. */
export const PIM_ID_METAFIELD = { namespace: 'backbone', key: 'pim_id' } as const;

export const customIdentifier = (pimId: string | number) => ({
  customId: { ...PIM_ID_METAFIELD, value: String(pimId) },
});

/** Upserts a product (productSet is create-or-replace by identifier); throws ShopifyUserError on rejected input. */
export async function productSet(
  client: ShopifyClient,
  input: Record<string, unknown>,
  identifier: ProductSetVariables['identifier'],
): Promise<ProductSnapshot> {
  const payload = await client.mutate(PRODUCT_SET, { identifier, input }, 'productSet');
  if (!payload.product)
    throw new ShopifyUserError('productSet', [
      { field: null, message: 'no product returned', code: 'INVALID_PRODUCT' },
    ]);
  return payload.product;
}

/** Creates the unique metafield definition customId upserts need; an existing one counts as success. */
export async function ensureCustomIdDefinition(client: ShopifyClient): Promise<void> {
  try {
    await client.mutate(
      METAFIELD_DEFINITION_CREATE,
      { ...PIM_ID_METAFIELD, name: 'PIM product id' },
      'metafieldDefinitionCreate',
    );
  } catch (err) {
    if (!(err instanceof ShopifyUserError && err.codes.includes('TAKEN'))) throw err;
  }
}

export async function productByCustomId(
  client: ShopifyClient,
  pimId: string | number,
): Promise<ProductSnapshot | null> {
  return (await client.request(PRODUCT_BY_IDENTIFIER, { identifier: customIdentifier(pimId) })).productByIdentifier;
}

export async function productByHandle(client: ShopifyClient, handle: string): Promise<ProductSnapshot | null> {
  return (await client.request(PRODUCT_BY_IDENTIFIER, { identifier: { handle } })).productByIdentifier;
}

export async function archiveProduct(client: ShopifyClient, id: string): Promise<void> {
  await client.mutate(PRODUCT_ARCHIVE, { id }, 'productUpdate');
}

export async function listLocations(client: ShopifyClient): Promise<{ id: string; name: string; isActive: boolean }[]> {
  const out: { id: string; name: string; isActive: boolean }[] = [];
  for await (const page of paginate(client, LOCATIONS, { first: 50 }, (d) => d.locations)) out.push(...page);
  return out;
}
