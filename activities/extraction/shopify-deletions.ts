import os from 'node:os';
import { Context } from '@temporalio/activity';
import { EVENTS_PAGE, type ShopifyClient, type ShopifyEventNode } from '../../connectors/shopify';
import { META_COLUMNS } from '../../domain/extraction/lake-schema';
import type { LakeTableDef } from '../../domain/extraction/lake-tables';
import {
  SHOPIFY_CUSTOMERS,
  SHOPIFY_INVENTORY_LEVELS,
  SHOPIFY_PRODUCTS,
  SHOPIFY_VARIANTS,
} from '../../domain/extraction/shopify-tables';
import { writeCursor } from '../../lake/lake-cursors';
import { openLakeQuery } from '../../lake/lake-query';
import { writeLakeTable, type Lake } from '../../lake/lake-writer';
import type { AwsConnection } from '../../lake/s3';
import { nextWindow, shopKey } from './window-progress';

export interface DeletionsProgress {
  from: string;
  to: string;
  after: string | null;
  pages: number;
  /** Deletions Shopify reported for the extracted subjects (products, customers). */
  deletions: number;
  tombstones: number;
  /** Deleted ids the lake never held (nothing to mark). */
  unknown: number;
}

export interface DeletionsResult extends DeletionsProgress {
  entity: 'deletions';
}

const SUBJECTS = new Set(['PRODUCT', 'CUSTOMER']);
const gidNumber = (gid: string) => Number(gid.split('/').pop()!.split('?')[0]);
const iso = (col: string) => `strftime(${col}, '%Y-%m-%dT%H:%M:%S.%gZ')`;

/**
 * Deletions, the way Shopify reports them: `destroy` events in the shop's event log (QueryRoot.events; the older
 * deletionEvents is deprecated). Each window [cursor − overlap, now − lag) of destroy events becomes tombstones
 * (`_deleted`, updated_at = when it was destroyed) for what the lake holds of the subject: a deleted product marks
 * its product row, its variants and their inventory levels (productDelete takes "variants … and inventory items"
 * with it); a deleted customer its customer row. Tombstones go to the row's own partition, found in the lake, so they
 * replace the row there; readers filter `NOT _deleted`. The cursor moves after the window's writes, as in
 * shopify-extract.ts; a tombstone written twice is the same row.
 */
export function createShopifyDeletionActivities(deps: {
  shopify: ShopifyClient;
  lake: Lake;
  aws: AwsConnection;
  shop: string;
  overlapMs?: number;
  lagMs?: number;
}) {
  const cursorName = `shopify/${shopKey(deps.shop)}/deletions`;

  async function tombstones(
    events: ShopifyEventNode[],
  ): Promise<{ table: LakeTableDef; rows: Record<string, unknown>[] }[]> {
    const at = new Map<string, string>(); // subject → when it was destroyed (the latest, if twice)
    for (const e of events) if (e.subjectId) at.set(e.subjectId, e.createdAt);
    const of = (type: string) =>
      [...at.keys()].filter((id) => id.includes(`/${type}/`)).map((id) => ({ id: gidNumber(id), at: at.get(id)! }));
    const products = of('Product');
    const customers = of('Customer');
    const q = await openLakeQuery({ aws: deps.aws, s3: deps.lake.s3, bucket: deps.lake.bucket, cacheDir: os.tmpdir() });
    // A table not in the lake yet holds nothing to mark.
    const read = (table: string, sql: string) =>
      q.tables.includes(table) ? q.query(sql) : Promise.resolve([] as Record<string, unknown>[]);
    const list = (ids: number[]) => (ids.length ? ids.map((n) => String(Math.trunc(n))).join(', ') : 'NULL');
    const deleted = { [META_COLUMNS.deleted]: true };
    try {
      const productAt = new Map(products.map((p) => [p.id, p.at]));
      const customerAt = new Map(customers.map((c) => [c.id, c.at]));
      const productRows = await read(
        'shopify.products',
        `SELECT product_id, ${iso('created_at')} AS created_at FROM shopify.products WHERE product_id IN (${list(products.map((p) => p.id))}) AND NOT coalesce(_deleted, false)`,
      );
      const variantRows = await read(
        'shopify.variants',
        `SELECT variant_id, product_id, ${iso('product_created_at')} AS product_created_at, inventory_item_id FROM shopify.variants WHERE product_id IN (${list(products.map((p) => p.id))}) AND NOT coalesce(_deleted, false)`,
      );
      const itemAt = new Map(
        variantRows.map((v) => [Number(v.inventory_item_id), productAt.get(Number(v.product_id))!]),
      );
      const levelRows = await read(
        'shopify.inventory_levels',
        `SELECT inventory_item_id, location_id, ${iso('created_at')} AS created_at FROM shopify.inventory_levels WHERE inventory_item_id IN (${list([...itemAt.keys()].filter(Boolean))}) AND NOT coalesce(_deleted, false)`,
      );
      const customerRows = await read(
        'shopify.customers',
        `SELECT customer_id, ${iso('created_at')} AS created_at FROM shopify.customers WHERE customer_id IN (${list(customers.map((c) => c.id))}) AND NOT coalesce(_deleted, false)`,
      );
      return [
        {
          table: SHOPIFY_PRODUCTS,
          rows: productRows.map((r) => ({ ...r, updated_at: productAt.get(Number(r.product_id)), ...deleted })),
        },
        {
          table: SHOPIFY_VARIANTS,
          rows: variantRows.map((r) => ({ ...r, updated_at: productAt.get(Number(r.product_id)), ...deleted })),
        },
        {
          table: SHOPIFY_INVENTORY_LEVELS,
          rows: levelRows.map((r) => ({ ...r, updated_at: itemAt.get(Number(r.inventory_item_id)), ...deleted })),
        },
        {
          table: SHOPIFY_CUSTOMERS,
          rows: customerRows.map((r) => ({ ...r, updated_at: customerAt.get(Number(r.customer_id)), ...deleted })),
        },
      ];
    } finally {
      q.close();
    }
  }

  return {
    async extractShopifyDeletions(input: { until?: string } = {}): Promise<DeletionsResult> {
      const ctx = Context.current();
      let progress = ctx.info.heartbeatDetails as DeletionsProgress | undefined;
      if (!progress) {
        const { from, to } = await nextWindow(deps.lake, cursorName, {
          overlapMs: deps.overlapMs,
          lagMs: deps.lagMs,
          until: input.until,
        });
        progress = {
          from,
          to,
          after: null,
          pages: 0,
          deletions: 0,
          tombstones: 0,
          unknown: 0,
        };
      }
      if (progress.from < progress.to)
        for (;;) {
          const query = `action:destroy AND created_at:>='${progress.from}' AND created_at:<'${progress.to}'`;
          const page = (await deps.shopify.request(EVENTS_PAGE, { after: progress.after, query })).events;
          const events = (page?.nodes ?? []).filter((e) => e.subjectType && SUBJECTS.has(e.subjectType));
          if (events.length) {
            const tables = await tombstones(events);
            const pageId = `deletions/${progress.from}_${progress.to}/${String(progress.pages).padStart(5, '0')}`;
            for (const [i, { table, rows }] of tables.entries()) {
              if (!rows.length && i > 0) continue;
              const r = await writeLakeTable(deps.lake, {
                ...table,
                rows,
                ...(i === 0 ? { raw: { pageId, request: { query, after: progress.after }, records: events } } : {}),
              });
              progress.tombstones += r.written;
            }
            const marked = new Set([
              ...tables[0]!.rows.map((r) => `Product/${String(r.product_id)}`),
              ...tables[3]!.rows.map((r) => `Customer/${String(r.customer_id)}`),
            ]);
            progress.deletions += events.length;
            progress.unknown += events.filter((e) => !marked.has(e.subjectId!.split('/').slice(-2).join('/'))).length;
          }
          progress.pages++;
          progress.after = page?.pageInfo.endCursor ?? null;
          ctx.heartbeat(progress);
          if (!page?.pageInfo.hasNextPage) break;
        }
      await writeCursor(deps.lake, cursorName, { through: progress.to });
      return { entity: 'deletions', ...progress };
    },
  };
}
