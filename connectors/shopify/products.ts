import type { ShopifyClient } from './client';
import {
  LOCATIONS,
  METAFIELD_DEFINITION_CREATE,
  PRODUCT_ARCHIVE,
  PRODUCT_BY_IDENTIFIER,
  PRODUCT_SET,
  PRODUCT_VARIANTS_PAGE,
  MAX_PAGE,
  type ProductSetInput,
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

/**
 * Upserts a product with `synchronous: true` (productSet creates or replaces by identifier; list fields it is
 * given replace what Shopify holds). Throws ShopifyUserError on rejected input (e.g. HANDLE_NOT_UNIQUE).
 */
export async function productSet(
  client: ShopifyClient,
  input: ProductSetInput,
  identifier: ProductSetVariables['identifier'],
): Promise<ProductSnapshot> {
  // As many variants as the input has, up to a page: the request costs what the product needs.
  const variantsFirst = Math.min(MAX_PAGE, Math.max(1, input.variants?.length ?? 1));
  const payload = await client.mutate(PRODUCT_SET, { identifier, input, variantsFirst }, 'productSet');
  if (!payload.product)
    throw new ShopifyUserError('productSet', [
      { field: null, message: 'no product returned', code: 'INVALID_PRODUCT' },
    ]);
  return withAllVariants(client, payload.product);
}

/**
 * The product with every variant: pages after the ones it holds while `pageInfo.hasNextPage` (a product has up to
 * 2,048 variants, a page at most 250), so no variant beyond the first page loses its mapping or its stock.
 */
export async function withAllVariants<
  T extends { id: string; variants: { nodes: V[]; pageInfo?: { hasNextPage: boolean; endCursor: string | null } } },
  V = T['variants']['nodes'][number],
>(client: ShopifyClient, product: T): Promise<T> {
  const nodes = [...product.variants.nodes];
  let pageInfo = product.variants.pageInfo;
  while (pageInfo?.hasNextPage) {
    const page = (
      await client.request(PRODUCT_VARIANTS_PAGE, { id: product.id, first: MAX_PAGE, after: pageInfo.endCursor })
    ).product?.variants;
    if (!page) break; // the product is gone since: what was read is all there is
    nodes.push(...(page.nodes as V[]));
    pageInfo = page.pageInfo;
  }
  return { ...product, variants: { ...product.variants, nodes, pageInfo: { hasNextPage: false, endCursor: null } } };
}

/**
 * Creates the unique-valued product metafield definition that productSet's customId identifier needs
 * (namespace 'backbone', key 'pim_id' by default). Idempotent: a definition that already exists (TAKEN) is success.
 */
export async function ensureCustomIdDefinition(
  client: ShopifyClient,
  { namespace = PIM_ID_METAFIELD.namespace, key = PIM_ID_METAFIELD.key, name = 'PIM product id' } = {},
): Promise<void> {
  try {
    await client.mutate(METAFIELD_DEFINITION_CREATE, { namespace, key, name }, 'metafieldDefinitionCreate');
  } catch (err) {
    if (!(err instanceof ShopifyUserError && err.codes.includes('TAKEN'))) throw err;
  }
}

export async function productByCustomId(
  client: ShopifyClient,
  pimId: string | number,
): Promise<ProductSnapshot | null> {
  const p = (
    await client.request(PRODUCT_BY_IDENTIFIER, { identifier: customIdentifier(pimId), variantsFirst: MAX_PAGE })
  ).productByIdentifier;
  return p && withAllVariants(client, p);
}

export async function productByHandle(client: ShopifyClient, handle: string): Promise<ProductSnapshot | null> {
  const p = (await client.request(PRODUCT_BY_IDENTIFIER, { identifier: { handle }, variantsFirst: MAX_PAGE }))
    .productByIdentifier;
  return p && withAllVariants(client, p);
}

export async function archiveProduct(client: ShopifyClient, id: string): Promise<void> {
  await client.mutate(PRODUCT_ARCHIVE, { id }, 'productUpdate');
}

export async function listLocations(
  client: ShopifyClient,
): Promise<{ id: string; name: string; isActive: boolean; address1: string | null }[]> {
  const out: { id: string; name: string; isActive: boolean; address1: string | null }[] = [];
  for await (const page of paginate(client, LOCATIONS, { first: 50 }, (d) => d.locations))
    out.push(...page.map(({ address, ...l }) => ({ ...l, address1: address?.address1 ?? null })));
  return out;
}
