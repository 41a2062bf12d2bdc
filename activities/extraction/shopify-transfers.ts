import { createHash } from 'node:crypto';
import {
  SHIPMENT_LINES,
  TRANSFER_BY_ID,
  TRANSFER_MORE,
  TRANSFERS_PAGE,
  type ShopifyClient,
  type ShopifyTransferNode,
} from '../../connectors/shopify';
import {
  FINAL_TRANSFER_STATUSES,
  locateTransferRows,
  TRANSFERS_PAGE_PARSER,
  transferRows,
} from '../../domain/extraction/shopify-transfers';
import {
  stockLocations,
  type StockLocationDirectory,
  type StockLocations,
} from '../../domain/extraction/stock-locations';
import { writeDeadLetter } from '../../lake/dead-letters';
import { writeCursor } from '../../lake/lake-cursors';
import { writeLakeTable, type Lake } from '../../lake/lake-writer';
import { heartbeat, nextWindow, resumedProgress, shopKey, type ThroughCursor } from './window-progress';

/**
 * Where the transfers extraction stands: every transfer created before `through` has been read, and `open` lists
 * those that were still open (not TRANSFERRED or CANCELED) when last read, to be read again until they are final.
 */
export interface TransfersCursor {
  through: string;
  open: string[];
}

interface Progress {
  from: string;
  to: string;
  /** Shopify's page cursor inside the created-at window; null before the first page. */
  after: string | null;
  /** The window is read; re-reading `reread` (open transfers from the last cursor) from index `rereadAt`. */
  windowDone: boolean;
  reread: string[];
  rereadAt: number;
  open: string[];
  pages: number;
  rows: number;
  quarantined: number;
  deadLetters: string[];
}

export type TransfersResult = Omit<Progress, 'after' | 'windowDone' | 'reread' | 'rereadAt'>;

export const transfersCursorName = (shop: string) => `shopify/${shopKey(shop)}/transfers`;

/**
 * Shopify's native inventory transfers → `stock.transfers`, incrementally. The API has no updated_at to filter on,
 * so a pass reads (1) the transfers created in [cursor − overlap, now − lag) and (2) again, by id, every transfer
 * that was still open at the last pass; a transfer stays in the cursor's open list until it reads TRANSFERRED or
 * CANCELED, so a shipment or receipt after its creation is never missed. The cursor moves only after both are
 * written. A page this code cannot read goes whole to a dead letter (request, the reply, the reason; replayable with
 * `backbone lake replay`) and the pass goes on.
 */
export function createShopifyTransferActivities(deps: {
  shopify: ShopifyClient;
  lake: Lake;
  shop: string;
  /** The stores and locations transfer rows resolve their origin and destination store against (read each pass). */
  locations: () => Promise<StockLocationDirectory>;
  /** Default 5 minutes. */
  overlapMs?: number;
  /** Default 30 seconds. */
  lagMs?: number;
  /** Where a first run starts (default: the epoch). */
  since?: string;
  /** Transfers a page (default 5: a page with 50 lines and 5 shipments each stays near 600 points). */
  pageSize?: number;
}) {
  const cursorName = transfersCursorName(deps.shop);

  /** A transfer with every line item and shipment, and each counted shipment's lines (what was accepted). */
  async function complete(t: ShopifyTransferNode): Promise<ShopifyTransferNode> {
    while (t.lineItems.pageInfo.hasNextPage || t.shipments.pageInfo.hasNextPage) {
      const more = (
        await deps.shopify.request(TRANSFER_MORE, {
          id: t.id,
          linesAfter: t.lineItems.pageInfo.hasNextPage ? t.lineItems.pageInfo.endCursor : null,
          shipmentsAfter: t.shipments.pageInfo.hasNextPage ? t.shipments.pageInfo.endCursor : null,
        })
      ).inventoryTransfer;
      if (!more) break;
      if (t.lineItems.pageInfo.hasNextPage)
        t.lineItems = { nodes: [...t.lineItems.nodes, ...more.lineItems.nodes], pageInfo: more.lineItems.pageInfo };
      if (t.shipments.pageInfo.hasNextPage)
        t.shipments = { nodes: [...t.shipments.nodes, ...more.shipments.nodes], pageInfo: more.shipments.pageInfo };
    }
    for (const s of t.shipments.nodes) {
      if (!s.dateShipped && !s.dateReceived) continue;
      const lines: NonNullable<typeof s.lineItems> = { nodes: [], pageInfo: { hasNextPage: true, endCursor: null } };
      while (lines.pageInfo.hasNextPage) {
        const page = (await deps.shopify.request(SHIPMENT_LINES, { id: s.id, after: lines.pageInfo.endCursor }))
          .inventoryShipment?.lineItems;
        if (!page) break;
        lines.nodes.push(...page.nodes);
        lines.pageInfo = page.pageInfo;
      }
      s.lineItems = lines;
    }
    return t;
  }

  async function write(
    p: Progress,
    locate: StockLocations,
    nodes: ShopifyTransferNode[],
    request: unknown,
    pageId: string,
  ): Promise<void> {
    const full = [];
    for (const n of nodes) full.push(await complete(n));
    const body = JSON.stringify({ nodes: full });
    let tables: ReturnType<typeof transferRows>;
    try {
      tables = transferRows(full as unknown as Record<string, unknown>[]);
    } catch (err) {
      p.deadLetters.push(
        await writeDeadLetter(deps.lake, {
          // The same unreadable reply (an open transfer read again each pass) is one letter a day, not one a pass.
          id: createHash('sha256').update(body).digest('hex').slice(0, 32),
          source: 'shopify',
          entity: 'transfers',
          kind: 'page',
          parser: TRANSFERS_PAGE_PARSER,
          reason: (err as Error).message,
          request,
          response: { body },
        }),
      );
      tables = [];
    }
    for (const { table, rows: parsed } of tables) {
      const { rows, refused } = locateTransferRows(parsed, locate);
      if (refused.length) {
        p.quarantined += refused.length;
        p.deadLetters.push(
          await writeDeadLetter(deps.lake, {
            source: table.source,
            entity: table.entity,
            kind: 'rows',
            reason: `${refused.length} transfer row(s) name a location no store answers to`,
            request,
            rows: refused,
          }),
        );
      }
      const r = await writeLakeTable(deps.lake, { ...table, rows, raw: { pageId, request, records: full } });
      p.rows += r.written;
      p.quarantined += r.quarantined;
      if (r.deadLetter) p.deadLetters.push(r.deadLetter);
    }
    for (const n of full) {
      const status = (n as { status?: unknown } | null)?.status;
      if (n?.id && !FINAL_TRANSFER_STATUSES.has(String(status)) && !p.open.includes(n.id)) p.open.push(n.id);
    }
    p.pages++;
  }

  return {
    async extractShopifyTransfers(input: { until?: string } = {}): Promise<TransfersResult> {
      let p = resumedProgress<Progress>();
      if (!p) {
        const w = await nextWindow<TransfersCursor & ThroughCursor>(deps.lake, cursorName, {
          overlapMs: deps.overlapMs,
          lagMs: deps.lagMs,
          since: deps.since,
          until: input.until,
        });
        p = {
          from: w.from,
          to: w.to,
          after: null,
          windowDone: false,
          reread: w.saved?.open ?? [],
          rereadAt: 0,
          open: [],
          pages: 0,
          rows: 0,
          quarantined: 0,
          deadLetters: [],
        };
      }
      const locate = stockLocations(await deps.locations());
      const query = `created_at:>='${p.from}' AND created_at:<'${p.to}'`;
      while (!p.windowDone) {
        const page = (await deps.shopify.request(TRANSFERS_PAGE, { first: deps.pageSize ?? 5, after: p.after, query }))
          .inventoryTransfers;
        await write(
          p,
          locate,
          page.nodes,
          { query, after: p.after },
          `${p.from}_${p.to}/${String(p.pages).padStart(5, '0')}`,
        );
        p.after = page.pageInfo.endCursor;
        p.windowDone = !page.pageInfo.hasNextPage;
        heartbeat(p);
      }
      // Open transfers created before the window: read each again (those the window just read are current).
      for (; p.rereadAt < p.reread.length; p.rereadAt += 10) {
        const ids = p.reread.slice(p.rereadAt, p.rereadAt + 10).filter((id) => !p.open.includes(id));
        const nodes: ShopifyTransferNode[] = [];
        // A transfer that no longer exists (deleted) reads null and leaves the open list.
        for (const id of ids) {
          const t = (await deps.shopify.request(TRANSFER_BY_ID, { id })).inventoryTransfer;
          if (t) nodes.push(t);
        }
        if (nodes.length) await write(p, locate, nodes, { ids }, `${p.to}/open-${String(p.rereadAt).padStart(5, '0')}`);
        heartbeat(p);
      }
      await writeCursor<TransfersCursor>(deps.lake, cursorName, { through: p.to, open: p.open });
      const { after: _a, windowDone: _w, reread: _r, rereadAt: _i, ...result } = p;
      return result;
    },
  };
}
