import { and, eq, inArray, sql } from 'drizzle-orm';
import type { PimDb } from '../client';
import { images, products, storeAttributes, variants } from './schema';

// The change outbox is written by the PIM's triggers (migration 0002_outbox_triggers), in each edit's own
// transaction, for these writes as for any other tool's: these functions write no outbox row themselves, so an
// edit is never recorded twice.

export interface ProductInput {
  id: number;
  handle: string;
  title: string;
  descriptionHtml?: string | null;
  vendor?: string | null;
  subDepartmentCode?: string | null;
  tags?: string[];
  options?: string[];
  status?: 'ACTIVE' | 'DRAFT' | 'ARCHIVED';
  variants: {
    id: number;
    sku: string;
    barcode?: string | null;
    optionValues?: string[];
    price: string;
    compareAtPrice?: string | null;
    weight?: string | null;
    weightUnit?: string;
  }[];
  images?: { url: string; alt?: string | null }[];
  storeAttributes?: { storeCode: string; key: string; value: string }[];
}

export type ProductPatch = Partial<
  Pick<ProductInput, 'title' | 'descriptionHtml' | 'vendor' | 'subDepartmentCode' | 'tags' | 'options' | 'status'>
>;

type Tx = Parameters<Parameters<PimDb['transaction']>[0]>[0];

/**
 * Creates or replaces a product with its variants, images and store attributes, in one transaction (the triggers'
 * outbox rows commit with it or not at all).
 */
export async function saveProduct(db: PimDb, p: ProductInput): Promise<void> {
  await db.transaction(async (tx) => {
    const row = {
      id: p.id,
      handle: p.handle,
      title: p.title,
      descriptionHtml: p.descriptionHtml ?? null,
      vendor: p.vendor ?? null,
      subDepartmentCode: p.subDepartmentCode ?? null,
      tags: p.tags ?? [],
      options: p.options ?? [],
      status: p.status ?? 'ACTIVE',
      deletedAt: null,
    };
    await tx.insert(products).values(row).onDuplicateKeyUpdate({ set: row });
    await tx.delete(variants).where(eq(variants.productId, p.id));
    if (p.variants.length)
      await tx.insert(variants).values(
        p.variants.map((v, i) => ({
          id: v.id,
          productId: p.id,
          sku: v.sku,
          barcode: v.barcode ?? null,
          optionValues: v.optionValues ?? [],
          price: v.price,
          compareAtPrice: v.compareAtPrice ?? null,
          weight: v.weight ?? null,
          weightUnit: v.weightUnit ?? 'GRAMS',
          position: i + 1,
        })),
      );
    await tx.delete(images).where(eq(images.productId, p.id));
    if (p.images?.length)
      await tx
        .insert(images)
        .values(p.images.map((img, i) => ({ productId: p.id, url: img.url, alt: img.alt ?? null, position: i + 1 })));
    await tx.delete(storeAttributes).where(eq(storeAttributes.productId, p.id));
    if (p.storeAttributes?.length)
      await tx.insert(storeAttributes).values(p.storeAttributes.map((a) => ({ productId: p.id, ...a })));
  });
}

/** Locks the product row for the rest of the transaction; false when there is no such product. */
async function lockProduct(tx: Tx, productId: number): Promise<boolean> {
  const rows = await tx.select({ id: products.id }).from(products).where(eq(products.id, productId)).for('update');
  return rows.length > 0;
}

/**
 * Edits product fields. Returns false (and writes nothing) when the product does not exist or the patch is empty.
 */
export async function updateProduct(db: PimDb, productId: number, patch: ProductPatch): Promise<boolean> {
  const fields = Object.keys(patch).filter((k) => patch[k as keyof ProductPatch] !== undefined);
  if (!fields.length) return false;
  return db.transaction(async (tx) => {
    if (!(await lockProduct(tx, productId))) return false;
    await tx.update(products).set(patch).where(eq(products.id, productId));
    return true;
  });
}

/**
 * Changes one variant's price (the most common catalogue edit). The product's updatedAt moves too, so readers that
 * look for recently changed products see it. False when the product has no such SKU.
 */
export async function updateVariantPrice(
  db: PimDb,
  productId: number,
  sku: string,
  price: string,
  compareAtPrice?: string | null,
): Promise<boolean> {
  return db.transaction(async (tx) => {
    if (!(await lockProduct(tx, productId))) return false;
    const [variant] = await tx
      .select({ id: variants.id })
      .from(variants)
      .where(and(eq(variants.productId, productId), eq(variants.sku, sku)));
    if (!variant) return false;
    await tx
      .update(variants)
      .set({ price, ...(compareAtPrice !== undefined ? { compareAtPrice } : {}) })
      .where(eq(variants.id, variant.id));
    await tx
      .update(products)
      .set({ updatedAt: sql`CURRENT_TIMESTAMP(3)` })
      .where(eq(products.id, productId));
    return true;
  });
}

/** Soft-deletes a product (kept for audit; channels archive it). False when absent. */
export async function deleteProduct(db: PimDb, productId: number): Promise<boolean> {
  return db.transaction(async (tx) => {
    if (!(await lockProduct(tx, productId))) return false;
    await tx.update(products).set({ deletedAt: new Date(), status: 'ARCHIVED' }).where(eq(products.id, productId));
    return true;
  });
}

/** A store SKU the PIM does not know yet, as store intake creates it (status DRAFT until a person enriches it). */
export interface DraftProductInput {
  sku: string;
  barcode: string | null;
  price: string;
  title: string;
  tags: string[];
  storeAttributes: { storeCode: string; key: string; value: string }[];
}

/**
 * Creates a draft product with one variant, unless a variant with its SKU exists already (another store's intake
 * got there first): then nothing is written and the existing product's id is returned with `created: false`. The
 * id is the next after the highest, taken under a lock on the table's end, so concurrent intakes never share one.
 */
export async function createDraftProduct(
  db: PimDb,
  d: DraftProductInput,
): Promise<{ productId: number; created: boolean }> {
  return db.transaction(async (tx) => {
    const [existing] = await tx.select({ productId: variants.productId }).from(variants).where(eq(variants.sku, d.sku));
    if (existing) return { productId: existing.productId, created: false };
    const [top] = await tx
      .select({ id: sql<number>`coalesce(max(${products.id}), 0)` })
      .from(products)
      .for('update');
    const id = Number(top?.id ?? 0) + 1;
    const handle = `draft-${d.sku.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${id}`;
    await tx.insert(products).values({ id, handle, title: d.title, tags: d.tags, options: [], status: 'DRAFT' });
    await tx.insert(variants).values({ id: id * 10, productId: id, sku: d.sku, barcode: d.barcode, price: d.price });
    if (d.storeAttributes.length)
      await tx.insert(storeAttributes).values(d.storeAttributes.map((a) => ({ productId: id, ...a })));
    return { productId: id, created: true };
  });
}

/**
 * Sets some of one store's attributes on several products (other keys and stores untouched), in one transaction
 * (the triggers record each changed attribute's product). Products that no longer exist are skipped; returns the
 * ids written.
 */
export async function setStoreAttributes(
  db: PimDb,
  storeCode: string,
  updates: readonly { productId: number; set: Record<string, string> }[],
): Promise<number[]> {
  if (!updates.length) return [];
  return db.transaction(async (tx) => {
    const ids = updates.map((u) => u.productId);
    const present = new Set(
      (await tx.select({ id: products.id }).from(products).where(inArray(products.id, ids)).for('update')).map(
        (r) => r.id,
      ),
    );
    const rows = updates
      .filter((u) => present.has(u.productId))
      .flatMap((u) => Object.entries(u.set).map(([key, value]) => ({ productId: u.productId, storeCode, key, value })));
    if (rows.length)
      await tx
        .insert(storeAttributes)
        .values(rows)
        .onDuplicateKeyUpdate({ set: { value: sql`values(${storeAttributes.value})` } });
    const written = [...present];
    for (const id of written) {
      await tx
        .update(products)
        .set({ updatedAt: sql`CURRENT_TIMESTAMP(3)` })
        .where(eq(products.id, id));
    }
    return written;
  });
}
