import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import {
  activateInventory,
  inventoryItemsLevels,
  ShopifyUserError,
  type InventoryQuantity,
  type ShopifyClient,
} from '../../connectors/shopify';
import { shareOut } from '../../domain/channels/allocation';
import { shopifyOnHandTarget } from '../../domain/inventory/offer';
import type { ChannelAllocations } from '../channels/allocations';
import { pimDb, storeDb } from '../../db/client';
import type { ValidationProblem } from '../../domain/catalog/pim-product';
import { CHANNEL, recordSyncError } from '../catalog/catalog';
import { INVENTORY_CHANNEL } from './inventory';
import type { LedgerLevel, LedgerReads } from './ledger-reads';
import { activationProblem, createLocationMatcher } from './location-mappings';
import { keepAlive } from '../channels/keep-alive';
import { setOnHandStaleAware } from './cas-write';
import { BULK_LEVELS_ABOVE, levelsSnapshot, type LevelsSnapshot } from './levels-snapshot';
import { requestStockCheck } from './stock-signals';

/** Units over every location of an offer split (`Job.offered`). */
const total = (offered: Record<string, number>) => Object.values(offered).reduce((a, b) => a + b, 0);

export interface SkuPushResult {
  sku: string;
  /** The ledger version this push made Shopify equal to (pushed_version afterwards). */
  version: number;
  status: 'Synced' | 'Skipped';
  /**
   * Why nothing was written: the SKU has no Shopify inventory item yet, no ledger level, or Shopify refused its
   * inventory item (recorded in sync_errors), or its levels kept changing under every re-read (`busy`: left pending).
   */
  skippedBecause?: 'unpublished' | 'no-ledger-stock' | 'refused' | 'busy';
  locations: number;
  writes: number;
  changed: number;
  /** What each mapped location now offers (Shopify `available` as we set it), within Shopify's allocation. */
  offered: Record<string, number>;
  unmappedLocations: string[];
  /** Store codes whose level Shopify refused to stock (recorded in sync_errors, channel shopify-inventory). */
  refusedLocations?: string[];
  /** Nothing Shopify's quantities follow from changed since the last push: nothing was read or written. */
  unchanged?: boolean;
}

/** What one pass of the pending-stock pusher did (the workflow's current details add these up). */
export interface PendingPushReport {
  passes: number;
  /** SKUs taken from sku_sync (pushed_version < ledger_version). */
  skus: number;
  /** Of those, SKUs whose Shopify quantities could not have changed (same offer inputs as the last push). */
  unchanged: number;
  /** inventorySetQuantities / inventoryActivate calls. */
  writes: number;
  /** Levels written. */
  changed: number;
  skipped: number;
}

/** Most points one levels read may cost (Shopify's single-query ceiling is 1,000): it sets items per read. */
const READ_COST_CEILING = 900;
/** Shopify: at most 250 quantities per inventorySetQuantities input. */
const QUANTITIES_PER_WRITE = 250;
/** SKUs one pass of the pending pusher takes. */
const PASS_SKUS = 250;
/** Overlap of the changed_at scan (changes committed with a slightly older timestamp than the last scan). */
const SCAN_OVERLAP_MS = 2_000;
/**
 * The least time between two writes of one SKU: a burst of sales on it (a till scanning a case, a store count
 * arriving line by line) becomes one or two writes. Below the scan overlap, so a held-back SKU is seen again.
 */
const SAME_SKU_EVERY_MS = 1_000;
/** Every so often the whole table is swept, whatever its changed_at (a failed pass, another worker's crash). */
const SWEEP_EVERY_MS = 10_000;

/**
 * Ledger → Shopify at every mapped location, for one SKU (`pushSkuStock`, the `inventory-sync/<sku>` workflow of an
 * operator's resync or a rules change) or for every SKU whose ledger changed (`pushPendingStock`, the
 * `inventory-push/<queue>` workflow the ledger wakes after its commits): levels read in batches, one
 * compare-and-set write per batch under per-operation idempotency keys.
 */
export function createStockPushActivities(deps: {
  inventory: Pool;
  pim: Pool;
  store: Pool;
  shopify: ShopifyClient;
  reads: LedgerReads;
  /** The allocation rules: Shopify offers at most its share (`channels` area); without them, everything. */
  allocations?: ChannelAllocations;
}) {
  const pim = pimDb(deps.pim);
  const locations = createLocationMatcher({ pim, store: storeDb(deps.store), shopify: deps.shopify });
  /** A refusal is the product's recorded problem (sync_errors), named by SKU, item and location. */
  async function recordRefusal(sku: string, problems: ValidationProblem[]) {
    const [rows] = await deps.pim.query<RowDataPacket[]>('SELECT product_id FROM variants WHERE sku = ?', [sku]);
    const pimId = rows[0]?.product_id as number | undefined;
    if (pimId === undefined) return;
    await recordSyncError(
      pim,
      pimId,
      problems.map((p) => ({ ...p, message: `${sku}: ${p.message}` })),
      INVENTORY_CHANNEL,
    );
  }
  /** Each SKU's Shopify inventory item (from the product's channel mapping), for those that have one. */
  async function inventoryItemsOf(skus: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (let i = 0; i < skus.length; i += 1000) {
      const [rows] = await deps.pim.query<RowDataPacket[]>(
        'SELECT v.sku, cm.external_variant_ids AS ids FROM variants v JOIN channel_mappings cm ON cm.pim_product_id = v.product_id AND cm.channel = ? WHERE v.sku IN (?)',
        [CHANNEL, skus.slice(i, i + 1000)],
      );
      for (const r of rows) {
        const ids = (typeof r.ids === 'string' ? JSON.parse(r.ids) : r.ids) as Record<
          string,
          { inventoryItemId?: string }
        > | null;
        const item = ids?.[r.sku]?.inventoryItemId;
        if (item) out.set(r.sku as string, item);
      }
    }
    return out;
  }
  async function mappedLocations(): Promise<Map<string, string>> {
    const [rows] = await deps.pim.query<RowDataPacket[]>(
      'SELECT store_code, shopify_location_id FROM location_mappings WHERE active = TRUE',
    );
    return new Map(rows.map((r) => [r.store_code as string, r.shopify_location_id as string]));
  }
  async function syncVersions(skus: readonly string[]) {
    const out = new Map<string, { ledgerVersion: number; signature: string | null }>();
    if (!skus.length) return out;
    const [rows] = await deps.inventory.query<RowDataPacket[]>(
      'SELECT sku, ledger_version, pushed_signature FROM sku_sync WHERE sku IN (?)',
      [skus],
    );
    for (const r of rows)
      out.set(r.sku as string, {
        ledgerVersion: Number(r.ledger_version),
        signature: (r.pushed_signature as string | null) ?? null,
      });
    return out;
  }
  /** pushed_version := the version read before the levels; the signature of what was pushed, if it all was. */
  async function markPushed(done: { sku: string; version: number; signature: string | null }[]) {
    if (!done.length) return;
    const now = new Date();
    await deps.inventory.query(
      'INSERT INTO sku_sync (sku, ledger_version, pushed_version, changed_at, pushed_at, pushed_signature) VALUES ? ' +
        // A pass older than a newer pass keeps that one's signature; one older than the ledger (a change or a forced
        // push since its read) leaves none, so the next pass reads and compares instead of trusting a stale skip.
        'ON DUPLICATE KEY UPDATE pushed_signature = IF(VALUES(pushed_version) < pushed_version, pushed_signature, ' +
        'IF(VALUES(pushed_version) >= ledger_version, VALUES(pushed_signature), NULL)), ' +
        'pushed_version = GREATEST(pushed_version, VALUES(pushed_version)), pushed_at = VALUES(pushed_at)',
      [done.map((d) => [d.sku, d.version, d.version, now, now, d.signature])],
    );
  }

  /**
   * Records what Shopify may offer of each SKU from `at` (sku_sync.shopify_offered): the Amazon senders leave room
   * for it, less the Shopify orders the ledger reserves after `at` (`channelAllocations.exposureBeside`).
   */
  async function recordOffers(items: { sku: string; offered: number; at: Date }[]) {
    await setPerSku(
      ['shopify_offered', 'shopify_offered_at'],
      items.map((x) => ({ sku: x.sku, values: [x.offered, x.at] })),
    );
  }

  /** Per SKU, sets sku_sync's `columns` (names from this file, never input) to that SKU's `values`, in that order. */
  async function setPerSku(columns: readonly string[], rows: { sku: string; values: unknown[] }[]) {
    for (let i = 0; i < rows.length; i += 500) {
      const chunk = rows.slice(i, i + 500);
      const cases = chunk.map(() => 'WHEN ? THEN ?').join(' ');
      await deps.inventory.query(
        `UPDATE sku_sync SET ${columns.map((c) => `${c} = CASE sku ${cases} END`).join(', ')} WHERE sku IN (?)`,
        [...columns.flatMap((_, k) => chunk.flatMap((r) => [r.sku, r.values[k]])), chunk.map((r) => r.sku)],
      );
    }
  }

  /**
   * SKUs whose `recheck_at` has come: marked for a look (`requestStockCheck`), then their recheck cleared (one made
   * since for later stays). Each pusher pass and the pickup's sweep (`laggingSkus`, while the pusher is idle) call it.
   */
  async function releaseDueRechecks(limit = 500): Promise<string[]> {
    const now = new Date();
    const [rows] = await deps.inventory.query<RowDataPacket[]>(
      'SELECT sku FROM sku_sync WHERE recheck_at <= ? ORDER BY recheck_at LIMIT ?',
      [now, limit],
    );
    const skus = rows.map((r) => r.sku as string);
    if (!skus.length) return skus;
    await requestStockCheck(deps.inventory, skus);
    await deps.inventory.query('UPDATE sku_sync SET recheck_at = NULL WHERE sku IN (?) AND recheck_at <= ?', [
      skus,
      now,
    ]);
    return skus;
  }

  /**
   * Before a write: records the larger of what Shopify offers and what it is about to be set to, then reads the
   * Amazon channels' exposure again. An Amazon send records its quantity before it reads Shopify's, so of a send and
   * a write racing, at least one sees the other's figure (before, each could raise its channel on the other's old
   * one). Returns the jobs whose exposure grew since the pass read it (`exposure` is updated), to be worked out again.
   */
  async function publishOffers<J extends { sku: string; current: number; offered: Record<string, number> }>(
    jobs: readonly J[],
    exposure: Map<string, number>,
    round: number,
    windows: Map<string, number>,
  ): Promise<J[]> {
    const now = new Date();
    await recordOffers(
      jobs.map((j) => ({
        sku: j.sku,
        offered: Math.max(j.current, total(j.offered)),
        at: now,
      })),
    );
    // The fifth round writes what it has (it is the last one a stale read gets).
    if (round >= 5) return [];
    const again = await deps.allocations!.otherChannelsExposure(
      jobs.map((j) => j.sku),
      windows,
    );
    const grown = jobs.filter((j) => (again.get(j.sku) ?? 0) > (exposure.get(j.sku) ?? 0));
    for (const j of grown) exposure.set(j.sku, again.get(j.sku)!);
    return grown;
  }

  /**
   * The inputs Shopify's quantities follow from, per SKU: the mapped locations, and at each its on_hand less what
   * other channels reserved and the safety stock; Shopify's own reservations and committed units cancel out of
   * the offer it is set to (`domain/inventory/offer.ts`), so an order on Shopify, its cancellation or its
   * reservation leaves the signature as it was. Shopify's share enters only when it caps what is offered, and with
   * it Shopify's reservations (a capped offer does not follow on_hand, so Shopify's own sales move it).
   */
  function signatureOf(
    levels: readonly LedgerLevel[],
    mapped: ReadonlyMap<string, string>,
    share: number,
    available: number,
  ): string {
    const parts = [...mapped]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([code, id]) => {
        const l = levels.find((x) => x.location === code);
        const other = l ? l.reserved - (l.reservedBy[CHANNEL] ?? 0) : 0;
        return `${code}=${id}:${l ? l.onHand - other : 0}`;
      });
    // Capped, Shopify is set to its share whatever it sold: its own sale takes a unit off its `available` and, once
    // reserved, often leaves the share as it was (40 % of 16 and of 15 are both 6), so its reservations are part of
    // the signature then. Before, the pass after such a sale skipped the SKU and left Shopify a unit below its share
    // for good (cross-channel-oversell, 3 of 28 SKUs).
    const ownReserved = levels.reduce((n, l) => n + (l.reservedBy[CHANNEL] ?? 0), 0);
    const cap = share >= available ? 'all' : `${share} own ${ownReserved}`;
    return createHash('sha256')
      .update(`${parts.join(',')}|safety ${levels[0]?.safetyStock ?? 0}|share ${cap}`)
      .digest('hex')
      .slice(0, 32);
  }

  /**
   * Makes every mapped Shopify location offer what the ledger can sell there for each SKU. Versions are read
   * before the levels, so a change committed meanwhile leaves pushed < ledger and is pushed again. A SKU whose
   * signature equals the last push's is only marked pushed (unless `force`). The rest: their levels read in
   * batches (aliased inventoryItem reads sized by Shopify's query cost), one compare-and-set write per up to 250
   * quantities (a stale read is re-read, up to 5 rounds) under an idempotency key from `operationId` + attempt +
   * round. A batch write Shopify refuses for another reason is redone SKU by SKU, so one bad SKU can't hold back
   * the others.
   */
  async function pushSkus(
    skus: readonly string[],
    operationId: string,
    opts: { force?: boolean; isolate?: boolean; snapshot?: LevelsSnapshot } = {},
  ): Promise<SkuPushResult[]> {
    const unique = [...new Set(skus)];
    const versions = await syncVersions(unique);
    // The Amazon channels' exposure is read before the levels: an Amazon order the ledger reads in between is then
    // counted in neither (a lower offer), never in both.
    // When a quantity an Amazon channel replaced (and may still show) stops counting: the SKU is looked at again then.
    const windows = new Map<string, number>();
    const exposure = await deps.allocations?.otherChannelsExposure(unique, windows);
    const allLevels = await deps.reads.levelsOf(unique);
    const items = await inventoryItemsOf(unique);
    const levelsBy = new Map<string, LedgerLevel[]>();
    for (const l of allLevels) levelsBy.set(l.sku, [...(levelsBy.get(l.sku) ?? []), l]);
    let mappedAt = Date.now();
    let mapped = await mappedLocations();
    // A store with stock and no mapping (stock that reached the ledger after the product was published, a store
    // opened since): match the stores to the shop's locations again (at most once a minute per process).
    if (allLevels.some((l) => l.onHand > 0 && !mapped.has(l.location))) {
      await locations.rematch();
      mappedAt = Date.now();
      mapped = await mappedLocations();
    }
    const attempt = Context.current().info.attempt;
    const key = (what: string) => createHash('sha256').update(`${operationId}|${attempt}|stock|${what}`).digest('hex');
    const results = new Map<string, SkuPushResult>();
    const done: { sku: string; version: number; signature: string | null }[] = [];
    /** What Shopify offers of each SKU once this push is done (sku_sync.shopify_offered). */
    const offers: { sku: string; offered: number; at: Date }[] = [];
    const versionOf = (sku: string) => versions.get(sku)?.ledgerVersion ?? 0;
    const unmappedOf = (sku: string) =>
      (levelsBy.get(sku) ?? []).filter((l) => !mapped.has(l.location) && l.onHand > 0).map((l) => l.location);

    // Shopify's share of each SKU under the allocation rules (all of it when no rule says otherwise), computed on
    // the ledger's available_to_sell as channel-sync computes the Amazon channels' shares, and at most what the
    // Amazon channels' exposure leaves (what they may offer now or have sold unread: `otherChannelsExposure`).
    const availableOf = new Map(
      unique.map((sku) => [sku, (levelsBy.get(sku) ?? []).reduce((n, l) => n + l.availableToSell, 0)]),
    );
    const shares = deps.allocations
      ? await deps.allocations.shopifySharesOf(
          unique.map((sku) => ({ sku, available: availableOf.get(sku)! })),
          exposure,
        )
      : availableOf;

    interface Job {
      sku: string;
      itemId: string;
      levels: LedgerLevel[];
      signature: string;
      refused: Map<string, ValidationProblem>;
      writes: number;
      changed: number;
      offered: Record<string, number>;
      /** What Shopify offered at the mapped locations as last read, and when that read was made. */
      current: number;
      readAt: number;
      /** When the last write of it was sent. */
      writeAt?: number;
    }
    const jobs: Job[] = [];
    for (const sku of unique) {
      const levels = levelsBy.get(sku) ?? [];
      const itemId = items.get(sku);
      const base = { sku, version: versionOf(sku), locations: 0, writes: 0, changed: 0, offered: {} };
      if (!itemId || !levels.length) {
        results.set(sku, {
          ...base,
          status: 'Skipped',
          skippedBecause: itemId ? 'no-ledger-stock' : 'unpublished',
          unmappedLocations: [],
        });
        done.push({ sku, version: versionOf(sku), signature: null });
        continue;
      }
      const signature = signatureOf(levels, mapped, shares.get(sku) ?? 0, availableOf.get(sku)!);
      if (!opts.force && signature === versions.get(sku)?.signature) {
        results.set(sku, {
          ...base,
          status: 'Synced',
          unchanged: true,
          locations: mapped.size,
          unmappedLocations: unmappedOf(sku),
        });
        done.push({ sku, version: versionOf(sku), signature });
        continue;
      }
      jobs.push({
        sku,
        itemId,
        levels,
        signature,
        refused: new Map(),
        writes: 0,
        changed: 0,
        offered: {},
        current: 0,
        readAt: 0,
      });
    }

    let rematched = false;
    let pending = jobs;
    for (let round = 1; pending.length; round++) {
      const first = Math.min(250, Math.max(1, mapped.size));
      const perRequest = Math.max(1, Math.floor(READ_COST_CEILING / (3 + 3 * first)));
      // A backlog's first round takes what it can from the pusher's bulk read (levels-snapshot.ts), the rest and
      // every later round (stale compare quantities, a remap) read item by item.
      const ids = pending.map((j) => j.itemId);
      const readAt = Date.now();
      const bulk = round === 1 && opts.snapshot ? opts.snapshot.take(ids) : new Map();
      const shop = new Map([
        ...bulk,
        ...(await inventoryItemsLevels(
          deps.shopify,
          ids.filter((id) => !bulk.has(id)),
          first,
          perRequest,
        )),
      ]);
      const writes: { job: Job; quantity: InventoryQuantity }[] = [];
      const next: Job[] = [];
      let remapped = false;
      for (const job of pending) {
        const shopLevels = shop.get(job.itemId);
        if (!shopLevels) {
          job.refused.set('*', {
            code: 'INVENTORY_ITEM_UNKNOWN',
            message: `inventory item ${job.itemId} is not known to the shop (its product must be published again)`,
          });
          continue;
        }
        const byLocation = new Map(job.levels.map((l) => [l.location, l]));
        const views = [...mapped]
          .filter(([code]) => !job.refused.has(code))
          .map(([code, locationId]) => {
            const level = byLocation.get(code);
            const at = shopLevels.get(locationId) ?? null;
            const want = shopifyOnHandTarget({
              onHand: level?.onHand ?? 0,
              reserved: level?.reserved ?? 0,
              shopifyReserved: level?.reservedBy[CHANNEL] ?? 0,
              committed: at?.committed ?? 0,
              safetyStock: job.levels[0]!.safetyStock,
            });
            return { code, locationId, level, at, offer: want.offer };
          });
        job.current = views.reduce((n, v) => n + (v.at?.available ?? 0), 0);
        job.readAt = readAt;
        // Units Shopify committed that the ledger has not reserved yet (orders whose webhook is still on its way:
        // after a worker kill, tens of seconds) are sold: Shopify's share is of what is left without them, as it will
        // be once they are reserved. Before, the share of the ledger's figure re-offered some of them.
        const unknownCommitted = views.reduce(
          (n, v) => n + Math.max(0, (v.at?.committed ?? 0) - (v.level?.reservedBy[CHANNEL] ?? 0)),
          0,
        );
        const cap =
          unknownCommitted > 0 && deps.allocations
            ? ((
                await deps.allocations.shopifySharesOf(
                  [{ sku: job.sku, available: Math.max(0, availableOf.get(job.sku)! - unknownCommitted) }],
                  exposure,
                )
              ).get(job.sku) ?? 0)
            : (shares.get(job.sku) ?? 0);
        // What each location could offer, capped so that the shop as a whole offers at most its allocation.
        const split = shareOut(cap, new Map(views.map((v) => [v.code, v.offer])));
        for (const v of views) {
          const offer = split.get(v.code) ?? 0;
          job.offered[v.code] = offer;
          if (!v.at) {
            // Not stocked there yet: activate with the offer (nothing is committed at a location without a level).
            // Where the ledger has no level the item is not stocked there; a level of 0 is stocked, and sold out.
            if (!v.level) continue;
            // What Shopify may offer while the activation goes: all it offered plus this location's offer.
            if (deps.allocations) await recordOffers([{ sku: job.sku, offered: job.current + offer, at: new Date() }]);
            try {
              await activateInventory(
                deps.shopify,
                job.itemId,
                v.locationId,
                offer,
                key(`${job.sku}|activate|${v.locationId}`),
              );
            } catch (err) {
              if (!(err instanceof ShopifyUserError)) throw err;
              delete job.offered[v.code];
              const problem = activationProblem(err, job.itemId, v.locationId);
              // The item itself is unknown (a shop that lost the product): nothing of this SKU can be stocked.
              if (problem.code === 'INVENTORY_ITEM_UNKNOWN') {
                job.refused.set(v.code, problem);
                break;
              }
              // The mapping names a location the shop no longer has: match the stores again, once, and redo.
              if (problem.code === 'LOCATION_UNKNOWN' && !rematched) {
                rematched = true;
                await locations.rematch({ after: mappedAt });
                mappedAt = Date.now();
                mapped = await mappedLocations();
                remapped = true;
                break;
              }
              job.refused.set(v.code, problem);
              continue;
            }
            job.writes++;
            job.changed++;
          } else if (v.at.available !== offer)
            // `available` is set, compared-and-set on `available`: a storefront order between the read and this
            // write commits a unit (available moves, on_hand does not), so the write is stale and re-read. Setting
            // on_hand = offer + committed as read went through and left Shopify a unit below the offer, for good
            // when the order's reservation did not move the signature (test stock-push-concurrent-order).
            writes.push({
              job,
              quantity: {
                inventoryItemId: job.itemId,
                locationId: v.locationId,
                quantity: offer,
                changeFromQuantity: v.at.available,
              },
            });
        }
        if (remapped) break;
      }
      if (remapped) {
        for (const j of pending) j.offered = {};
        continue;
      }
      for (let i = 0; i < writes.length; i += QUANTITIES_PER_WRITE) {
        let chunk = writes.slice(i, i + QUANTITIES_PER_WRITE);
        let chunkJobs = [...new Set(chunk.map((w) => w.job))];
        if (deps.allocations && exposure) {
          const grown = await publishOffers(chunkJobs, exposure, round, windows);
          if (grown.length) {
            // An Amazon send raised what it may offer since this pass read it: these SKUs' offers are worked out
            // again from a fresh read, the rest of the chunk goes.
            const fresh = await deps.allocations.shopifySharesOf(
              grown.map((j) => ({ sku: j.sku, available: availableOf.get(j.sku)! })),
              exposure,
            );
            for (const [sku, n] of fresh) shares.set(sku, n);
            next.push(...grown);
            chunk = chunk.filter((w) => !grown.includes(w.job));
            chunkJobs = chunkJobs.filter((j) => !grown.includes(j));
            if (!chunk.length) continue;
          }
        }
        const writeAt = Date.now();
        for (const j of chunkJobs) j.writeAt = writeAt;
        try {
          // A stale compare quantity sends only its own SKU to the next round's fresh read.
          const r = await setOnHandStaleAware(
            deps.shopify,
            chunk,
            (n) => key(`set|${round}|${i}|${n}|${chunkJobs.map((j) => j.sku).join(',')}`),
            round < 5,
            'available',
          );
          next.push(...r.stale);
          for (const j of new Set(r.written.map((w) => w.job))) j.writes++;
          for (const w of r.written) w.job.changed++;
        } catch (err) {
          if (!(err instanceof ShopifyUserError)) throw err;
          const stale = err.codes.includes('CHANGE_FROM_QUANTITY_STALE');
          if (stale && round < 5) {
            next.push(...chunkJobs);
            continue;
          }
          if (opts.isolate) throw err;
          // Refused for another reason: one SKU at a time, so the others still reach Shopify.
          for (const j of chunkJobs) {
            try {
              const [alone] = await pushSkus([j.sku], `${operationId}|${round}|${j.sku}`, {
                force: true,
                isolate: true,
              });
              results.set(j.sku, alone!);
            } catch (one) {
              if (!(one instanceof ShopifyUserError)) throw one;
              // Still stale after every re-read (a SKU selling on the storefront as we write): not a problem of
              // the SKU, and not pushed; it stays pending for the next pass.
              if (one.codes.includes('CHANGE_FROM_QUANTITY_STALE')) {
                results.set(j.sku, {
                  sku: j.sku,
                  version: versionOf(j.sku),
                  status: 'Skipped',
                  skippedBecause: 'busy',
                  locations: mapped.size,
                  writes: 0,
                  changed: 0,
                  offered: {},
                  unmappedLocations: unmappedOf(j.sku),
                });
                continue;
              }
              // Still refused alone: the SKU's recorded problem; the pusher goes on with every other SKU.
              await recordRefusal(j.sku, [
                { code: 'INVENTORY_SET_REFUSED', message: `inventorySetQuantities: ${one.message}` },
              ]);
              results.set(j.sku, {
                sku: j.sku,
                version: versionOf(j.sku),
                status: 'Skipped',
                skippedBecause: 'refused',
                locations: mapped.size,
                writes: 0,
                changed: 0,
                offered: {},
                unmappedLocations: unmappedOf(j.sku),
              });
              done.push({ sku: j.sku, version: versionOf(j.sku), signature: null });
            }
          }
        }
      }
      for (const job of pending) {
        if (next.includes(job) || results.has(job.sku)) continue;
        if (job.refused.size) await recordRefusal(job.sku, [...job.refused.values()]);
        const unknownItem =
          job.refused.has('*') || [...job.refused.values()].some((p) => p.code === 'INVENTORY_ITEM_UNKNOWN');
        results.set(job.sku, {
          sku: job.sku,
          version: versionOf(job.sku),
          status: unknownItem ? 'Skipped' : 'Synced',
          ...(unknownItem ? { skippedBecause: 'refused' as const } : {}),
          locations: mapped.size,
          writes: job.writes,
          changed: job.changed,
          offered: job.offered,
          unmappedLocations: unmappedOf(job.sku),
          ...(job.refused.size ? { refusedLocations: [...job.refused.keys()].filter((k) => k !== '*') } : {}),
        });
        done.push({ sku: job.sku, version: versionOf(job.sku), signature: job.refused.size ? null : job.signature });
        if (!job.refused.size)
          offers.push({
            sku: job.sku,
            offered: total(job.offered),
            at: new Date(job.writeAt ?? job.readAt),
          });
      }
      pending = next;
      for (const j of pending) j.offered = {};
    }
    await markPushed(done);
    if (deps.allocations) {
      await recordOffers(offers);
      // When Shopify's share stops being held down by a quantity an Amazon channel replaced: looked at again then.
      await setPerSku(
        ['recheck_at'],
        [...windows].map(([sku, at]) => ({ sku, values: [new Date(at + 100)] })),
      );
    }
    return unique.map((sku) => results.get(sku)!);
  }

  /** Whether at least `n` SKUs are pending (a bounded count: the table may hold millions). */
  async function pendingAtLeast(n: number): Promise<boolean> {
    const [[r]] = await deps.inventory.query<RowDataPacket[]>(
      'SELECT COUNT(*) AS n FROM (SELECT 1 FROM sku_sync WHERE pushed_version < ledger_version LIMIT ?) p',
      [n],
    );
    return Number(r!.n) >= n;
  }

  return {
    /** These SKUs as one batch (a product's first publication, a backfill's page: `inventory.ts`). */
    pushSkus,

    /** One SKU, whatever its signature (an operator's resync, a rules change, a reconciliation's correction). */
    async pushSkuStock(sku: string, operationId: string): Promise<SkuPushResult> {
      const [result] = await pushSkus([sku], operationId, { force: true, isolate: true });
      return result!;
    },

    /**
     * Every SKU whose ledger changed since its last push, for `runForMs` or until nothing has been pending for
     * `idleStopMs`: each pass takes up to 250 SKUs (from the changed_at index, with an overlap; the whole table
     * every 10 s) and pushes them as a batch. Heartbeats each pass and every second while the process lives
     * (keepAlive); a killed worker's retry starts over from sku_sync, where nothing is marked pushed before Shopify
     * has it.
     */
    pushPendingStock(opts: { runForMs: number; pollMs: number; idleStopMs: number }): Promise<PendingPushReport> {
      return keepAlive(async () => {
        const ctx = Context.current();
        const report: PendingPushReport = { passes: 0, skus: 0, unchanged: 0, writes: 0, changed: 0, skipped: 0 };
        const until = Date.now() + opts.runForMs;
        let idleSince = Date.now();
        let sweptAt = 0;
        let backlog = false;
        let scannedAt = 0;
        let pass = 0;
        const wroteAt = new Map<string, number>();
        const snapshot = levelsSnapshot(deps.shopify);
        while (Date.now() < until && !ctx.cancellationSignal.aborted) {
          const started = Date.now();
          // A sweep that came back full means a backlog (a rules change, a reconciliation): sweep again at once.
          const sweep: boolean = backlog || !scannedAt || started - sweptAt > SWEEP_EVERY_MS;
          // Fresh changes first (newest first, from the changed_at index), then the oldest of the rest: a new change
          // never waits behind a first start's, a rules change's or a reconciliation's thousands of pending SKUs.
          const [fresh]: [RowDataPacket[], unknown] = scannedAt
            ? await deps.inventory.query<RowDataPacket[]>(
                'SELECT sku FROM sku_sync WHERE changed_at >= ? AND pushed_version < ledger_version ORDER BY changed_at DESC LIMIT ?',
                [new Date(scannedAt - SCAN_OVERLAP_MS), PASS_SKUS],
              )
            : [[], undefined];
          const [old]: [RowDataPacket[], unknown] =
            sweep && fresh.length < PASS_SKUS
              ? await deps.inventory.query<RowDataPacket[]>(
                  'SELECT sku FROM sku_sync WHERE pushed_version < ledger_version ORDER BY changed_at LIMIT ?',
                  [PASS_SKUS],
                )
              : [[], undefined];
          const rows = [...new Set([...fresh, ...old].map((r) => r.sku as string))]
            .slice(0, PASS_SKUS)
            .map((sku) => ({ sku }));
          if (sweep) sweptAt = started;
          // SKUs whose Shopify share a replaced Amazon quantity held down until now: pending again, seen by the next
          // pass's scan (an index range, empty but for those; the pickup's sweep does it while this pusher is idle).
          if (deps.allocations) await releaseDueRechecks();
          // A full pass means more is waiting: the next pass sweeps again, at once.
          backlog = fresh.length === PASS_SKUS || (sweep && old.length === PASS_SKUS);
          scannedAt = started;
          report.passes++;
          // A SKU written less than a second ago waits for the rest of its burst (still pending, it is seen again).
          for (const [sku, at] of wroteAt) if (started - at >= SAME_SKU_EVERY_MS) wroteAt.delete(sku);
          let due = rows.map((r) => r.sku as string).filter((sku) => !wroteAt.has(sku));
          if (rows.length) idleSince = Date.now();
          // A backlog of thousands: its levels come from one bulk read. While that runs, a trickle of fresh changes is
          // still pushed (item reads); the backlog, and a flood of fresh ones (a whole-catalogue count), wait for it.
          if (backlog && snapshot.wanted() && (await pendingAtLeast(BULK_LEVELS_ABOVE))) snapshot.refresh();
          const waiting = snapshot.reading();
          if (waiting) {
            const trickle = new Set(fresh.length < PASS_SKUS ? fresh.map((r) => r.sku as string) : []);
            due = due.filter((sku) => trickle.has(sku));
          }
          if (due.length) {
            const results = await pushSkus(
              due,
              `${ctx.info.workflowExecution?.workflowId ?? ''}|${ctx.info.activityId}|${pass++}`,
              { snapshot },
            );
            report.skus += results.length;
            for (const r of results) {
              if (r.unchanged) report.unchanged++;
              if (r.status === 'Skipped') report.skipped++;
              if (r.writes) wroteAt.set(r.sku, Date.now());
              report.writes += r.writes;
              report.changed += r.changed;
            }
          } else if (!rows.length && Date.now() - idleSince > opts.idleStopMs) break;
          ctx.heartbeat(report);
          // A full pass means more is waiting: go on at once (or as soon as the bulk read is in).
          if (waiting) await Promise.race([snapshot.settled(), new Promise((r) => setTimeout(r, opts.pollMs))]);
          else if (rows.length < PASS_SKUS) await new Promise((r) => setTimeout(r, opts.pollMs));
        }
        return report;
      });
    },

    /** The SKUs among these that have a Shopify inventory item. */
    async publishedSkus(skus: string[]): Promise<Set<string>> {
      return new Set((await inventoryItemsOf(skus)).keys());
    },

    /**
     * SKUs whose last change has not reached Shopify (a lost signal, a crash between commit and signal), and SKUs
     * whose `recheck_at` has come (made pending here: the pusher may be idle, and nothing else would wake it).
     */
    async laggingSkus(olderThanMs: number, limit = 500): Promise<string[]> {
      const [rows] = await deps.inventory.query<RowDataPacket[]>(
        'SELECT sku FROM sku_sync WHERE pushed_version < ledger_version AND changed_at < ? ORDER BY changed_at LIMIT ?',
        [new Date(Date.now() - olderThanMs), limit],
      );
      const due = await releaseDueRechecks(limit);
      return [...new Set([...rows.map((r) => r.sku as string), ...due])];
    },
  };
}
