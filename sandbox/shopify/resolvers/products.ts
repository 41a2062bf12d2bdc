import { connection, type ConnectionArgs, type SandboxContext } from '../connection';
import { searchFilter } from '../search';
import { nowIso, numericId, type ShopState, type SbProduct } from '../state';
import { inventoryItemView, locationView, productView, variantView } from '../views';
import type { WebhookDispatcher } from '../webhooks';
import { productPayload } from './product-payload';
import { productSetter, type Identifier, type Input } from './product-set';

export function productResolvers(s: ShopState, hooks: WebhookDispatcher) {
  const { findByIdentifier, applyProductSet } = productSetter(s, hooks);

  // synchronous: false (Shopify's asynchronous mode) answers with the operation, not the product; the sandbox
  // completes the work at once, so the operation is already COMPLETE.
  function productSet(args: { identifier?: Identifier; input: Input; synchronous?: boolean }) {
    const result = applyProductSet(args);
    if (args.synchronous !== false) return result;
    return {
      product: null,
      productSetOperation: {
        id: s.gid('ProductSetOperation'),
        status: 'COMPLETE',
        product: result.product,
        userErrors: result.userErrors,
      },
      userErrors: [],
    };
  }

  return {
    query: {
      product: ({ id }: { id: string }) => {
        const p = s.products.get(id);
        return p ? productView(p, s) : null;
      },
      productByIdentifier: ({ identifier }: { identifier: Identifier }) => {
        const p = findByIdentifier(identifier);
        return p ? productView(p, s) : null;
      },
      products: (a: ConnectionArgs & { query?: string; sortKey?: string }, ctx: SandboxContext) => {
        const list = [...s.products.values()].filter(productFilter(a.query));
        const key = SORT[a.sortKey ?? 'ID'] ?? SORT.ID!;
        list.sort((x, y) => key(x).localeCompare(key(y)) || numericId(x.id) - numericId(y.id));
        return connection(
          list.map((p) => productView(p, s)),
          a,
          ctx,
        );
      },
      locations: (a: ConnectionArgs, ctx: SandboxContext) =>
        connection(
          [...s.locations.values()].map((l) => locationView(l, s)),
          a,
          ctx,
        ),
      // QueryRoot.location(id:): "If no ID is provided, the primary location of the Shop is returned."
      location: ({ id }: { id?: string }) => {
        const l = id ? s.locations.get(id) : [...s.locations.values()][0];
        return l ? locationView(l, s) : null;
      },
      productVariant: ({ id }: { id: string }) => {
        const hit = s.variant(id);
        return hit ? variantView(hit.variant, hit.product, s) : null;
      },
      inventoryItem: ({ id }: { id: string }) => {
        const item = s.inventoryItems.get(id);
        return item ? inventoryItemView(item, s) : null;
      },
    },
    mutation: {
      productSet,
      productUpdate: ({ product: input }: { product?: Input }) => {
        const p = input?.id ? s.products.get(input.id) : undefined;
        if (!p) return { product: null, userErrors: [{ field: ['id'], message: 'Product does not exist' }] };
        const before = { handle: p.handle, metafields: p.metafields };
        for (const k of ['title', 'descriptionHtml', 'vendor', 'productType', 'status', 'handle'] as const)
          if (input![k] != null) (p as Input)[k] = input![k];
        if (input!.tags) p.tags = [...input!.tags];
        p.updatedAt = nowIso();
        s.index(p, before);
        hooks.emit('PRODUCTS_UPDATE', () => productPayload(p));
        return { product: productView(p, s), userErrors: [] };
      },
      metafieldDefinitionCreate: ({ definition: d }: { definition: Input }) => {
        const key = `${d.namespace ?? '$app'}.${d.key}`;
        if (s.metafieldDefinitions.has(key))
          return {
            createdDefinition: null,
            userErrors: [
              {
                field: ['definition', 'key'],
                message: "Key is in use for Product metafields on the '" + (d.namespace ?? '$app') + "' namespace.",
                code: 'TAKEN',
              },
            ],
          };
        const def = {
          id: s.gid('MetafieldDefinition'),
          namespace: d.namespace ?? '$app',
          key: d.key,
          name: d.name,
          type: d.type,
          unique: Boolean(d.capabilities?.uniqueValues?.enabled),
        };
        s.metafieldDefinitions.set(key, def);
        return { createdDefinition: { ...def, type: { name: def.type } }, userErrors: [] };
      },
    },
  };
}

const SORT: Record<string, (p: SbProduct) => string> = {
  ID: () => '',
  TITLE: (p) => p.title.toLowerCase(),
  UPDATED_AT: (p) => p.updatedAt,
  CREATED_AT: (p) => p.createdAt,
};

const productFilter = (query: string | undefined) =>
  searchFilter<SbProduct>(query, {
    updated_at: (p) => p.updatedAt,
    created_at: (p) => p.createdAt,
    id: (p) => numericId(p.id),
    status: (p) => p.status,
    handle: (p) => p.handle,
    title: (p) => p.title,
    vendor: (p) => p.vendor,
    product_type: (p) => p.productType,
    tag: (p) => p.tags,
    sku: (p) => p.variants.map((v) => v.sku),
  });
