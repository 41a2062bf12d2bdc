import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import {
  LedgerState,
  levelKey,
  type Incident,
  type Level,
  type OpenLine,
  type Outcome,
} from '../../domain/inventory/ledger';
import { lineKey, type Movement } from '../../domain/inventory/movements';
import type { LevelCache } from './level-cache';

/** A level the batch changed, with the version it was read at (0: not in the table yet). */
interface Touched {
  key: string;
  sku: string;
  location: string;
  readVersion: number;
}

/** Why a transaction must be run again on fresh reads: a level moved since it was read, or a key appeared. */
class LostRace extends Error {}
/** The batch holds a key the ledger has (a replay, the pickup's overlap): run again with the keys read first. */
class KeysSeen extends Error {}

/** Rows per statement (IN lists and multi-row inserts). */
const CHUNK = 2000;
const retryable = (err: unknown) => {
  const errno = (err as { errno?: number }).errno;
  // 1062: a concurrent batch inserted the same movement key or a new level first; 1213/1205: deadlock, lock wait.
  return err instanceof LostRace || errno === 1062 || errno === 1213 || errno === 1205;
};
const sqlTime = (iso: string | null) => (iso ? new Date(iso) : null);
const chunks = <T>(xs: T[]) =>
  Array.from({ length: Math.ceil(xs.length / CHUNK) }, (_, i) => xs.slice(i * CHUNK, (i + 1) * CHUNK));

export interface BatchWrite {
  outcomes: Outcome[];
  incidents: Incident[];
  changedSkus: string[];
  /** Transactions run again because another writer changed a level first (optimistic locking's cost). */
  retries: number;
}

/**
 * Applies already validated movements in one transaction with optimistic locking: read the levels and
 * reservations the batch touches (no locks), fold in memory, then write levels (one row per SKU × location,
 * each only if its version is still the one read), movements, reservations, incidents and the SKUs' change
 * counters. A lost race rolls back and runs the whole batch again on fresh reads, so a concurrent batch on the
 * same SKU never loses an update and a key is applied once. `alsoInTransaction` commits with it (e.g. the
 * pickup's high-water mark).
 *
 * Keys: most batches are all new (the pickup reads past its mark), so the first attempt does not read the
 * batch's keys: it folds them as new and inserts with INSERT IGNORE on the unique key. Fewer rows inserted than
 * folded (or any warning) means a key was there: the transaction rolls back and runs again with the keys and
 * their content hashes read first (duplicates counted, conflicts rejected) and a plain INSERT.
 */
export async function writeBatch(
  pool: Pool,
  batch: Movement[],
  alsoInTransaction?: (conn: PoolConnection) => Promise<void>,
  /** The caller expects keys the ledger has (a re-read overlap): read them first instead of trying without. */
  seenBefore = false,
  /** Levels as last committed here: the first attempt folds on them instead of reading (see `LevelCache`). */
  cache?: LevelCache,
): Promise<BatchWrite> {
  let readKeys = seenBefore;
  let cached = cache;
  for (let retries = 0; ;) {
    const conn = await pool.getConnection();
    let loaded: Awaited<ReturnType<typeof loadState>> | undefined;
    try {
      await conn.beginTransaction();
      loaded = await loadState(conn, batch, readKeys, cached);
      const { state, versions } = loaded;
      const outcomes = batch.map((m) => state.apply(m));
      const applied = outcomes.flatMap((o) => (o.status === 'applied' ? [o] : []));
      const levels = new Map<string, Touched>();
      for (const o of applied) {
        const k = levelKey(o.movement.sku, o.movement.location);
        levels.set(k, {
          key: k,
          sku: o.movement.sku,
          location: o.movement.location,
          readVersion: versions.get(k) ?? 0,
        });
      }
      // One order of writes for every batch, so two batches lock their rows in the same order. Levels first:
      // their version check closes the window in which another writer can get there first.
      const ordered = [...levels.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, t]) => t);
      const newest = await writeLevels(conn, state, ordered, applied);
      await insertMovements(conn, applied, !readKeys);
      await writeLines(conn, state, applied);
      const incidents = applied.flatMap((o) => (o.incident ? [o.incident] : []));
      await insertIncidents(conn, incidents);
      const changedSkus = [...new Set(applied.map((o) => o.movement.sku))];
      await bumpSkus(conn, changedSkus);
      if (alsoInTransaction) await alsoInTransaction(conn);
      await conn.commit();
      if (cache) remember(cache, loaded, ordered, newest);
      return { outcomes, incidents, changedSkus, retries };
    } catch (err) {
      await conn.rollback().catch(() => undefined);
      if (err instanceof KeysSeen && !readKeys) {
        readKeys = true;
        continue;
      }
      // Another writer got there first, or the outcome is unknown: what this process knew of the levels is stale.
      if (cache && loaded) cache.forget(loaded.state.levels.keys());
      if (cache) cache.forget(batch.map((m) => levelKey(m.sku, m.location)));
      cached = undefined;
      if (!retryable(err) || retries >= 50) throw err;
      retries++;
      await new Promise((r) => setTimeout(r, Math.random() * 5 * Math.min(retries, 10)));
    } finally {
      conn.release();
    }
  }
}

async function loadState(conn: PoolConnection, batch: Movement[], readKeys: boolean, cache?: LevelCache) {
  const state = new LedgerState();
  const versions = new Map<string, number>();
  const lastAt = new Map<string, number>();
  const keys = readKeys ? [...new Set(batch.map((m) => m.key))] : [];
  for (const part of chunks(keys)) {
    const [rows] = await conn.query<RowDataPacket[]>(
      'SELECT movement_key AS k, content_hash AS h FROM movements WHERE movement_key IN (?)',
      [part],
    );
    for (const r of rows) state.seen.set(r.k as string, r.h as string);
  }
  const lineKeys = [...new Set(batch.filter((m) => m.orderLineId).map(lineKey))];
  const lines: OpenLine[] = [];
  for (const part of chunks(lineKeys)) {
    const [rows] = await conn.query<RowDataPacket[]>('SELECT * FROM reservations WHERE line_key IN (?)', [part]);
    lines.push(...rows.map(lineRow));
  }
  // Releases and fulfilments act at their line's location: load those levels too. A key the ledger has is a
  // duplicate or a conflict, which changes no level: its level is not read.
  const pairs = new Map<string, [string, string]>();
  for (const m of batch) if (!state.seen.has(m.key)) pairs.set(levelKey(m.sku, m.location), [m.sku, m.location]);
  for (const l of lines) pairs.set(levelKey(l.sku, l.location), [l.sku, l.location]);
  // Levels this process committed last (the pickup's previous page) come from the cache; the version check at the
  // write refuses any another writer moved since. Held levels (reserved > 0) need their open lines either way.
  const held: [string, string][] = [];
  for (const [k, [sku, location]] of cache ? pairs : []) {
    const c = cache!.get(k);
    if (!c) continue;
    state.levels.set(k, c.level);
    versions.set(k, c.version);
    lastAt.set(k, c.lastMovementAt);
    if (c.level.reserved > 0) held.push([sku, location]);
  }
  // By SKU (the primary key's prefix), then the batch's pairs kept: a long list of (sku, location) pairs makes
  // MariaDB scan the whole table instead.
  const skus = [...new Set([...pairs].filter(([k]) => !state.levels.has(k)).map(([, [sku]]) => sku))];
  for (const part of chunks(skus)) {
    const [all] = await conn.query<RowDataPacket[]>(
      'SELECT sku, location, on_hand, reserved, counted_at, version, last_movement_at FROM stock_levels WHERE sku IN (?)',
      [part],
    );
    for (const r of all) {
      const k = levelKey(r.sku, r.location);
      if (!pairs.has(k) || state.levels.has(k)) continue;
      const level: Level = {
        onHand: r.on_hand,
        reserved: r.reserved,
        countedAt: r.counted_at ? (r.counted_at as Date).toISOString() : null,
      };
      state.levels.set(k, level);
      versions.set(k, r.version);
      lastAt.set(k, (r.last_movement_at as Date).getTime());
      if (r.reserved > 0) held.push([r.sku, r.location]);
    }
  }
  // Open lines at levels holding reservations: the orders an incident names (most levels hold none).
  for (const part of chunks(held)) {
    const [open] = await conn.query<RowDataPacket[]>(
      'SELECT * FROM reservations WHERE (sku, location) IN (?) AND open > 0 ORDER BY updated_at, line_key',
      [part],
    );
    lines.push(...open.map(lineRow));
  }
  for (const l of lines) state.lines.set(l.lineKey, l);
  for (const m of batch) {
    if (m.kind !== 'count' || state.seen.has(m.key)) continue; // a repeat changes nothing: no Σ needed
    const at = new Date(m.occurredAt);
    const k = levelKey(m.sku, m.location);
    // Nothing recorded after the count's time (the usual case: a count is the newest news): Σ is 0, no query.
    if (Number.isNaN(at.getTime()) || (lastAt.get(k) ?? 0) <= at.getTime()) continue;
    // A count no newer than the level's latest is stale and changes nothing.
    const counted = state.levels.get(k)?.countedAt;
    if (counted && new Date(counted).getTime() >= at.getTime()) continue;
    const [[row]] = (await conn.query(
      'SELECT COALESCE(SUM(on_hand_delta), 0) AS d FROM movements WHERE sku = ? AND location = ? AND occurred_at > ?',
      [m.sku, m.location, at],
    )) as unknown as [{ d: string | number }[]];
    state.priorDeltasAfter.set(`${k}@${at.getTime()}`, Number(row?.d ?? 0));
  }
  await loadTillAfter(conn, state, batch);
  return { state, versions, lastAt };
}

/** After a commit: the levels as written (version + 1), for the next batch (`LevelCache`). */
function remember(
  cache: LevelCache,
  { state, lastAt }: Awaited<ReturnType<typeof loadState>>,
  written: Touched[],
  newest: Map<string, number>,
) {
  // The fold never changes a level object in place (each movement sets a new one), so it is kept as it is.
  for (const t of written)
    cache.set(t.key, {
      level: state.levels.get(t.key)!,
      version: t.readVersion + 1,
      lastMovementAt: Math.max(lastAt.get(t.key) ?? 0, newest.get(t.key)!),
    });
}

/**
 * For each new reservation that may find its level short (the batch reserves more there than the level has free,
 * or also moves its on-hand), the units sold at the till there after the order's time: a reservation that arrives
 * after those sales is a POS sale of reserved stock, not an order accepted on a stale offer (see `Incident.kind`).
 * Most reservations find stock free and cost no query.
 */
async function loadTillAfter(conn: PoolConnection, state: LedgerState, batch: Movement[]) {
  const reserving = new Map<string, number>();
  const moving = new Set<string>();
  for (const m of batch) {
    if (state.seen.has(m.key)) continue; // a repeat moves nothing
    const k = levelKey(m.sku, m.location);
    if (m.kind === 'reserve') reserving.set(k, (reserving.get(k) ?? 0) + m.quantity);
    else if (m.kind === 'pos_sale' || m.kind === 'count' || m.kind === 'adjustment') moving.add(k);
  }
  for (const m of batch) {
    if (m.kind !== 'reserve' || state.seen.has(m.key)) continue;
    const k = levelKey(m.sku, m.location);
    const level = state.level(m.sku, m.location);
    const free = Math.max(0, level.onHand - level.reserved);
    const at = new Date(m.occurredAt);
    const key = `${k}@${at.getTime()}`;
    if (Number.isNaN(at.getTime()) || state.priorTillAfter.has(key)) continue;
    if (!moving.has(k) && (reserving.get(k) ?? 0) <= free) continue;
    const [[row]] = (await conn.query(
      "SELECT COALESCE(SUM(quantity), 0) AS q FROM movements WHERE sku = ? AND location = ? AND kind = 'pos_sale' AND occurred_at > ?",
      [m.sku, m.location, at],
    )) as unknown as [{ q: string | number }[]];
    state.priorTillAfter.set(key, Number(row?.q ?? 0));
  }
}

const lineRow = (r: RowDataPacket): OpenLine => ({
  lineKey: r.line_key,
  sku: r.sku,
  location: r.location,
  channel: r.channel,
  orderId: r.order_id,
  open: r.open,
});

type Applied = Extract<Outcome, { status: 'applied' }>;

async function insertMovements(conn: PoolConnection, applied: Applied[], ignoreKnown: boolean) {
  for (const part of chunks(applied)) {
    if (!part.length) continue;
    // Keys read first: a plain INSERT, where a key a concurrent batch committed meanwhile fails with 1062 and the
    // batch is re-read. Keys not read: INSERT IGNORE, and any row not inserted (or any warning, which IGNORE
    // would otherwise turn a bad value into) sends the batch to the path that reads them.
    const [res] = (await conn.query(
      `INSERT ${ignoreKnown ? 'IGNORE ' : ''}INTO movements (movement_key, content_hash, kind, sku, location, quantity, on_hand_delta, occurred_at, channel, order_id, order_line_id) VALUES ?`,
      [
        part.map(({ movement: m, hash, delta }) => [
          m.key,
          hash,
          m.kind,
          m.sku,
          m.location,
          m.quantity,
          delta,
          new Date(m.occurredAt),
          m.channel ?? null,
          m.orderId ?? null,
          m.orderLineId ?? null,
        ]),
      ],
    )) as unknown as [{ affectedRows: number; warningStatus: number }];
    if (ignoreKnown && (res.affectedRows !== part.length || res.warningStatus > 0))
      throw new KeysSeen('a movement key of the batch is in the ledger');
  }
}

async function writeLevels(conn: PoolConnection, state: LedgerState, levels: Touched[], applied: Applied[]) {
  const lastAt = new Map<string, number>();
  for (const { movement: m } of applied) {
    const k = levelKey(m.sku, m.location);
    lastAt.set(k, Math.max(lastAt.get(k) ?? 0, new Date(m.occurredAt).getTime()));
  }
  const row = (t: Touched) => {
    const l = state.levels.get(t.key)!;
    return [
      t.sku,
      t.location,
      l.onHand,
      l.reserved,
      sqlTime(l.countedAt),
      t.readVersion + 1,
      new Date(lastAt.get(t.key)!),
    ];
  };
  const cols = '(sku, location, on_hand, reserved, counted_at, version, last_movement_at)';
  for (const part of chunks(levels.filter((t) => t.readVersion === 0)))
    if (part.length) await conn.query(`INSERT INTO stock_levels ${cols} VALUES ?`, [part.map(row)]);
  // Each row is updated only if its version is still the one read; with CLIENT_FOUND_ROWS (mysql2's default) an
  // updated row counts 2 and a row left alone 1, so fewer than 2 per row means another writer got there first.
  const guard = 'version = VALUES(version) - 1';
  const set = ['on_hand', 'reserved', 'counted_at']
    .map((c) => `${c} = IF(${guard}, VALUES(${c}), ${c})`)
    .concat(`last_movement_at = IF(${guard}, GREATEST(last_movement_at, VALUES(last_movement_at)), last_movement_at)`)
    .concat(`version = IF(${guard}, VALUES(version), version)`)
    .join(', ');
  for (const part of chunks(levels.filter((t) => t.readVersion > 0))) {
    if (!part.length) continue;
    const [res] = (await conn.query(`INSERT INTO stock_levels ${cols} VALUES ? ON DUPLICATE KEY UPDATE ${set}`, [
      part.map(row),
    ])) as unknown as [{ affectedRows: number }];
    if (res.affectedRows !== 2 * part.length) throw new LostRace('a level changed since it was read');
  }
  return lastAt;
}

/** The lines as the fold left them: open units and location (a relocation's reserve leg moves the line). */
async function writeLines(conn: PoolConnection, state: LedgerState, applied: Applied[]) {
  const changed = [...new Set(applied.filter((o) => o.movement.orderLineId).map((o) => lineKey(o.movement)))].flatMap(
    (k) => {
      const l = state.lines.get(k);
      return l ? [[l.lineKey, l.sku, l.location, l.channel, l.orderId, l.open]] : [];
    },
  );
  for (const part of chunks(changed))
    if (part.length)
      await conn.query(
        'INSERT INTO reservations (line_key, sku, location, channel, order_id, open) VALUES ? ON DUPLICATE KEY UPDATE location = VALUES(location), open = VALUES(open), order_id = COALESCE(VALUES(order_id), order_id)',
        [part],
      );
}

async function insertIncidents(conn: PoolConnection, incidents: Incident[]) {
  if (!incidents.length) return;
  await conn.query(
    'INSERT IGNORE INTO stock_incidents (movement_key, kind, sku, location, units, order_ids, line_keys) VALUES ?',
    [
      incidents.map((i) => [
        i.movementKey,
        i.kind,
        i.sku,
        i.location,
        i.units,
        JSON.stringify(i.orderIds),
        JSON.stringify(i.lineKeys),
      ]),
    ],
  );
}

async function bumpSkus(conn: PoolConnection, skus: string[]) {
  const now = new Date();
  for (const part of chunks(skus.sort()))
    if (part.length)
      await conn.query(
        'INSERT INTO sku_sync (sku, ledger_version, stock_version, pushed_version, changed_at) VALUES ? ON DUPLICATE KEY UPDATE ' +
          'ledger_version = ledger_version + 1, stock_version = stock_version + 1, changed_at = VALUES(changed_at)',
        [part.map((s) => [s, 1, 1, 0, now])],
      );
}
