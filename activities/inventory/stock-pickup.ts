import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { Movement } from '../../domain/inventory/movements';
import type { ApplyResult, Ledger } from './ledger';

export const PICKUP_SOURCE = 'store-db';
/**
 * Rows re-read behind each high-water mark on every pass: a POS sale whose id was taken before a higher one but
 * committed after it, or a stock row whose `updated_at` was stamped before a slow commit, is still picked up.
 * Re-read rows are duplicates by key and count once.
 */
const POS_ID_OVERLAP = 500;
const STOCK_OVERLAP_MS = 2_000;

export interface PickupPass extends Omit<ApplyResult, 'incidents' | 'rejected'> {
  rejected: number;
  incidents: number;
  posSaleId: number;
  stockUpdatedAt: string | null;
  /** SKU → the store it last moved at, for the push signals. */
  changes: { sku: string; storeCode: string }[];
}

const posMovement = (r: RowDataPacket): Movement => ({
  key: `pos/${r.store_code}/${r.id}`,
  kind: 'pos_sale',
  sku: r.sku,
  location: r.store_code,
  quantity: r.quantity,
  occurredAt: (r.sold_at as Date).toISOString(),
});
const countMovement = (r: RowDataPacket): Movement => {
  const at = (r.updated_at as Date).toISOString();
  return {
    // The count's value is in its key: two counts stamped in the same millisecond are two movements.
    key: `count/${r.store_code}/${r.sku}/${at}/${r.on_hand}`,
    kind: 'count',
    sku: r.sku,
    location: r.store_code,
    quantity: r.on_hand,
    occurredAt: at,
  };
};

/**
 * One pass of the continuous pickup: POS sales by id and stock rows by `updated_at` since the saved high-water
 * marks (minus the overlap), in pages of `pageSize`, applied to the ledger with the marks committed in the same
 * transaction as the movements they cover. Resumable: a crash repeats at most the uncommitted page.
 */
export async function pickUpPass(
  deps: { store: Pool; inventory: Pool; ledger: Ledger },
  opts: {
    pageSize?: number;
    maxRows?: number;
    /** After each page's commit: the activity heartbeats here (and stops when its attempt was given up). */
    onPage?: () => void;
  } = {},
): Promise<PickupPass> {
  // One page is one ledger transaction (`createLedger`'s batch): a backlog goes at two pages a pass.
  const pageSize = opts.pageSize ?? 50_000;
  const maxRows = opts.maxRows ?? 100_000;
  const [[cursor]] = (await deps.inventory.query('SELECT * FROM pickup_cursors WHERE source = ?', [
    PICKUP_SOURCE,
  ])) as unknown as [RowDataPacket[]];
  let posId = Number(cursor?.pos_sale_id ?? 0);
  let stockAt: Date | null = cursor?.stock_updated_at ?? null;
  const pass: PickupPass = {
    read: 0,
    applied: 0,
    duplicates: 0,
    rejected: 0,
    incidents: 0,
    changedSkus: [],
    retries: 0,
    posSaleId: posId,
    stockUpdatedAt: null,
    changes: [],
  };
  const changes = new Map<string, string>();
  const saveCursor = (id: number, at: Date | null) => async (conn: import('mysql2/promise').PoolConnection) => {
    await conn.query(
      'INSERT INTO pickup_cursors (source, pos_sale_id, stock_updated_at) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE pos_sale_id = GREATEST(pos_sale_id, VALUES(pos_sale_id)), stock_updated_at = GREATEST(COALESCE(stock_updated_at, VALUES(stock_updated_at)), VALUES(stock_updated_at))',
      [PICKUP_SOURCE, id, at],
    );
  };
  const apply = async (movements: Movement[], id: number, at: Date | null, seenBefore = false) => {
    const r = await deps.ledger.applyMovements(movements, {
      source: PICKUP_SOURCE,
      alsoInTransaction: saveCursor(id, at),
      seenBefore,
    });
    pass.read += r.read;
    pass.applied += r.applied;
    pass.duplicates += r.duplicates;
    pass.rejected += r.rejected.length;
    pass.incidents += r.incidents.length;
    pass.retries += r.retries;
    const changed = new Set(r.changedSkus);
    for (const m of movements) if (changed.has(m.sku)) changes.set(m.sku, m.location);
    opts.onPage?.();
  };

  // POS sales: the overlap behind the mark on its own (mostly rows applied before: duplicates by key), then id
  // pages past the mark, which are all new unless a crash lost a commit's reply (the ledger's fast path).
  const posMark = posId;
  if (posMark > 0) {
    const [rows] = await deps.store.query<RowDataPacket[]>(
      'SELECT id, store_code, sku, quantity, sold_at FROM pos_sales WHERE id > ? AND id <= ? ORDER BY id',
      [Math.max(0, posMark - POS_ID_OVERLAP), posMark],
    );
    if (rows.length) await apply(rows.map(posMovement), posId, stockAt, true);
  }
  // Each page is read while the one before it is written (the read holds no lock and the next id is known).
  const page = (from: number) => {
    const rows = deps.store
      .query<RowDataPacket[]>(
        'SELECT id, store_code, sku, quantity, sold_at FROM pos_sales WHERE id > ? ORDER BY id LIMIT ?',
        [from, pageSize],
      )
      .then(([r]) => r);
    rows.catch(() => undefined); // awaited below; a write failing first must not leave it unhandled
    return rows;
  };
  let next = pass.read < maxRows ? page(posMark) : undefined;
  while (next) {
    const rows = await next;
    if (!rows.length) break;
    const after = Number(rows.at(-1)!.id);
    posId = Math.max(posId, after);
    next = rows.length === pageSize && pass.read + rows.length < maxRows ? page(after) : undefined;
    await apply(rows.map(posMovement), posId, stockAt);
  }
  // Stock counts: (updated_at, store, sku) pages from the mark minus the overlap; the overlap's pages (through the
  // mark) apart from the new ones, as for sales.
  // TIMESTAMP starts in 1970: a bound before it compares as NULL, so the first pass starts at 2000.
  const floor = Math.max((stockAt?.getTime() ?? 0) - STOCK_OVERLAP_MS, Date.UTC(2000, 0, 1));
  const stockMark = stockAt;
  let key: [Date, string, string] = [new Date(floor), '', ''];
  while (pass.read < maxRows) {
    const [rows] = await deps.store.query<RowDataPacket[]>(
      'SELECT store_code, sku, on_hand, updated_at FROM stock WHERE (updated_at, store_code, sku) > (?, ?, ?) ORDER BY updated_at, store_code, sku LIMIT ?',
      [...key, pageSize],
    );
    if (!rows.length) break;
    const last = rows.at(-1)!;
    key = [last.updated_at, last.store_code, last.sku];
    const behind = stockMark ? rows.filter((r) => r.updated_at <= stockMark) : [];
    const ahead = behind.length ? rows.filter((r) => r.updated_at > stockMark!) : rows;
    // Each commit moves the mark only over rows it holds.
    if (behind.length) await apply(behind.map(countMovement), posId, stockAt, true);
    if (!stockAt || last.updated_at > stockAt) stockAt = last.updated_at as Date;
    if (ahead.length) await apply(ahead.map(countMovement), posId, stockAt);
    if (rows.length < pageSize) break;
  }
  pass.posSaleId = posId;
  pass.stockUpdatedAt = stockAt ? stockAt.toISOString() : null;
  pass.changes = [...changes].map(([sku, storeCode]) => ({ sku, storeCode }));
  pass.changedSkus = [...changes.keys()];
  return pass;
}
