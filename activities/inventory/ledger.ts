import { createHash } from 'node:crypto';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import type { Incident } from '../../domain/inventory/ledger';
import { validateMovement, type Movement, type Rejection } from '../../domain/inventory/movements';
import { movementQuarantineKey } from '../../lake/inventory-layout';
import { LevelCache } from './level-cache';
import { writeBatch } from './ledger-store';

/**
 * The stock ledger's write API, for every area that moves stock (POS pickup, store intake, order reservations,
 * Amazon orders):
 *
 *   const ledger = createLedger({ inventory, pim, store, s3, quarantineBucket });
 *   const r = await ledger.applyMovements(movements, { source: 'pos-pickup' });
 *   // r.read === r.applied + r.duplicates + r.rejected.length
 *
 * A movement (`domain/inventory/movements.ts`) carries its source's idempotency key: a key applied before with
 * the same content is a duplicate (counted, no effect); with other content it is rejected (DUPLICATE_CONFLICT).
 * Unknown SKUs (not a PIM variant), locations that are neither a store nor a warehouse, negative counts and
 * malformed rows are rejected with a reason, written to the quarantine bucket and counted; the rest is
 * applied. Levels: `stock_levels` (on_hand, reserved; available_to_sell via `readLevels`). Every SKU it changed
 * is in `changedSkus` (and its `sku_sync.ledger_version` bumped): signal `inventory-sync/<sku>` for those.
 * The activity wrapper is `applyMovements` in `createLedgerActivities` (data queue).
 */
export interface ApplyResult {
  read: number;
  applied: number;
  duplicates: number;
  rejected: (Rejection & { key: string })[];
  incidents: Incident[];
  changedSkus: string[];
  /** Transactions re-run after losing an optimistic-lock race. */
  retries: number;
  /** Where the rejected movements went (quarantine bucket), if any. */
  quarantineKey?: string;
}

export interface LedgerDeps {
  inventory: Pool;
  pim: Pool;
  store: Pool;
  s3: S3Client;
  quarantineBucket: string;
}

/** Locations change rarely: re-read at most this often. */
const LOCATIONS_TTL_MS = 30_000;
/**
 * A SKU found in the PIM is taken as known for this long without asking again (a page of POS sales names the same
 * few thousand SKUs as the last one). Only hits are kept: a SKU not found is asked about every time, so a SKU the
 * PIM gains is accepted at once, and one it drops is rejected after at most this long.
 */
const SKUS_TTL_MS = 30_000;
const SKUS_CACHED_MAX = 200_000;
// Movements per transaction: a level and a SKU counter are written once per batch, so larger batches share them
// (a page of 50,000 POS sales over a few thousand SKUs × 4 stores writes ~0.35 levels and ~0.1 counters a sale,
// 10,000 wrote ~0.8 and ~0.45). The cost is lock time: a reservation on a SKU waits for the commit, ~2 s at most.
const BATCH = 50_000;

export function createLedger(deps: LedgerDeps) {
  let locations: { at: number; codes: Promise<Set<string>> } | undefined;
  const knownLocations = () => {
    if (!locations || Date.now() - locations.at > LOCATIONS_TTL_MS) {
      const codes = (async () => {
        const [stores] = await deps.store.query<RowDataPacket[]>('SELECT code FROM stores');
        const [houses] = await deps.inventory.query<RowDataPacket[]>('SELECT code FROM warehouses');
        return new Set([...stores, ...houses].map((r) => r.code as string));
      })();
      locations = { at: Date.now(), codes };
      codes.catch(() => (locations = undefined));
    }
    return locations.codes;
  };
  const skusSeen = new Map<string, number>();
  const levels = new LevelCache();
  const knownSkus = async (skus: string[]) => {
    const now = Date.now();
    const found = new Set<string>();
    const ask = skus.filter((s) => (now - (skusSeen.get(s) ?? -Infinity) < SKUS_TTL_MS ? !found.add(s) : true));
    for (let i = 0; i < ask.length; i += 1000) {
      const [rows] = await deps.pim.query<RowDataPacket[]>('SELECT sku FROM variants WHERE sku IN (?)', [
        ask.slice(i, i + 1000),
      ]);
      for (const r of rows) found.add(r.sku as string);
    }
    if (skusSeen.size + ask.length > SKUS_CACHED_MAX) skusSeen.clear();
    for (const s of ask) if (found.has(s)) skusSeen.set(s, now);
    return found;
  };

  /** Rejections before the ledger is read: shape, catalogue and location. */
  async function screen(movements: Movement[]) {
    const rejected = new Map<number, Rejection>();
    movements.forEach((m, i) => {
      const r = validateMovement(m);
      if (r) rejected.set(i, r);
    });
    const skus = await knownSkus([...new Set(movements.filter((_, i) => !rejected.has(i)).map((m) => m.sku))]);
    const codes = await knownLocations();
    movements.forEach((m, i) => {
      if (rejected.has(i)) return;
      if (!skus.has(m.sku)) rejected.set(i, { code: 'UNKNOWN_SKU', reason: `SKU ${m.sku} is not in the PIM` });
      else if (!codes.has(m.location))
        rejected.set(i, {
          code: 'LOCATION_UNMAPPED',
          reason: `location ${m.location} is neither a store nor a warehouse`,
        });
    });
    return rejected;
  }

  async function quarantine(source: string, rows: { movement: Movement; rejection: Rejection }[]) {
    if (!rows.length) return undefined;
    const body = rows.map((r) => JSON.stringify({ ...r.rejection, movement: r.movement })).join('\n') + '\n';
    // Named by content: a retried batch overwrites its own file, nothing else.
    const id = createHash('sha256').update(body).digest('hex').slice(0, 16);
    const key = movementQuarantineKey(source, new Date(), id);
    await deps.s3.send(
      new PutObjectCommand({
        Bucket: deps.quarantineBucket,
        Key: key,
        Body: body,
        ContentType: 'application/x-ndjson',
      }),
    );
    return key;
  }

  return {
    /**
     * Applies movements in order (in transactions of up to 50,000), idempotent by key. `alsoInTransaction` runs
     * inside the last transaction (a cursor that must commit with the movements it covers).
     */
    async applyMovements(
      movements: Movement[],
      opts: {
        source: string;
        alsoInTransaction?: (conn: PoolConnection) => Promise<void>;
        /** Mostly movements applied before (a re-read overlap): their keys are read first (see `writeBatch`). */
        seenBefore?: boolean;
      },
    ): Promise<ApplyResult> {
      const rejectedAt = await screen(movements);
      const good = movements.filter((_, i) => !rejectedAt.has(i));
      const result: ApplyResult = {
        read: movements.length,
        applied: 0,
        duplicates: 0,
        rejected: [],
        incidents: [],
        changedSkus: [],
        retries: 0,
      };
      const bad = [...rejectedAt]
        .sort((a, b) => a[0] - b[0])
        .map(([i, rejection]) => ({ movement: movements[i]!, rejection }));
      const changed = new Set<string>();
      for (let i = 0; i < good.length || (i === 0 && opts.alsoInTransaction); i += BATCH) {
        const part = good.slice(i, i + BATCH);
        const last = i + BATCH >= good.length;
        const w = await writeBatch(
          deps.inventory,
          part,
          last ? opts.alsoInTransaction : undefined,
          opts.seenBefore,
          levels,
        );
        w.outcomes.forEach((o, j) => {
          if (o.status === 'applied') result.applied++;
          else if (o.status === 'duplicate') result.duplicates++;
          else bad.push({ movement: part[j]!, rejection: o.rejection });
        });
        result.incidents.push(...w.incidents);
        result.retries += w.retries;
        for (const s of w.changedSkus) changed.add(s);
        if (!part.length) break;
      }
      result.rejected = bad.map((b) => ({ key: b.movement.key, ...b.rejection }));
      result.changedSkus = [...changed];
      const key = await quarantine(opts.source, bad);
      return key ? { ...result, quarantineKey: key } : result;
    },
  };
}

export type Ledger = ReturnType<typeof createLedger>;
