import { and, asc, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import type { PimDb } from '../../db/client';
import { images, products, storeAttributes, subDepartments, variants } from '../../db/pim/schema';
import type { PimProduct } from '../../domain/catalog/pim-product';

/** Loads whole products (variants, images, store attributes) for a set of ids in four queries. */
export async function loadProducts(pim: PimDb, ids: number[]): Promise<Map<number, PimProduct>> {
  const out = new Map<number, PimProduct>();
  if (!ids.length) return out;
  const [rows, vs, imgs, attrs] = await Promise.all([
    pim
      .select({ p: products, sd: subDepartments })
      .from(products)
      .leftJoin(subDepartments, eq(products.subDepartmentCode, subDepartments.code))
      .where(and(inArray(products.id, ids), isNull(products.deletedAt))),
    pim
      .select()
      .from(variants)
      .where(inArray(variants.productId, ids))
      .orderBy(asc(variants.productId), asc(variants.position)),
    pim
      .select()
      .from(images)
      .where(inArray(images.productId, ids))
      .orderBy(asc(images.productId), asc(images.position)),
    pim.select().from(storeAttributes).where(inArray(storeAttributes.productId, ids)),
  ]);
  for (const { p, sd } of rows)
    out.set(p.id, {
      id: p.id,
      handle: p.handle,
      title: p.title,
      descriptionHtml: p.descriptionHtml,
      vendor: p.vendor,
      subDepartment: sd ? { code: sd.code, name: sd.name } : null,
      tags: p.tags,
      options: p.options,
      status: p.status as PimProduct['status'],
      variants: [],
      images: [],
      storeAttributes: [],
    });
  for (const v of vs)
    out.get(v.productId)?.variants.push({
      sku: v.sku,
      barcode: v.barcode,
      optionValues: v.optionValues,
      price: v.price,
      compareAtPrice: v.compareAtPrice,
      weight: v.weight,
      weightUnit: v.weightUnit,
    });
  for (const i of imgs) out.get(i.productId)?.images.push({ url: i.url, alt: i.alt });
  for (const a of attrs)
    out.get(a.productId)?.storeAttributes.push({ storeCode: a.storeCode, key: a.key, value: a.value });
  return out;
}

/** Which product owns each of these SKUs elsewhere in the catalogue (for the duplicate-SKU rule). */
export async function skuOwners(pim: PimDb, skus: string[]): Promise<Map<string, number>> {
  if (!skus.length) return new Map();
  const rows = await pim
    .select({ sku: variants.sku, productId: variants.productId })
    .from(variants)
    .where(inArray(variants.sku, skus));
  return new Map(rows.map((r) => [r.sku, r.productId]));
}

export interface PopulationFilter {
  subDepartment?: string;
  storeCode?: string;
  createdAfter?: string;
  ids?: number[];
}

function populationConditions(filter: PopulationFilter, afterId: number) {
  const conditions = [gt(products.id, afterId), isNull(products.deletedAt)];
  if (filter.subDepartment) conditions.push(eq(products.subDepartmentCode, filter.subDepartment));
  if (filter.createdAfter) conditions.push(gt(products.createdAt, new Date(filter.createdAfter)));
  if (filter.ids?.length) conditions.push(inArray(products.id, filter.ids));
  if (filter.storeCode)
    conditions.push(
      sql`exists (select 1 from ${storeAttributes} sa where sa.product_id = ${products.id} and sa.store_code = ${filter.storeCode})`,
    );
  return and(...conditions);
}

/** One page of live product ids matching a backfill population, in id order after `afterId`. */
export async function populationPage(
  pim: PimDb,
  filter: PopulationFilter,
  afterId: number,
  limit: number,
): Promise<number[]> {
  const rows = await pim
    .select({ id: products.id })
    .from(products)
    .where(populationConditions(filter, afterId))
    .orderBy(asc(products.id))
    .limit(limit);
  return rows.map((r) => r.id);
}

export async function populationSize(pim: PimDb, filter: PopulationFilter): Promise<number> {
  const [row] = await pim
    .select({ n: sql<number>`count(*)` })
    .from(products)
    .where(populationConditions(filter, 0));
  return Number(row?.n ?? 0);
}
