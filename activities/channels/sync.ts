import { Context } from '@temporalio/activity';
import type { Pool } from 'mysql2/promise';
import { AmazonApiError, type AmazonClient } from '../../connectors/amazon';
import { allocate, shareOut } from '../../domain/channels/allocation';
import type { VendorConfig } from '../../domain/channels/channels';
import type { Channel } from '../../domain/channels/channels';
import { rulesFor } from '../../domain/channels/rules';
import { channelsDb } from '../../db/client';
import { listingsStore, type PendingListing } from './listings-store';
import { currentRules } from './rules-store';
import { createAmazonSenders } from './amazon-senders';
import { keptAlive } from './keep-alive';

/** What the ledger says may be sold of each SKU (all locations), and the SKU's ledger change counter. */
export interface StockSource {
  /** Per SKU: the total, the ledger version, and (when known) what each location can sell. */
  availableToSell(
    skus: string[],
  ): Promise<Map<string, { available: number; version: number; byLocation?: Record<string, number> }>>;
  /**
   * Units of Seller Central orders the ledger has reserved per SKU, counting only orders placed at or after `since`
   * (the order's own time). Lets the Seller Central sender tell Amazon's decrements for orders we have read from
   * those we have not (see `unreadSold`). Without it, no hold-back is made.
   */
  amazonReservedSince?(items: { sku: string; since: Date }[]): Promise<Map<string, number>>;
}

export interface ChannelSyncDeps {
  channels: Pool;
  stock: StockSource;
  amazon?: AmazonClient;
  vendor?: VendorConfig;
  /** At most this many pending SKUs go as single patches; more go as one feed (default 20). */
  patchMax?: number;
  /**
   * Fewest SKUs per feed when a large Seller Central send is cut into slices (default 2,000; tests use less to
   * slice a few thousand SKUs).
   */
  feedSliceMin?: number;
  /** First backoff of a failed SKU (default 30 s). */
  retryBaseMs?: number;
  /** How long Amazon may still show a quantity it replaced (`AMAZON_LISTING_APPLY_MS`; default 15 minutes). */
  applyWindowMs?: number;
  /**
   * The channel confirmed new quantities for these SKUs: what it may offer changed, and with it what Shopify may
   * offer beside it (`channelAllocations.otherChannelsExposure`), so the Shopify push looks at them again.
   */
  offersConfirmed?(skus: string[]): Promise<void>;
  /**
   * Per SKU, what every other channel (Shopify, the other Amazon channel) may offer now or has sold unread
   * (`channelAllocations.exposureBeside`): a send leaves room for it. Without it, a channel is sent its allocation
   * whatever the others still offer.
   */
  exposure?(skus: string[], channel: Channel): Promise<Map<string, number>>;
  /**
   * SKUs a submission's follow left below their allocation (sent lowered by `exposure`, accepted, still pending):
   * the channel's sync is told to look at them again (its `skusChanged` signal), as the follow ends after its round.
   */
  recheck?(channel: Channel, skus: string[]): Promise<void>;
}

export interface SendResult {
  sent: number;
  accepted: number;
  failed: number;
  /** Submissions to follow to their final status. */
  follow: { kind: 'listings-feed' | 'vdf-inventory'; id: string }[];
  /** SKUs that could not be sent now (throttled, no reply): due again after this many ms. */
  retryAfterMs?: number;
  pendingLeft: number;
  /** A sliced Seller Central send: the SKUs per feed it chose, for the workflow to pass back on its next call. */
  feedSlice?: number;
}

/**
 * Allocation and sync of one channel: `planChannel` turns the ledger and the rules into each SKU's allocation
 * (pending where the channel does not yet offer it), `sendPending` sends pending SKUs through the channel's own
 * adapter, `followSubmission` waits a feed or VDF transaction out and applies its per-SKU result.
 */
export function createChannelSyncActivities(deps: ChannelSyncDeps) {
  const store = listingsStore(deps.channels, { retryBaseMs: deps.retryBaseMs, applyWindowMs: deps.applyWindowMs });
  const db = channelsDb(deps.channels);
  const senders = createAmazonSenders(deps, store);

  // Heartbeating throughout: the workflow gives these a short heartbeat timeout, so a killed worker costs seconds.
  return keptAlive({
    async planChannel(input: {
      channel: Channel;
      skus?: string[];
    }): Promise<{ planned: number; pending: number; ruleVersion: number }> {
      const { version, set } = await currentRules(db);
      const skus = await store.enrolledSkus(input.channel, input.skus);
      let pending = 0;
      for (let i = 0; i < skus.length; i += 1000) {
        const chunk = skus.slice(i, i + 1000);
        const stock = await deps.stock.availableToSell(chunk);
        const rows = chunk.map((sku) => {
          const s = stock.get(sku) ?? { available: 0, version: 0 };
          const allocated = allocate(s.available, rulesFor(set, sku)).get(input.channel) ?? 0;
          if (input.channel !== 'amazon-vendor' || !deps.vendor) return { sku, allocated, ledgerVersion: s.version };
          // Each warehouse offers what its own locations hold, within Vendor Central's allocation.
          const split = Object.fromEntries(
            shareOut(allocated, warehouseStock(deps.vendor, s.available, s.byLocation)).entries(),
          );
          const total = Object.values(split).reduce((a, b) => a + b, 0);
          return { sku, allocated: total, split, ledgerVersion: s.version };
        });
        pending += await store.setAllocations(input.channel, rows, version);
        Context.current().heartbeat(i);
      }
      return { planned: skus.length, pending, ruleVersion: version };
    },

    async releaseDueRetries(channel: Channel): Promise<{ released: number; nextRetryAt: string | null }> {
      const released = await store.releaseDueRetries(channel);
      const next = await store.nextRetryAt(channel);
      return { released, nextRetryAt: next?.toISOString() ?? null };
    },

    /**
     * `sliced` (Seller Central): a feed takes one slice of the pending SKUs (`size` SKUs, or sized from the feed
     * quota when absent), so the caller follows it while the next slice is read and sent; see `sellerCentral`.
     */
    async sendPending(input: { channel: Channel; patchMax?: number; sliced?: { size?: number } }): Promise<SendResult> {
      const patchMax = input.patchMax ?? deps.patchMax ?? 20;
      if (input.channel === 'amazon')
        return store.exclusive('amazon', () => senders.sellerCentral(patchMax, input.sliced));
      if (input.channel === 'amazon-vendor') return store.exclusive('amazon-vendor', () => senders.vendorCentral());
      throw new Error(`channel ${input.channel} is synced by its own pipeline (inventory-sync), not here`);
    },

    async followSubmission(input: { channel: Channel; kind: 'listings-feed' | 'vdf-inventory'; id: string }) {
      return input.kind === 'listings-feed'
        ? senders.followFeed(input.channel, input.id)
        : senders.followVendor(input.channel, input.id);
    },
  });
}

/** What each Vendor Central warehouse could offer of a SKU: the sum over its locations (all of it for null). */
function warehouseStock(
  vendor: VendorConfig,
  total: number,
  byLocation: Record<string, number> | undefined,
): Map<string, number> {
  return new Map(
    vendor.warehouses.map((w) => [
      w.id,
      w.locations === null ? total : w.locations.reduce((n, l) => n + (byLocation?.[l] ?? 0), 0),
    ]),
  );
}

export type ChannelSyncActivities = ReturnType<typeof createChannelSyncActivities>;
export type { PendingListing };
export { AmazonApiError };
