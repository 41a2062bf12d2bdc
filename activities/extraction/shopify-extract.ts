import { Context } from '@temporalio/activity';
import {
  CUSTOMERS_PAGE,
  LOCATION_IDS,
  LOCATION_LEVELS_PAGE,
  PRODUCT_VARIANTS_AFTER,
  PRODUCTS_UPDATED_PAGE,
  listOrders,
  updatedWindowQuery,
  type ShopifyClient,
} from '../../connectors/shopify';
import type { ShopifyEntity } from '../../domain/extraction/shopify-extraction';
import { pageParser, type TableRows } from '../../domain/extraction/page-parsers';
import { SHOPIFY_PAGE_PARSERS } from '../../domain/extraction/source-pages';
import { writeDeadLetter } from '../../lake/dead-letters';
import { writeCursor } from '../../lake/lake-cursors';
import { writeLakeTable, type Lake } from '../../lake/lake-writer';
import { nextWindow, shopKey, type ThroughCursor } from './window-progress';

type Node = Record<string, unknown>;
interface Page {
  nodes: Node[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** Where a window stands; heartbeated after every page, so a retried attempt resumes at the next page. */
export interface WindowProgress {
  from: string;
  to: string;
  after: string | null;
  pages: number;
  rows: number;
  quarantined: number;
  /** Pages this code could not read, kept as dead letters (replayable). */
  deadLetters?: string[];
}

export interface ShopifyWindowResult extends WindowProgress {
  entity: ShopifyEntity;
  newUnknownFields: string[];
}

/** The saved position of an entity: every row updated before `through` is in the lake. */
export type ShopifyCursor = ThroughCursor;

export const shopifyCursorName = (shop: string, entity: ShopifyEntity) => `shopify/${shopKey(shop)}/${entity}`;

/**
 * Incremental Shopify → lake extraction, one `updated_at` window per call: [cursor − overlap, now − lag), read
 * page by page (Shopify's cursor inside the window, so rows sharing one timestamp are all read), each page's rows
 * written to their tables (raw page beside them), and the cursor moved to the window's end only after its last page
 * is written. A crash re-reads at most one page (heartbeat) or one window (cursor): the lake's dedup absorbs it.
 * The lag keeps the window behind Shopify's search index; the overlap re-reads rows committed late.
 */
export function createShopifyExtractActivities(deps: {
  shopify: ShopifyClient;
  lake: Lake;
  shop: string;
  /** Default 5 minutes. */
  overlapMs?: number;
  /** Default 30 seconds. */
  lagMs?: number;
  /** Where a first run starts (default: the epoch, i.e. everything the API returns). */
  since?: string;
}) {
  const fetchers: Record<ShopifyEntity, (from: string, to: string, after: string | null) => Promise<Page>> = {
    async orders(from, to, after) {
      return (await listOrders(deps.shopify, { updatedAtMin: from, updatedAtMax: to, after })) as unknown as Page;
    },
    async customers(from, to, after) {
      return (await deps.shopify.request(CUSTOMERS_PAGE, { first: 100, after, query: updatedWindowQuery(from, to) }))
        .customers as unknown as Page;
    },
    async products(from, to, after) {
      const page = (
        await deps.shopify.request(PRODUCTS_UPDATED_PAGE, { first: 5, after, query: updatedWindowQuery(from, to) })
      ).products;
      for (const p of page.nodes)
        while (p.variants.pageInfo.hasNextPage) {
          const more = (
            await deps.shopify.request(PRODUCT_VARIANTS_AFTER, { id: p.id, after: p.variants.pageInfo.endCursor })
          ).product?.variants;
          if (!more) break;
          p.variants.nodes.push(...more.nodes);
          p.variants.pageInfo = more.pageInfo;
        }
      return page as unknown as Page;
    },
    /**
     * Levels are read location by location (Location.inventoryLevels filters on updated_at); the page cursor is
     * the location's index and Shopify's cursor inside it, so a resumed window goes on at the same level page.
     */
    async inventory_levels(from, to, after) {
      const locations: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { nodes: { id: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } = (
          await deps.shopify.request(LOCATION_IDS, { after: cursor })
        ).locations;
        locations.push(...page.nodes.map((l) => l.id));
        cursor = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      } while (cursor);
      let pos = after ? (JSON.parse(after) as { l: number; a: string | null }) : { l: 0, a: null };
      for (;;) {
        const locationId = locations[pos.l];
        if (!locationId) return { nodes: [], pageInfo: { hasNextPage: false, endCursor: JSON.stringify(pos) } };
        const conn = (
          await deps.shopify.request(LOCATION_LEVELS_PAGE, {
            id: locationId,
            after: pos.a,
            query: updatedWindowQuery(from, to),
          })
        ).location?.inventoryLevels;
        const next = conn?.pageInfo.hasNextPage ? { l: pos.l, a: conn.pageInfo.endCursor } : { l: pos.l + 1, a: null };
        const hasNextPage = next.l < locations.length;
        // Each level names its location, so the page reads alone (a dead letter's replay parses it the same way).
        const nodes = (conn?.nodes ?? []).map((n) => ({ ...n, location: { id: locationId } }));
        if (!nodes.length && hasNextPage) {
          pos = next; // nothing changed at this location: on to the next without an empty page
          continue;
        }
        return { nodes, pageInfo: { hasNextPage, endCursor: JSON.stringify(next) } };
      }
    },
  };

  return {
    async extractShopifyWindow(input: { entity: ShopifyEntity; until?: string }): Promise<ShopifyWindowResult> {
      const { entity } = input;
      const ctx = Context.current();
      const cursorName = shopifyCursorName(deps.shop, entity);
      const beat = ctx.info.heartbeatDetails as WindowProgress | undefined;
      let progress: WindowProgress;
      if (beat) progress = beat;
      else {
        const { from, to } = await nextWindow(deps.lake, cursorName, {
          overlapMs: deps.overlapMs,
          lagMs: deps.lagMs,
          since: deps.since,
          until: input.until,
        });
        progress = { from, to, after: null, pages: 0, rows: 0, quarantined: 0 };
      }
      const newUnknownFields = new Set<string>();
      if (progress.from < progress.to)
        for (;;) {
          const request = { entity, window: [progress.from, progress.to], after: progress.after };
          const page = await fetchers[entity](progress.from, progress.to, progress.after);
          const pageId = `${progress.from}_${progress.to}/${String(progress.pages).padStart(5, '0')}`;
          let tables: TableRows;
          try {
            tables = pageParser(SHOPIFY_PAGE_PARSERS[entity])!(page);
          } catch (err) {
            // A page this code cannot read: kept whole for a replay after the fix (its parser named, so the replay
            // writes every table the page feeds); the window goes on.
            progress.deadLetters = [
              ...(progress.deadLetters ?? []),
              await writeDeadLetter(deps.lake, {
                source: 'shopify',
                entity,
                kind: 'page',
                parser: SHOPIFY_PAGE_PARSERS[entity],
                reason: (err as Error).message,
                request,
                response: { status: 200, body: JSON.stringify(page) },
              }),
            ];
            tables = [];
          }
          for (const [i, { table, rows }] of tables.entries()) {
            const r = await writeLakeTable(deps.lake, {
              ...table,
              rows,
              // The page once, beside its first table: the others are derived from the same nodes.
              ...(i === 0 ? { raw: { pageId, request, records: page.nodes } } : {}),
            });
            progress.rows += r.written;
            progress.quarantined += r.quarantined;
            for (const f of r.newUnknownFields) newUnknownFields.add(`${table.entity}.${f}`);
          }
          progress.pages++;
          progress.after = page.pageInfo.endCursor;
          ctx.heartbeat(progress);
          if (!page.pageInfo.hasNextPage) break;
        }
      if (newUnknownFields.size)
        ctx.log.warn('Shopify sent fields the lake schema does not name (kept raw in _extra)', {
          fields: [...newUnknownFields],
        });
      await writeCursor<ShopifyCursor>(deps.lake, cursorName, { through: progress.to });
      return { entity, ...progress, newUnknownFields: [...newUnknownFields] };
    },
  };
}
