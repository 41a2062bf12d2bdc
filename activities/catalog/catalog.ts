import { createHash } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { PimDb } from '../../db/client';
import { channelMappings, syncErrors } from '../../db/pim/schema';
import type { PimProduct, ValidationProblem } from '../../domain/catalog/pim-product';
import { validateProduct } from '../../domain/catalog/product-validation';
import {
  canonicalJson,
  toProductSetInput,
  withVariantIds,
  type KnownVariants,
} from '../../domain/catalog/shopify-product';
import {
  archiveProduct,
  customIdentifier,
  ensureCustomIdDefinition,
  productByCustomId,
  productSet,
  ShopifyUserError,
  type ProductSnapshot,
  type ShopifyClient,
} from '../../connectors/shopify';
import { loadProducts, skuOwners } from './pim-reads';

export const CHANNEL = 'shopify';

export interface PushResult {
  pimId: number;
  /** Missing: not in the PIM and never published; Archived: gone from the PIM, so archived in Shopify now. */
  status: 'Synced' | 'Skipped' | 'Invalid' | 'Missing' | 'Archived';
  hash?: string;
  shopifyId?: string;
  problems?: ValidationProblem[];
  skus?: string[];
}

export const contentHash = (input: Record<string, unknown>) =>
  createHash('sha256').update(canonicalJson(input)).digest('hex');

/** Records (or refreshes) why a product cannot be published on `channel`; it stays open until resolved. */
export async function recordSyncError(
  pim: PimDb,
  pimId: number,
  problems: ValidationProblem[],
  channel = CHANNEL,
): Promise<void> {
  const now = new Date();
  const reason = problems
    .map((p) => `${p.code}: ${p.message}`)
    .join('; ')
    .slice(0, 4000);
  await pim
    .insert(syncErrors)
    .values({
      channel,
      pimProductId: pimId,
      code: problems[0]?.code ?? 'ERROR',
      reason,
      firstSeen: now,
      lastSeen: now,
    })
    .onDuplicateKeyUpdate({
      set: {
        code: sql`values(code)`,
        reason: sql`values(reason)`,
        lastSeen: now,
        occurrences: sql`occurrences + 1`,
        // A product that failed again after being fixed starts a new episode.
        firstSeen: sql`if(resolved_at is null, first_seen, values(first_seen))`,
        resolvedAt: null,
      },
    });
}

export async function writeMapping(
  pim: PimDb,
  pimId: number,
  product: {
    id: string;
    variants: { nodes: Pick<ProductSnapshot['variants']['nodes'][number], 'id' | 'sku' | 'inventoryItem'>[] };
  },
  hash: string,
): Promise<void> {
  const variantIds = Object.fromEntries(
    product.variants.nodes.map((v) => [v.sku ?? v.id, { variantId: v.id, inventoryItemId: v.inventoryItem.id }]),
  );
  const row = {
    channel: CHANNEL,
    pimProductId: pimId,
    externalId: product.id,
    externalVariantIds: variantIds,
    contentHash: hash,
    lastPushedAt: new Date(),
    status: 'SYNCED',
  };
  await pim.insert(channelMappings).values(row).onDuplicateKeyUpdate({ set: row });
  await resolveSyncErrors(pim, pimId);
}

/** Closes the product's open sync error on `channel`, if any: the problem it recorded is gone. */
export async function resolveSyncErrors(pim: PimDb, pimId: number, channel = CHANNEL): Promise<void> {
  await pim
    .update(syncErrors)
    .set({ resolvedAt: new Date() })
    .where(
      and(eq(syncErrors.channel, channel), eq(syncErrors.pimProductId, pimId), sql`${syncErrors.resolvedAt} is null`),
    );
}

export async function mappingHashes(pim: PimDb, ids: number[]): Promise<Map<number, string | null>> {
  if (!ids.length) return new Map();
  const rows = await pim
    .select({ id: channelMappings.pimProductId, hash: channelMappings.contentHash })
    .from(channelMappings)
    .where(and(eq(channelMappings.channel, CHANNEL), inArray(channelMappings.pimProductId, ids)));
  return new Map(rows.map((r) => [r.id, r.hash]));
}

/** The Shopify variant ids the last push recorded for each product, by SKU. */
export async function knownVariants(pim: PimDb, ids: number[]): Promise<Map<number, KnownVariants>> {
  if (!ids.length) return new Map();
  const rows = await pim
    .select({ id: channelMappings.pimProductId, variants: channelMappings.externalVariantIds })
    .from(channelMappings)
    .where(and(eq(channelMappings.channel, CHANNEL), inArray(channelMappings.pimProductId, ids)));
  return new Map(rows.map((r) => [r.id, (r.variants ?? {}) as KnownVariants]));
}

/** Validates a product and builds its Shopify input and hash; `problems` non-empty means it must not be sent. */
export interface Prepared {
  product: PimProduct | null;
  input?: Record<string, unknown>;
  hash?: string;
  problems: ValidationProblem[];
}

export async function prepareProducts(pim: PimDb, ids: number[]): Promise<Map<number, Prepared>> {
  const loaded = await loadProducts(pim, ids);
  const owners = await skuOwners(
    pim,
    [...loaded.values()].flatMap((p) => p.variants.map((v) => v.sku)),
  );
  return new Map<number, Prepared>(
    ids.map((id): [number, Prepared] => {
      const product = loaded.get(id) ?? null;
      if (!product) return [id, { product, problems: [] }];
      const problems = validateProduct(product, owners);
      if (problems.length) return [id, { product, problems }];
      const input = toProductSetInput(product);
      return [id, { product, input, hash: contentHash(input), problems }];
    }),
  );
}

/** Shopify-side catalogue activities: validate, diff by content hash, upsert by customId, record the mapping. */
export function createCatalogActivities(deps: { pim: PimDb; shopify: ShopifyClient }) {
  let definitionReady: Promise<void> | undefined;
  const ensureDefinition = () =>
    (definitionReady ??= ensureCustomIdDefinition(deps.shopify).catch((err: unknown) => {
      definitionReady = undefined;
      throw err;
    }));

  /**
   * A product deleted from the PIM is archived in Shopify (never deleted) as soon as its change arrives, rather
   * than at the next daily sync. The mapping forgets the hash, so a product restored in the PIM is pushed again.
   */
  async function archiveUnlisted(pimId: number): Promise<PushResult> {
    const where = and(eq(channelMappings.channel, CHANNEL), eq(channelMappings.pimProductId, pimId));
    const [mapping] = await deps.pim.select().from(channelMappings).where(where);
    if (!mapping?.externalId || mapping.status === 'ARCHIVED') return { pimId, status: 'Missing' };
    try {
      await archiveProduct(deps.shopify, mapping.externalId);
    } catch (err) {
      // Shopify no longer has the product: there is nothing left to archive.
      if (!(err instanceof ShopifyUserError)) throw err;
    }
    await deps.pim
      .update(channelMappings)
      .set({ status: 'ARCHIVED', contentHash: null, lastPushedAt: new Date() })
      .where(where);
    return { pimId, status: 'Archived', shopifyId: mapping.externalId };
  }

  async function variantsInShopify(pimId: number): Promise<KnownVariants> {
    const current = await productByCustomId(deps.shopify, pimId);
    return Object.fromEntries((current?.variants.nodes ?? []).map((v) => [v.sku ?? v.id, { variantId: v.id }]));
  }

  return {
    /**
     * Pushes one product if its content changed since the last push (or `force`). Invalid products and
     * Shopify userErrors are recorded in sync_errors and reported as Invalid, never thrown, so the caller
     * decides how to surface them; transient failures throw and are retried.
     */
    async pushProduct(pimId: number, opts: { force?: boolean } = {}): Promise<PushResult> {
      const prepared = (await prepareProducts(deps.pim, [pimId])).get(pimId)!;
      if (!prepared.product) return archiveUnlisted(pimId);
      const skus = prepared.product.variants
        .map((v) => v.sku)
        .filter(Boolean)
        .slice(0, 50);
      if (prepared.problems.length) {
        await recordSyncError(deps.pim, pimId, prepared.problems);
        return { pimId, status: 'Invalid', problems: prepared.problems, skus };
      }
      const previous = (await mappingHashes(deps.pim, [pimId])).get(pimId);
      if (!opts.force && previous === prepared.hash) return { pimId, status: 'Skipped', hash: prepared.hash, skus };
      await ensureDefinition();
      try {
        let sent = prepared;
        let known = (await knownVariants(deps.pim, [pimId])).get(pimId) ?? {};
        for (let attempt = 1; ; attempt++) {
          let product: ProductSnapshot;
          try {
            product = await productSet(deps.shopify, withVariantIds(sent.input!, known), customIdentifier(pimId));
          } catch (err) {
            // The mapping names variants Shopify no longer has (the product or a variant was deleted there): take
            // the ids Shopify holds now, by SKU (none for a product it lost), and push once more.
            if (!(err instanceof ShopifyUserError && err.codes.includes('PRODUCT_VARIANT_DOES_NOT_EXIST'))) throw err;
            known = await variantsInShopify(pimId);
            product = await productSet(deps.shopify, withVariantIds(sent.input!, known), customIdentifier(pimId));
          }
          known = Object.fromEntries(product.variants.nodes.map((v) => [v.sku ?? v.id, { variantId: v.id }]));
          await writeMapping(deps.pim, pimId, product, sent.hash!);
          // Another writer (a backfill, a publish) may have read older content and landed first or later: the
          // PIM is read again after the write, and content that changed meanwhile is pushed again.
          const now = (await prepareProducts(deps.pim, [pimId])).get(pimId)!;
          if (attempt >= 3 || !now.hash || now.hash === sent.hash)
            return { pimId, status: 'Synced', hash: sent.hash, shopifyId: product.id, skus };
          sent = now;
        }
      } catch (err) {
        if (!(err instanceof ShopifyUserError)) throw err;
        const problems = err.userErrors.map((e) => ({
          code: e.code ?? 'SHOPIFY_USER_ERROR',
          message: `${(e.field ?? []).join('.')}: ${e.message}`,
        }));
        await recordSyncError(deps.pim, pimId, problems);
        return { pimId, status: 'Invalid', problems, skus };
      }
    },
  };
}
