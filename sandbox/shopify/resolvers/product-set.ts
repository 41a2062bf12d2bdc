import { nowIso, type ShopState, type SbProduct, type SbVariant } from '../state';
import { inventoryItemOf, newProduct } from '../catalog-objects';
import { productView } from '../views';
import type { WebhookDispatcher } from '../webhooks';
import { productPayload } from './product-payload';
import { productSetRuleErrors } from './product-set-rules';

export type Input = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
export type Identifier = {
  id?: string;
  handle?: string;
  customId?: { namespace?: string; key: string; value: string };
};
const userError = (field: string[], message: string, code: string) => ({ field, message, code });

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '') || 'product';

/** productSet's semantics: upsert by identifier, list fields given in the input replace the product's lists. */
export function productSetter(s: ShopState, hooks: WebhookDispatcher) {
  const findByIdentifier = (identifier: Identifier): SbProduct | undefined =>
    identifier.id
      ? s.products.get(identifier.id)
      : identifier.handle
        ? s.productByHandle(identifier.handle)
        : identifier.customId
          ? s.productByMetafield(
              identifier.customId.namespace ?? '$app',
              identifier.customId.key,
              identifier.customId.value,
            )
          : undefined;

  function applyProductSet({ identifier, input }: { identifier?: Identifier; input: Input }) {
    const errors: ReturnType<typeof userError>[] = [];
    const variantsIn: Input[] = input.variants ?? [];
    if (variantsIn.length > 2048)
      errors.push(userError(['input', 'variants'], 'Exceeded the maximum of 2048 variants.', 'VARIANTS_OVER_LIMIT'));
    if ((input.productOptions ?? []).length > 3)
      errors.push(
        userError(['input', 'productOptions'], 'Options count is over the allowed limit of 3.', 'OPTIONS_OVER_LIMIT'),
      );
    if (identifier?.customId) {
      const c = identifier.customId;
      const def = s.metafieldDefinitions.get(`${c.namespace ?? '$app'}.${c.key}`);
      if (!def?.unique)
        errors.push(
          userError(
            ['identifier', 'customId'],
            'The metafield definition does not exist or does not have the unique values capability.',
            'INVALID_INPUT',
          ),
        );
    }
    let existing = identifier ? findByIdentifier(identifier) : undefined;
    if (identifier?.id && !existing)
      errors.push(userError(['identifier', 'id'], 'Product does not exist', 'PRODUCT_DOES_NOT_EXIST'));
    if (!existing && !input.title) errors.push(userError(['input', 'title'], "Title can't be blank", 'INVALID_INPUT'));
    if (input.handle) {
      const owner = s.productByHandle(input.handle);
      if (owner && owner !== existing)
        errors.push(
          userError(
            ['input', 'handle'],
            `Handle '${input.handle}' already in use. Please provide a new handle.`,
            'HANDLE_NOT_UNIQUE',
          ),
        );
    }
    for (const [i, v] of variantsIn.entries())
      if (v.price != null && !/^-?\d+(\.\d+)?$/.test(String(v.price)))
        errors.push(userError(['input', 'variants', String(i), 'price'], 'Price is invalid', 'INVALID_VARIANT'));
    errors.push(
      ...productSetRuleErrors(identifier, input, existing, (ns, key) => s.metafieldDefinitions.has(`${ns}.${key}`)),
    );
    const metafieldsIn: Input[] = [...(input.metafields ?? [])];
    if (
      identifier?.customId &&
      !metafieldsIn.some((m) => m.key === identifier.customId!.key && m.namespace === identifier.customId!.namespace)
    )
      metafieldsIn.push({
        namespace: identifier.customId.namespace,
        key: identifier.customId.key,
        value: identifier.customId.value,
        type: 'single_line_text_field',
      });
    for (const m of metafieldsIn) {
      const def = s.metafieldDefinitions.get(`${m.namespace}.${m.key}`);
      const owner = def?.unique ? s.productByMetafield(m.namespace, m.key, String(m.value)) : undefined;
      if (owner && owner !== existing)
        errors.push(
          userError(
            ['input', 'metafields'],
            `Value is already in use by another product (${m.namespace}.${m.key}).`,
            'DUPLICATED_METAFIELD_VALUE',
          ),
        );
    }
    if (errors.length) return { product: null, productSetOperation: null, userErrors: errors };

    const now = nowIso();
    const product: SbProduct = existing ?? newProduct(s, {}, now);
    const before = existing ? { handle: product.handle, metafields: product.metafields } : undefined;
    if (!existing) {
      product.handle = input.handle ?? s.freeHandle(slug(input.title));
      s.products.set(product.id, product);
      existing = product;
    } else if (input.handle) product.handle = input.handle;
    for (const k of ['title', 'descriptionHtml', 'vendor', 'productType', 'status'] as const)
      if (input[k] != null) (product as Input)[k] = input[k];
    if (input.tags) product.tags = [...input.tags];
    if (input.productOptions)
      product.options = input.productOptions.map((o: Input, i: number) => ({
        id: product.options.find((x) => x.name === o.name)?.id ?? s.gid('ProductOption'),
        name: o.name,
        position: o.position ?? i + 1,
        values: (o.values ?? []).map((v: Input) => v.name),
      }));
    if (input.variants) product.variants = replaceVariants(product, variantsIn);
    if (input.metafields || identifier?.customId)
      product.metafields = metafieldsIn.map((m) => ({
        id: product.metafields.find((x) => x.namespace === m.namespace && x.key === m.key)?.id ?? s.gid('Metafield'),
        namespace: m.namespace ?? '$app',
        key: m.key,
        value: String(m.value),
        type: m.type ?? 'single_line_text_field',
      }));
    if (input.files)
      product.files = input.files.map((f: Input) => ({ originalSource: f.originalSource, alt: f.alt ?? null }));
    product.updatedAt = now;
    s.index(product, before);
    hooks.emit('PRODUCTS_UPDATE', () => productPayload(product));
    return { product: productView(product, s), productSetOperation: null, userErrors: [] };
  }

  // List semantics of productSet: the given variants are the product's variants afterwards. ProductVariantSetInput.id
  // "Specifies the product variant to update or create a new variant if absent": a variant given without id is a new
  // variant with a new inventory item, even if an existing one has the same option values (which is deleted, with
  // its inventory item and stock).
  function replaceVariants(product: SbProduct, variantsIn: Input[]): SbVariant[] {
    const next = variantsIn.map((v, i) => {
      const optionValues = (v.optionValues ?? []).map((o: Input) => ({
        name: o.optionName ?? '',
        value: o.name ?? '',
      }));
      const prior = v.id ? product.variants.find((x) => x.id === v.id) : undefined;
      const variant: SbVariant = {
        id: prior?.id ?? s.gid('ProductVariant'),
        sku: v.sku ?? v.inventoryItem?.sku ?? prior?.sku ?? null,
        barcode: v.barcode ?? null,
        price: v.price != null ? Number(v.price).toFixed(2) : (prior?.price ?? '0.00'),
        compareAtPrice: v.compareAtPrice != null ? Number(v.compareAtPrice).toFixed(2) : null,
        position: v.position ?? i + 1,
        optionValues,
        inventoryItemId: prior?.inventoryItemId ?? s.gid('InventoryItem'),
        metafields: [],
      };
      const item = inventoryItemOf(s, variant);
      if (v.inventoryItem?.tracked != null) item.tracked = v.inventoryItem.tracked;
      if (v.inventoryItem?.measurement?.weight) item.weight = { ...v.inventoryItem.measurement.weight };
      return variant;
    });
    const kept = new Set(next.map((v) => v.inventoryItemId));
    for (const old of product.variants)
      if (!kept.has(old.inventoryItemId)) s.inventoryItems.delete(old.inventoryItemId);
    return next;
  }

  return { findByIdentifier, applyProductSet };
}
