import { Context } from '@temporalio/activity';
import {
  AmazonApiError,
  feedOutcome,
  JSON_LISTINGS_FEED,
  LISTINGS_FEED_MAX_MESSAGES,
  quantityFeed,
  type ProcessingReport,
} from '../../connectors/amazon';
import { shareOut } from '../../domain/channels/allocation';
import { unreadSold } from '../../domain/channels/amazon-orders';
import type { Channel } from '../../domain/channels/channels';
import { DEFAULT_APPLY_WINDOW_MS, type ListingsStore, type PendingListing } from './listings-store';
import type { ChannelSyncDeps, SendResult } from './sync';

/** Amazon's product type for a SKU we enrolled without one (the generic type every marketplace has). */
const DEFAULT_PRODUCT_TYPE = 'PRODUCT';
/** SKUs per submitInventoryUpdate call (the model sets no count; 413 marks a body too large). */
const VDF_BATCH = 1_000;
/** A feed's time from createFeed to its report, until the channel has finished one (Amazon: minutes). */
const FEED_TURNAROUND_DEFAULT_MS = 60_000;
/** Most SKUs one send patches when the feed quota is spent (a minute of patches at the default 5 a second). */
const PATCH_ROUND_MAX = 300;
/**
 * A large send is cut into at most this many feeds (a re-sync: the listing reads of each slice overlap the earlier
 * slices' feeds, whose confirms wake the Shopify push, instead of one feed after 100 s of reads).
 */
const FEED_SLICES_MAX = 5;
/**
 * Feeds kept back from the quota when a send is sliced: createFeed refills one per 120 s and getFeedDocument one per
 * 45 s, so a small feed soon after (or a FATAL slice's retry) still finds a token.
 */
const FEED_RESERVE = 2;
/**
 * Fewest SKUs in a slice by default: 2,000 SKUs are 100 listing reads (20 s at searchListingsItems' 5 a second),
 * about ten times a feed's own overhead (its three calls and the report), which they overlap.
 */
const FEED_SLICE_MIN_DEFAULT = 2_000;
/**
 * getFeed allows 2 a second (burst 15): a feed is polled every 500 ms for its first 30 s (the feeds being followed at
 * once share 80 % of that rate), then from there doubling to 30 s (a feed takes seconds here, minutes on Amazon).
 */
const FEED_POLL_MS = 500;
const FEED_POLL_STEADY_MS = 30_000;
const FEED_POLL_MAX_MS = 30_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A SKU held below its allocation by the other channels' offers is looked at again after this, then less often. */
const RECHECK_MS = 2_000;

export function createAmazonSenders(deps: ChannelSyncDeps, store: ListingsStore) {
  const amazon = () => {
    if (!deps.amazon) throw new Error('Amazon is not configured (AMAZON_* settings)');
    return deps.amazon;
  };

  const confirmed = async (skus: string[]) => {
    if (skus.length && deps.offersConfirmed) await deps.offersConfirmed(skus);
  };
  /** After a follow: SKUs accepted below their allocation are looked at again by the channel's sync. */
  const recheckAccepted = async (channel: Channel, skus: string[]) => {
    if (!deps.recheck || !deps.exposure || !skus.length) return;
    const again = await store.stillPending(channel, skus);
    if (again.length) await deps.recheck(channel, again);
    await recheckOther(channel, skus);
  };
  const recheckOther = async (channel: Channel, skus: string[]) => {
    if (!deps.recheck || !deps.exposure || !skus.length) return;
    // The other Amazon channel's SKUs held below their allocation beside these: looked at once what this channel may
    // still show is known (a lower quantity counts at the one it replaced for the apply window), not at the end of
    // their backoff (a store-wide count downward left Vendor Central waiting up to a minute per Seller Central slice).
    const other: Channel = channel === 'amazon' ? 'amazon-vendor' : 'amazon';
    const at = new Date(Date.now() + (deps.applyWindowMs ?? DEFAULT_APPLY_WINDOW_MS) + 100);
    const held = await store.wakeCapped(other, skus, at);
    if (held.length) await deps.recheck(other, held);
  };

  /**
   * Leaves room for the other channels: records each item's quantity as sent first (an intent: what the Shopify push
   * then leaves room for), reads the ledger and what the others may offer or have sold unread, and lowers each item
   * to what is left. Of a send and a Shopify write racing, at least one sees the other's figure (the push records
   * its offer before it reads ours). Before, a channel was raised to its new share while another still offered its
   * old one (a rules change moving units from Shopify to Seller Central: both at once above available_to_sell).
   * Items with nothing new to send are pending again and looked at in RECHECK_MS (doubling while nothing changes:
   * `recheckLater`); `capped` lists every lowered SKU.
   */
  async function leaveRoom(
    channel: Channel,
    items: PendingListing[],
  ): Promise<{ send: PendingListing[]; capped: string[] }> {
    if (!deps.exposure || !items.length) return { send: items, capped: [] };
    const intent = `intent/${channel}/${Date.now()}`;
    await store.markSent(
      channel,
      items.map((i) => ({ sku: i.sku, quantity: i.allocated })),
      intent,
    );
    const skus = items.map((i) => i.sku);
    const [stock, others] = await Promise.all([deps.stock.availableToSell(skus), deps.exposure(skus, channel)]);
    const lowered: PendingListing[] = [];
    const idle = new Set<string>();
    for (const i of items) {
      const room = Math.max(0, (stock.get(i.sku)?.available ?? 0) - (others.get(i.sku) ?? 0));
      if (i.allocated <= room) continue;
      i.allocated = room;
      if (i.split) i.split = Object.fromEntries(shareOut(room, new Map(Object.entries(i.split))));
      lowered.push(i);
      if ((i.confirmed ?? null) === room) idle.add(i.sku);
    }
    if (lowered.length)
      await store.markSent(
        channel,
        lowered.map((i) => ({ sku: i.sku, quantity: i.allocated })),
        intent,
      );
    if (idle.size) await store.recheckLater(channel, [...idle], RECHECK_MS);
    return { send: items.filter((i) => !idle.has(i.sku)), capped: lowered.map((i) => i.sku) };
  }

  async function patchEach(items: PendingListing[]): Promise<SendResult> {
    const channel: Channel = 'amazon';
    const r: SendResult = { sent: 0, accepted: 0, failed: 0, follow: [], pendingLeft: 0 };
    let next = 0;
    const accepted: string[] = [];
    const worker = async () => {
      while (next < items.length) {
        const item = items[next++]!;
        const id = `patch/${item.sku}/${Date.now()}`;
        await store.markSent(channel, [{ sku: item.sku, quantity: item.allocated }], id);
        r.sent++;
        try {
          const s = await amazon().patchQuantity(item.sku, item.allocated, item.productType ?? DEFAULT_PRODUCT_TYPE);
          if (s.status === 'ACCEPTED') {
            r.accepted++;
            await store.markAccepted(channel, [item.sku], id);
            // Told at once, not when the whole send ends: a worker killed mid-send left the SKUs it had confirmed
            // unannounced (accepted, so never sent again), and Shopify stayed capped by the old quantity.
            await confirmed([item.sku]);
            accepted.push(item.sku);
            await store.resolveErrors(channel, [item.sku]);
          } else {
            r.failed++;
            await store.markFailed(channel, [item.sku], id, false);
            const msg = s.issues.map((i) => `${i.code}: ${i.message}`).join('; ') || s.status;
            await store.recordError(channel, item.sku, `LISTING_${s.status}`, msg);
          }
        } catch (err) {
          if (!(err instanceof AmazonApiError)) throw err;
          r.failed++;
          // 429/5xx after the connector's retries: pending again after a backoff; a 4xx: refused until it ends.
          await store.markFailed(channel, [item.sku], id, err.retryable);
          await store.recordError(channel, item.sku, err.code ?? `HTTP_${err.status ?? 'none'}`, err.message);
          if (err.retryable) r.retryAfterMs = Math.max(r.retryAfterMs ?? 0, err.retryAfterMs ?? 1_000);
        }
        Context.current().heartbeat(next);
      }
    };
    await Promise.all(Array.from({ length: Math.min(5, items.length) }, worker));
    await recheckOther(channel, accepted);
    return r;
  }

  /**
   * Holds back, from each pending SKU Amazon could have sold since we last set it, the units of Amazon orders not
   * read yet (`unreadSold`): Amazon's own quantity, read just before the send, is compared with what it confirmed and
   * the orders the ledger has reserved since. The listing's allocation is lowered to what remains, so a push never
   * raises Seller Central above it; the orders' read re-plans the SKU from the ledger.
   */
  async function holdBackUnread(items: PendingListing[]): Promise<void> {
    const stock = deps.stock;
    if (!stock.amazonReservedSince || !items.length) return;
    // The units a previous send held back stay unread until the orders read passes that send: our send overwrote
    // Amazon's quantity, so they show on the listing no more (before, the next send forgot them and re-offered them).
    const readUntil = await store.ordersReadUntil();
    const carried = (i: PendingListing) =>
      i.unreadHeld && i.heldAt && (!readUntil || readUntil < i.heldAt) ? i.unreadHeld : 0;
    const at = new Date();
    const sold = items.filter((i) => (i.confirmed ?? 0) > 0 && i.confirmedAt);
    const shown = sold.length ? await amazon().getListingQuantities(sold.map((i) => i.sku)) : new Map();
    const read = sold.length
      ? await stock.amazonReservedSince(sold.map((i) => ({ sku: i.sku, since: i.confirmedAt! })))
      : new Map<string, number>();
    const held: { sku: string; allocated: number }[] = [];
    const unreadOf: { sku: string; unread: number }[] = [];
    for (const i of items) {
      const since =
        i.confirmed && i.confirmedAt
          ? unreadSold({ confirmed: i.confirmed, shown: shown.get(i.sku), readSince: read.get(i.sku) ?? 0 })
          : 0;
      const unread = since + carried(i);
      unreadOf.push({ sku: i.sku, unread });
      if (!unread) continue;
      i.allocated = Math.max(0, i.allocated - unread);
      held.push({ sku: i.sku, allocated: i.allocated });
    }
    if (held.length) await store.holdBack('amazon', held);
    await store.recordUnread('amazon', unreadOf, at);
  }

  /**
   * Whether `n` SKUs reach Seller Central sooner as one feed than as patches. createFeed allows a burst of 15, then
   * one per 120 s (and each report's getFeedDocument a burst of 10, then one per 45 s): within the quota a feed
   * always wins over more than `patchMax` patches; once it is spent, a feed waits for its token and its processing
   * (the channel's last feed's turnaround), patches go at patchListingsItem's rate.
   */
  async function feedIsFaster(n: number): Promise<boolean> {
    const limiter = amazon().limiter;
    const wait = Math.max(
      limiter.waitMs('createFeedDocument'),
      limiter.waitMs('createFeed'),
      limiter.waitMs('getFeedDocument'),
    );
    if (wait === 0) return true;
    const turnaround = (await store.lastFeedMs('amazon')) ?? FEED_TURNAROUND_DEFAULT_MS;
    const patchMs = (n / limiter.plan('patchListingsItem').rate) * 1000;
    return patchMs > wait + turnaround;
  }

  /**
   * SKUs per feed when `n` pending SKUs are sent in slices: as many feeds as the quota has left beyond the reserve
   * (createFeedDocument, createFeed, and getFeedDocument less one per feed still being followed, whose report takes
   * one), at most FEED_SLICES_MAX, none smaller than `minSlice`; `n` (one feed) when the quota is low.
   */
  function sliceSize(n: number, inFlight: number): number {
    const limiter = amazon().limiter;
    const feeds = Math.min(
      limiter.available('createFeedDocument'),
      limiter.available('createFeed'),
      limiter.available('getFeedDocument') - inFlight,
    );
    const minSlice = deps.feedSliceMin ?? FEED_SLICE_MIN_DEFAULT;
    const k = Math.max(1, Math.min(FEED_SLICES_MAX, feeds - FEED_RESERVE, Math.floor(n / minSlice)));
    return Math.ceil(n / k);
  }

  let feedsFollowed = 0;

  /** Polls getFeed (heartbeating) until DONE, FATAL or CANCELLED, then applies the processing report per SKU. */
  async function followFeedOnce(channel: Channel, feedId: string) {
    const skus = await store.submissionSkus(feedId);
    const started = Date.now();
    let backoff = 0;
    // Steady at first (the feeds followed at once share getFeed's rate), then doubling to FEED_POLL_MAX_MS.
    const pollMs = (elapsed: number) => {
      const share = (feedsFollowed * 1000) / (0.8 * amazon().limiter.plan('getFeed').rate);
      const steady = Math.max(FEED_POLL_MS, share);
      if (elapsed < FEED_POLL_STEADY_MS) return steady;
      backoff = Math.min(FEED_POLL_MAX_MS, backoff ? backoff * 2 : steady * 2);
      return Math.max(steady, backoff);
    };
    for (;;) {
      const feed = await amazon().getFeed(feedId);
      Context.current().heartbeat(feed.processingStatus);
      if (feed.processingStatus === 'DONE') {
        const report = feed.resultFeedDocumentId
          ? await amazon().getResultDocument<ProcessingReport>(feed.resultFeedDocumentId)
          : { issues: [] };
        const outcome = feedOutcome(
          skus.map((sku) => ({ sku, quantity: 0, productType: '' })),
          report,
        );
        await store.markAccepted(channel, outcome.accepted, feedId);
        await confirmed(outcome.accepted);
        await recheckAccepted(channel, outcome.accepted);
        await store.resolveErrors(channel, outcome.accepted);
        await store.markFailed(channel, [...outcome.rejected.keys()], feedId, false);
        for (const [sku, msgs] of outcome.rejected)
          await store.recordError(channel, sku, 'FEED_MESSAGE_INVALID', msgs.join('; '));
        await store.finishSubmission(feedId, 'DONE', JSON.stringify(report.summary ?? {}));
        return { status: 'DONE', accepted: outcome.accepted.length, rejected: outcome.rejected.size };
      }
      if (feed.processingStatus === 'FATAL' || feed.processingStatus === 'CANCELLED') {
        // The whole feed failed: every SKU in it goes again (a feed of its own or patches), after a backoff.
        await store.markFailed(channel, skus, feedId, true);
        for (const sku of skus)
          await store.recordError(
            channel,
            sku,
            `FEED_${feed.processingStatus}`,
            `feed ${feedId} ended ${feed.processingStatus}`,
          );
        await store.finishSubmission(feedId, feed.processingStatus, null);
        return { status: feed.processingStatus, accepted: 0, rejected: skus.length };
      }
      await sleep(pollMs(Date.now() - started));
    }
  }

  return {
    /**
     * Sends Seller Central's pending SKUs: patches when few, else a feed. `sliced` (the sync workflow's re-sync): the
     * feed takes one slice of them (`size`, or sized here from the feed quota on the first call, handed back in
     * `feedSlice` for the next), so the workflow follows it while the next slice's listings are read; each slice's
     * hold-back comes from reads made just before its own feed.
     */
    async sellerCentral(patchMax: number, sliced?: { size?: number }): Promise<SendResult> {
      const { follow: unfinished } = await store.recoverInterrupted('amazon');
      const pending = await store.pending('amazon', LISTINGS_FEED_MAX_MESSAGES);
      const asFeed = pending.length > patchMax && (await feedIsFaster(pending.length));
      // Patches when few, or when the feed quota is spent and patching is quicker: a round's worth, the rest next.
      const size = !asFeed
        ? Math.max(patchMax, PATCH_ROUND_MAX)
        : sliced
          ? (sliced.size ?? sliceSize(pending.length, unfinished.filter((f) => f.kind === 'listings-feed').length))
          : pending.length;
      const chosen = pending.slice(0, size);
      await holdBackUnread(chosen);
      const { send: items, capped } = await leaveRoom('amazon', chosen);
      if (!asFeed) {
        const r = await patchEach(items);
        // Capped SKUs the patches made pending again (accepted below the allocation) wait like idle ones.
        await store.recheckLater('amazon', capped, RECHECK_MS);
        return { ...r, follow: [...unfinished, ...r.follow], pendingLeft: (await store.pending('amazon', 1)).length };
      }
      if (!items.length)
        return {
          sent: 0,
          accepted: 0,
          failed: 0,
          follow: unfinished,
          pendingLeft: (await store.pending('amazon', 1)).length,
        };
      const updates = items.map((i) => ({
        sku: i.sku,
        quantity: i.allocated,
        productType: i.productType ?? DEFAULT_PRODUCT_TYPE,
      }));
      const { feedId } = await amazon().submitFeed(JSON_LISTINGS_FEED, quantityFeed(amazon().sellerId, updates));
      await store.recordSubmission(
        feedId,
        'amazon',
        'listings-feed',
        items.map((i) => i.sku),
      );
      await store.markSent('amazon', updates, feedId);
      return {
        sent: items.length,
        accepted: 0,
        failed: 0,
        follow: [...unfinished, { kind: 'listings-feed', id: feedId }],
        pendingLeft: chosen.length < pending.length ? (await store.pending('amazon', 1)).length : 0,
        ...(sliced ? { feedSlice: size } : {}),
      };
    },

    /**
     * Vendor Central: per batch of SKUs, one submitInventoryUpdate per warehouse with that warehouse's share of each
     * SKU (the plan's split; a row planned before there was one goes whole to a lone warehouse). The batch is one
     * submission whose transactions `followVendor` waits out together: a SKU is accepted when every warehouse took it.
     */
    async vendorCentral(): Promise<SendResult> {
      const v = deps.vendor;
      if (!v) throw new Error('Vendor Central is not configured (AMAZON_VENDOR_* settings)');
      const { follow } = await store.recoverInterrupted('amazon-vendor');
      const items = await store.pending('amazon-vendor', VDF_BATCH * 10);
      let sent = 0;
      for (let i = 0; i < items.length; i += VDF_BATCH) {
        const { send: batch } = await leaveRoom('amazon-vendor', items.slice(i, i + VDF_BATCH));
        if (!batch.length) continue;
        sent += batch.length;
        const transactions: { warehouseId: string; transactionId: string }[] = [];
        for (const w of v.warehouses) {
          const tx = await amazon().submitVendorInventory(
            w.id,
            v.partyId,
            batch.map((b) => ({
              vendorProductIdentifier: b.sku,
              quantity: b.split?.[w.id] ?? (v.warehouses.length === 1 ? b.allocated : 0),
            })),
            false,
          );
          transactions.push({ warehouseId: w.id, transactionId: tx });
        }
        const id =
          transactions.length === 1 ? transactions[0]!.transactionId : `vdf-batch/${transactions[0]!.transactionId}`;
        await store.recordSubmission(
          id,
          'amazon-vendor',
          'vdf-inventory',
          batch.map((b) => b.sku),
          JSON.stringify(transactions),
        );
        await store.markSent(
          'amazon-vendor',
          batch.map((b) => ({ sku: b.sku, quantity: b.allocated })),
          id,
        );
        follow.push({ kind: 'vdf-inventory', id });
        Context.current().heartbeat(i);
      }
      return {
        sent,
        accepted: 0,
        failed: 0,
        follow,
        pendingLeft: (await store.pending('amazon-vendor', 1)).length,
      };
    },

    /** Polls getFeed (heartbeating) until DONE, FATAL or CANCELLED, then applies the processing report per SKU. */
    async followFeed(channel: Channel, feedId: string) {
      feedsFollowed++;
      try {
        return await followFeedOnce(channel, feedId);
      } finally {
        feedsFollowed--;
      }
    },

    /**
     * Polls each warehouse's transaction of a submission until Success or Failure. Every SKU of it is accepted when
     * all succeeded; a Failure anywhere marks them with Amazon's errors, to be sent again (to every warehouse: the
     * quantities are absolute, so a warehouse that took them already takes the same again).
     */
    async followVendor(channel: Channel, id: string) {
      const skus = await store.submissionSkus(id);
      const detail = await store.submissionDetail(id);
      const txs = detail?.startsWith('[')
        ? (JSON.parse(detail) as { warehouseId: string; transactionId: string }[])
        : [{ warehouseId: '', transactionId: id }]; // one transaction, recorded before warehouses were split
      const outcome: { warehouseId: string; transactionId: string; status: string; errors?: string }[] = [];
      for (const tx of txs) {
        // A transaction takes a moment (the sandbox: 500 ms); polled from 250 ms, doubling to 2 s, not once a second.
        let pollMs = 250;
        for (;;) {
          const t = await amazon().getVendorTransaction(tx.transactionId);
          Context.current().heartbeat(`${tx.warehouseId} ${t.status}`);
          if (t.status === 'Success' || t.status === 'Failure') {
            const errors = t.errors.map((e) => `${e.code}: ${e.message}`).join('; ');
            outcome.push({
              ...tx,
              status: t.status,
              ...(t.status === 'Failure' ? { errors: errors || 'transaction failed' } : {}),
            });
            break;
          }
          await sleep(pollMs);
          pollMs = Math.min(2_000, pollMs * 2);
        }
      }
      const failed = outcome.filter((o) => o.status === 'Failure');
      if (!failed.length) {
        await store.markAccepted(channel, skus, id);
        await confirmed(skus);
        await recheckAccepted(channel, skus);
        await store.resolveErrors(channel, skus);
        await store.finishSubmission(id, 'Success', JSON.stringify(outcome));
        return { status: 'Success', accepted: skus.length, rejected: 0 };
      }
      // With several warehouses, the message names the one that refused (Amazon's errors do not).
      const msg = failed.map((f) => (txs.length > 1 ? `${f.warehouseId}: ${f.errors}` : f.errors)).join(' | ');
      await store.markFailed(channel, skus, id, true);
      for (const sku of skus) await store.recordError(channel, sku, 'VDF_TRANSACTION_FAILURE', msg);
      await store.finishSubmission(id, 'Failure', JSON.stringify(outcome));
      return { status: 'Failure', accepted: 0, rejected: skus.length };
    },
  };
}
