import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { inventorySetQuantities, ShopifyUserError, type ShopifyClient } from '../../connectors/shopify';
import { readInventoryLevelsBulk } from '../../connectors/shopify/inventory-bulk';
import { allocate, shareOut } from '../../domain/channels/allocation';
import { rulesFor } from '../../domain/channels/rules';
import { availableToSell } from '../../domain/inventory/ledger';
import type { Movement } from '../../domain/inventory/movements';
import { shopifyOnHandTarget } from '../../domain/inventory/offer';
import {
  addToCounts,
  emptyCounts,
  reconcileKey,
  type ReconCounts,
  type ReconDifference,
  type ReconInput,
} from '../../domain/inventory/recon';
import { taskQueueFor } from '../../domain/platform/task-queues';
import { reconDifferencesKey, reconQuarantineKey, reconSummaryKey } from '../../lake/recon-layout';
import { CHANNEL } from '../catalog/catalog';
import type { ChannelAllocations } from '../channels/allocations';
import type { Ledger } from './ledger';
import type { LedgerReads } from './ledger-reads';
import { requestStockPush, wakeStockPusher } from './stock-signals';

export interface StockReconSummary {
  day: string;
  runId: string;
  counts: ReconCounts;
  /** Store rows that could not be compared (negative counts), quarantined with their reason. */
  rejected: { read: number; rejected: number; byCode: Record<string, number> };
  corrections: {
    /** Count movements applied to the ledger (a store count newer than the ledger's last movement). */
    ledgerCounts: number;
    /** Shopify levels set back to the ledger's number, in bulk compare-and-set writes. */
    shopifySet: number;
    /** SKUs handed to the batched pusher, inventory-push (ledger corrected, item not stocked there, or a stale CAS). */
    pushesSignalled: number;
  };
  shopify: { levelsRead: number; locationsRead: number; pointsSpent: number; requests: number };
  /** The largest differences by value (the full list is in the lake). */
  sample: ReconDifference[];
  keys: { differences: string; summary: string; quarantine: string | null };
  seconds: number;
  /** Seconds per phase: where a run's time goes. */
  phases: Record<'pim' | 'store' | 'ledger' | 'shopify' | 'classify' | 'corrections' | 'write', number>;
}

export interface ReconDeps {
  inventory: Pool;
  pim: Pool;
  store: Pool;
  shopify: ShopifyClient;
  s3: S3Client;
  buckets: { lake: string; quarantine: string };
  ledger: Ledger;
  reads: LedgerReads;
  temporal: () => Promise<Client>;
  pageSize?: number;
  /** The allocation rules: Shopify is compared with its share, as the push sets it (none: everything). */
  allocations?: ChannelAllocations;
}

const k = (sku: string, location: string) => `${sku}\u0000${location}`;
/** Shopify's inventorySetQuantities takes at most 250 quantities per call. */
const SET_BATCH = 250;

/** Store DB vs ledger vs Shopify, per SKU × location, read in bulk; corrects where the rule is clear. */
export function createReconActivities(deps: ReconDeps) {
  const pageSize = deps.pageSize ?? 20_000;
  const beat = (d?: unknown) => Context.current().heartbeat(d);

  /** Keyset pages of a table ordered by two string columns (`sql(true)` has `WHERE a > ? OR (a = ? AND b > ?)`). */
  async function* pages(pool: Pool, sql: (after: boolean) => string, cols: [string, string]) {
    let after: [string, string] | null = null;
    for (;;) {
      const params = after ? [after[0], after[0], after[1], pageSize] : [pageSize];
      const [rows]: [RowDataPacket[], unknown] = await pool.query<RowDataPacket[]>(sql(after !== null), params);
      if (rows.length) yield rows;
      beat();
      if (rows.length < pageSize) return;
      const last: RowDataPacket = rows[rows.length - 1]!;
      after = [last[cols[0]] as string, last[cols[1]] as string];
    }
  }

  async function put(Bucket: string, Key: string, body: string, ContentType = 'application/x-ndjson') {
    await deps.s3.send(new PutObjectCommand({ Bucket, Key, Body: Buffer.from(body), ContentType }));
  }

  return {
    /**
     * One reconciliation of every SKU × location. Reads: the store DB's stock and shelf prices (keyset pages), the
     * ledger's levels and open reservations (pages), the PIM's mappings, and Shopify's levels with one bulk query.
     * With `correct`, applies the clear corrections (see `domain/inventory/recon.ts`): count movements through the
     * ledger's API (idempotent by store, SKU and count time, so a re-run adds nothing), Shopify on_hand set back
     * in compare-and-set batches of 250 (a stale batch goes to the SKUs' pushes instead). Writes every difference
     * and the summary to `inventory-reconcile/dt=<day>/<runId>/`; returns the summary.
     */
    async reconcileStock(input: { day: string; runId: string; correct: boolean }): Promise<StockReconSummary> {
      const started = Date.now();
      const phases = { pim: 0, store: 0, ledger: 0, shopify: 0, classify: 0, corrections: 0, write: 0 };
      let mark = Date.now();
      const phase = (name: keyof typeof phases) => {
        phases[name] = Math.round((Date.now() - mark) / 100) / 10;
        mark = Date.now();
      };
      const points0 = deps.shopify.stats.pointsSpent;
      const requests0 = deps.shopify.stats.requests;

      // PIM: known SKUs, their inventory items, the store → location mapping.
      const known = new Set<string>();
      for (let after = ''; ;) {
        const [rows] = await deps.pim.query<RowDataPacket[]>(
          'SELECT sku FROM variants WHERE sku > ? ORDER BY sku LIMIT ?',
          [after, pageSize],
        );
        for (const r of rows) known.add(r.sku as string);
        beat();
        if (rows.length < pageSize) break;
        after = rows[rows.length - 1]!.sku as string;
      }
      const itemOfSku = new Map<string, string>();
      const skuOfItem = new Map<string, string>();
      for (let after = 0; ;) {
        const [rows] = await deps.pim.query<RowDataPacket[]>(
          'SELECT pim_product_id AS id, external_variant_ids AS ids FROM channel_mappings WHERE channel = ? AND pim_product_id > ? ORDER BY pim_product_id LIMIT ?',
          [CHANNEL, after, pageSize],
        );
        for (const r of rows) {
          const ids = (typeof r.ids === 'string' ? JSON.parse(r.ids) : r.ids) as Record<
            string,
            { inventoryItemId?: string }
          > | null;
          for (const [sku, v] of Object.entries(ids ?? {}))
            if (v.inventoryItemId) {
              itemOfSku.set(sku, v.inventoryItemId);
              skuOfItem.set(v.inventoryItemId, sku);
            }
        }
        beat();
        if (rows.length < pageSize) break;
        after = rows[rows.length - 1]!.id as number;
      }
      const [maps] = await deps.pim.query<RowDataPacket[]>(
        'SELECT store_code, shopify_location_id FROM location_mappings WHERE active = TRUE',
      );
      const locationOfStore = new Map(maps.map((m) => [m.store_code as string, m.shopify_location_id as string]));
      const storeOfLocation = new Map([...locationOfStore].map(([s, l]) => [l, s]));

      phase('pim');
      const rows = new Map<string, ReconInput>();
      const row = (sku: string, location: string): ReconInput => {
        let r = rows.get(k(sku, location));
        if (!r) {
          r = {
            sku,
            location,
            knownSku: known.has(sku),
            mappedLocation: locationOfStore.has(location),
            published: itemOfSku.has(sku),
          };
          rows.set(k(sku, location), r);
        }
        return r;
      };

      // Store DB: counts (negative ones are bad rows, quarantined) and shelf prices.
      const quarantined: { code: string; reason: string; row: unknown }[] = [];
      let storeRead = 0;
      for await (const page of pages(
        deps.store,
        (a) =>
          `SELECT store_code, sku, on_hand, updated_at FROM stock ${a ? 'WHERE store_code > ? OR (store_code = ? AND sku > ?) ' : ''}ORDER BY store_code, sku LIMIT ?`,
        ['store_code', 'sku'],
      ))
        for (const s of page) {
          storeRead++;
          if (s.on_hand < 0) {
            quarantined.push({
              code: 'NEGATIVE_COUNT',
              reason: `on-hand count ${s.on_hand} is negative`,
              row: { storeCode: s.store_code, sku: s.sku, onHand: s.on_hand },
            });
            continue;
          }
          row(s.sku, s.store_code).store = { onHand: s.on_hand, updatedAt: (s.updated_at as Date).toISOString() };
        }
      for await (const page of pages(
        deps.store,
        (a) =>
          `SELECT store_code, sku, MIN(shelf_price) AS price FROM store_products ${a ? 'WHERE store_code > ? OR (store_code = ? AND sku > ?) ' : ''}GROUP BY store_code, sku ORDER BY store_code, sku LIMIT ?`,
        ['store_code', 'sku'],
      ))
        for (const p of page) {
          const r = rows.get(k(p.sku, p.store_code));
          if (r) r.shelfPrice = Math.max(0, Number(p.price));
        }

      phase('store');
      // Ledger: levels, open Shopify reservations, safety stock.
      const [open] = await deps.inventory.query<RowDataPacket[]>(
        'SELECT sku, location, SUM(open) AS n FROM reservations WHERE open > 0 AND channel = ? GROUP BY sku, location',
        [CHANNEL],
      );
      const shopifyReserved = new Map(open.map((o) => [k(o.sku, o.location), Number(o.n)]));
      for await (const page of pages(
        deps.inventory,
        (a) =>
          `SELECT sku, location, on_hand, reserved, last_movement_at FROM stock_levels ${a ? 'WHERE sku > ? OR (sku = ? AND location > ?) ' : ''}ORDER BY sku, location LIMIT ?`,
        ['sku', 'location'],
      )) {
        const safety = await deps.reads.safetyStockOf([...new Set(page.map((l: RowDataPacket) => l.sku as string))]);
        for (const l of page)
          row(l.sku, l.location).ledger = {
            onHand: l.on_hand,
            reserved: l.reserved,
            shopifyReserved: shopifyReserved.get(k(l.sku, l.location)) ?? 0,
            safetyStock: safety.get(l.sku) ?? 0,
            lastMovementAt: (l.last_movement_at as Date).toISOString(),
          };
      }

      phase('ledger');
      // Shopify: every level, one bulk query.
      let levelsRead = 0;
      let locationsRead = 0;
      for await (const line of readInventoryLevelsBulk(deps.shopify, { onPoll: () => beat() })) {
        if ('location' in line) {
          locationsRead++;
          continue;
        }
        levelsRead++;
        const l = line.level;
        const sku = skuOfItem.get(l.inventoryItemId) ?? l.sku ?? l.inventoryItemId;
        const location = storeOfLocation.get(l.locationId) ?? l.locationId;
        const r = row(sku, location);
        // A level whose item we did not publish is Shopify's own: unknown to us, whatever its SKU says.
        if (!skuOfItem.has(l.inventoryItemId)) r.knownSku = false;
        r.shopify = { onHand: l.onHand, available: l.available, committed: l.committed };
        if (levelsRead % 5000 === 0) beat({ levelsRead });
      }

      phase('shopify');
      if (deps.allocations) await capAtShopifyShares(deps.allocations, rows.values());
      const counts = emptyCounts();
      const differences: ReconDifference[] = [];
      for (const r of rows.values()) {
        const d = reconcileKey(r);
        addToCounts(counts, d);
        if (d) differences.push(d);
      }
      differences.sort(
        (a, b) => b.value - a.value || a.sku.localeCompare(b.sku) || a.location.localeCompare(b.location),
      );

      phase('classify');
      const corrections = { ledgerCounts: 0, shopifySet: 0, pushesSignalled: 0 };
      if (input.correct) {
        const push = new Map<string, string | undefined>();
        const counted: Movement[] = differences
          .filter((d) => d.correction?.ledgerCountTo !== undefined)
          .map((d) => {
            const at = rows.get(k(d.sku, d.location))!.store!.updatedAt;
            return {
              key: `recon-count/${d.location}/${d.sku}/${at}`,
              kind: 'count',
              sku: d.sku,
              location: d.location,
              quantity: d.correction!.ledgerCountTo!,
              occurredAt: at,
            };
          });
        if (counted.length) {
          const applied = await deps.ledger.applyMovements(counted, { source: 'stock-reconcile' });
          corrections.ledgerCounts = applied.applied;
          for (const sku of applied.changedSkus) push.set(sku, undefined);
        }
        // Shopify follows the ledger. SKUs whose ledger just changed are left to their push (it reads the new level).
        const sets = differences.filter(
          (d) =>
            d.correction?.shopifyOnHandTo !== undefined && d.correction.ledgerCountTo === undefined && !push.has(d.sku),
        );
        for (const d of sets) if (d.correction!.shopifyFrom === null) push.set(d.sku, d.location);
        const cas = sets.filter((d) => d.correction!.shopifyFrom !== null);
        const attempt = Context.current().info.attempt;
        for (let i = 0; i < cas.length; i += SET_BATCH) {
          const batch = cas.slice(i, i + SET_BATCH);
          const key = createHash('sha256').update(`${input.runId}|${attempt}|recon|${i}`).digest('hex');
          try {
            await inventorySetQuantities(
              deps.shopify,
              {
                name: 'on_hand',
                reason: 'correction',
                quantities: batch.map((d) => ({
                  inventoryItemId: itemOfSku.get(d.sku)!,
                  locationId: locationOfStore.get(d.location)!,
                  quantity: d.correction!.shopifyOnHandTo!,
                  changeFromQuantity: d.correction!.shopifyFrom!,
                })),
              },
              key,
            );
            corrections.shopifySet += batch.length;
          } catch (err) {
            // Something moved since the bulk read (an order, a push): each SKU's push sets it from a fresh read.
            if (!(err instanceof ShopifyUserError && err.codes.includes('CHANGE_FROM_QUANTITY_STALE'))) throw err;
            for (const d of batch) push.set(d.sku, d.location);
          }
          beat({ shopifySet: corrections.shopifySet });
        }
        if (push.size) {
          const queue = taskQueueFor('shopify', Context.current().info.taskQueue);
          // Pushed by the batched pusher from a fresh read, whatever their signature.
          corrections.pushesSignalled += await requestStockPush(deps.inventory, [...push.keys()]);
          await wakeStockPusher(await deps.temporal(), queue);
          beat({ pushesSignalled: corrections.pushesSignalled });
        }
      }

      phase('corrections');
      const keys = {
        differences: reconDifferencesKey(input.day, input.runId),
        summary: reconSummaryKey(input.day, input.runId),
        quarantine: quarantined.length ? reconQuarantineKey(input.day, input.runId) : null,
      };
      await put(deps.buckets.lake, keys.differences, differences.map((d) => `${JSON.stringify(d)}\n`).join(''));
      if (keys.quarantine)
        await put(deps.buckets.quarantine, keys.quarantine, quarantined.map((q) => `${JSON.stringify(q)}\n`).join(''));
      const byCode: Record<string, number> = {};
      for (const q of quarantined) byCode[q.code] = (byCode[q.code] ?? 0) + 1;
      const summary: StockReconSummary = {
        day: input.day,
        runId: input.runId,
        counts,
        rejected: { read: storeRead, rejected: quarantined.length, byCode },
        corrections,
        shopify: {
          levelsRead,
          locationsRead,
          pointsSpent: Math.round(deps.shopify.stats.pointsSpent - points0),
          requests: deps.shopify.stats.requests - requests0,
        },
        sample: differences.slice(0, 20),
        keys,
        seconds: Math.round((Date.now() - started) / 100) / 10,
        phases,
      };
      phase('write');
      await put(deps.buckets.lake, keys.summary, JSON.stringify(summary, null, 1), 'application/json');
      return summary;
    },
  };
}

/**
 * Sets each published, mapped row's `shopifyShare`: the SKU's Shopify allocation (on the ledger's available_to_sell
 * over all its locations) shared out over its mapped locations as `pushSkuStock` does, so the reconciliation
 * never "corrects" Shopify back above its allocation.
 */
async function capAtShopifyShares(allocations: ChannelAllocations, all: Iterable<ReconInput>): Promise<void> {
  const { set } = await allocations.rulesInForce(); // one read for the run, not one per SKU
  const bySku = new Map<string, ReconInput[]>();
  for (const r of all) if (r.knownSku) bySku.set(r.sku, [...(bySku.get(r.sku) ?? []), r]);
  for (const [sku, rows] of bySku) {
    const available = rows.reduce((n, r) => n + (r.ledger ? availableToSell(r.ledger, r.ledger.safetyStock) : 0), 0);
    const offered = rows.filter((r) => r.mappedLocation && r.published);
    const can = new Map(
      offered.map((r) => [
        r.location,
        shopifyOnHandTarget({
          onHand: r.ledger?.onHand ?? 0,
          reserved: r.ledger?.reserved ?? 0,
          shopifyReserved: r.ledger?.shopifyReserved ?? 0,
          committed: r.shopify?.committed ?? 0,
          safetyStock: r.ledger?.safetyStock ?? 0,
        }).offer,
      ]),
    );
    const allocation = allocate(available, rulesFor(set, sku)).get('shopify') ?? 0;
    const shares = shareOut(allocation, can);
    for (const r of offered) r.shopifyShare = shares.get(r.location) ?? 0;
  }
}
