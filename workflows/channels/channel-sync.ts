import {
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
  allHandlersFinished,
  patched,
} from '@temporalio/workflow';
import type { ChannelSyncActivities, SendResult } from '../../activities/channels/sync';
import type { Channel } from '../../domain/channels/channels';
import { SA, type SyncStatus } from '../../domain/platform/search-attributes';
import { withSummary } from '../platform/activity-summary';

/** SKUs whose ledger level or rules changed (the ledger watch and a rules change send it). */
export const channelSkusChangedSignal = defineSignal<[{ skus: string[] }]>('skusChanged');
/** Re-sync one SKU, a list, or (no skus) every SKU enrolled on the channel. */
export const channelResyncSignal = defineSignal<[{ skus?: string[] }]>('resync');

export interface ChannelSyncState {
  channel: Channel;
  dirty: string[];
  all: boolean;
  rounds: number;
  lastError?: string;
}
export const channelStatusQuery = defineQuery<ChannelSyncState & { status: SyncStatus }>('status');

/**
 * Most SKUs one round plans when only some changed; the rest wait for the next round (coalescing). One feed's
 * worth (listings-feed-schema-v2 allows 25,000 messages): a re-sync of a whole catalogue goes as few feeds as the
 * schema allows, not one per 5,000 SKUs.
 */
const ROUND_SKUS = 25_000;
/** A change bigger than this many SKUs (what goes as patches) is let settle before it is planned. */
const SETTLE_ABOVE = 20;
const SETTLE_STEP_MS = 250;
const SETTLE_MAX_STEPS = 8;
/**
 * Vendor Central plans a large round this many SKUs at a time and sends each slice as soon as it is planned (VDF
 * batches of 1,000 carry no whole-round constraint, unlike a feed): the first transaction no longer waits for the
 * allocation of all 10,000 SKUs to be written (~2.5 s), and the sends overlap the rest of the planning.
 */
const VENDOR_PLAN_SLICE = 2_000;

// The activities heartbeat every second (activities/channels/keep-alive.ts): a worker killed mid-call is noticed
// after the heartbeat timeout (5 s), not the 10-minute start-to-close.
const a = (q: string) =>
  proxyActivities<ChannelSyncActivities>({
    taskQueue: q,
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: '5 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
  });
// Feeds take minutes on Amazon; the follower heartbeats every second while it polls, so a killed worker's poll
// resumes in 5 s (with 30 s, a feed's confirms, and before 'follow-beyond-round' the next round, waited half a minute).
const follower = (q: string) =>
  proxyActivities<ChannelSyncActivities>({
    taskQueue: q,
    startToCloseTimeout: '2 hours',
    heartbeatTimeout: '5 seconds',
    retry: { initialInterval: '2 seconds', maximumInterval: '1 minute' },
  });

/**
 * One channel's stock sync, forever (`channel-sync/<channel>`, on the channel's own task queue so a slow or
 * failing Amazon never holds up Shopify or another channel): coalesces changed SKUs, plans their allocation
 * from the ledger, sends what the channel does not offer yet (patches when few, a feed or VDF batches when
 * many), follows each submission to its final status, and retries failed SKUs after their backoff.
 */
export async function channelSync(input: ChannelSyncState): Promise<void> {
  const state: ChannelSyncState = { ...input, dirty: [...input.dirty] };
  const dirty = new Set(state.dirty);
  let status: SyncStatus = 'Pending';
  const acts = a(workflowInfo().taskQueue);
  const follow = follower(workflowInfo().taskQueue);
  upsertSearchAttributes([
    { key: SA.Pipeline, value: 'channel-sync' },
    { key: SA.Channel, value: state.channel },
  ]);
  const setStatus = (s: SyncStatus) => {
    if (s === status) return;
    status = s;
    upsertSearchAttributes([{ key: SA.SyncStatus, value: s }]);
  };
  setStatus('Synced');
  setHandler(channelSkusChangedSignal, ({ skus }) => skus.forEach((s) => dirty.add(s)));
  setHandler(channelResyncSignal, ({ skus }) => {
    if (skus?.length) skus.forEach((s) => dirty.add(s));
    else state.all = true;
  });
  setHandler(channelStatusQuery, () => ({ ...state, dirty: [...dirty].slice(0, 100), status }));

  let retryAt: number | null = null;
  // Submissions followed beyond the round that sent them (patched 'follow-beyond-round'): before, a round ended only
  // once its feeds' reports were in, so a throttled getFeedDocument (one per 45 s) held every change behind it; an
  // Amazon order then sold stock a till had already taken. A follow that rejected SKUs wakes a round (their retry
  // timer); the last one to end while the workflow waits marks the channel Synced.
  const inFlight = new Map<string, Promise<void>>();
  const followed = new Set<string>();
  let followEnded = false;
  let followRejected = 0;
  let waiting = false;
  while (!workflowInfo().continueAsNewSuggested && state.rounds < 2_000) {
    const timeout = retryAt === null ? '1 hour' : Math.max(1_000, retryAt - Date.now());
    waiting = true;
    await condition(() => dirty.size > 0 || state.all || followEnded, timeout);
    waiting = false;
    followEnded = false;
    const background = patched('follow-beyond-round');
    // A large change arrives as several signals (the ledger watch sends 5,000 SKUs a signal): while it still grows,
    // wait a little (2 s at most), so it is planned and sent as one feed instead of one feed per signal.
    if (patched('settle-large-rounds'))
      for (let i = 0; i < SETTLE_MAX_STEPS && !state.all && dirty.size > SETTLE_ABOVE; i++) {
        const before = dirty.size;
        await sleep(SETTLE_STEP_MS);
        if (dirty.size === before) break;
      }
    state.rounds++;
    setStatus('Running');
    const released = await withSummary(acts, `release due retries on ${state.channel}`).releaseDueRetries(
      state.channel,
    );
    let planned = 0;
    let failed = 0;
    let retryAfterMs: number | undefined;
    // A submission is followed once a round: sendPending also hands back what is still `submitted` (an interrupted
    // round's), which includes a slice's transactions still being followed.
    const following = new Set<string>();
    const followAll = async (list: SendResult['follow']) => {
      const fresh = list.filter((f) => !following.has(f.id) && !followed.has(f.id));
      fresh.forEach((f) => following.add(f.id));
      const followOne = (f: SendResult['follow'][number]) =>
        withSummary(follow, `follow ${f.kind} ${f.id}`).followSubmission({ channel: state.channel, ...f });
      if (background) {
        for (const f of fresh) {
          followed.add(f.id);
          const run = followOne(f).then(
            (r) => {
              followRejected += r.rejected;
              if (r.rejected) followEnded = true;
            },
            (err: unknown) => {
              // Still `submitted`: the next send hands it back, and it is followed again.
              followed.delete(f.id);
              followRejected++;
              followEnded = true;
              state.lastError = `follow ${f.kind} ${f.id}: ${err instanceof Error ? err.message : String(err)}`;
            },
          );
          inFlight.set(
            f.id,
            run.then(() => {
              inFlight.delete(f.id);
              if (!inFlight.size && waiting && !followEnded && status === 'Running') setStatus('Synced');
            }),
          );
        }
        return 0;
      }
      // Submissions are followed side by side (a batch of VDF transactions, a feed beside an interrupted one).
      if (patched('follow-in-parallel'))
        return (await Promise.all(fresh.map(followOne))).reduce((n, r) => n + r.rejected, 0);
      let n = 0;
      for (const f of fresh) n += (await followOne(f)).rejected;
      return n;
    };
    if (state.all) {
      state.all = false;
      dirty.clear();
      planned = (await withSummary(acts, `plan every SKU on ${state.channel}`).planChannel({ channel: state.channel }))
        .planned;
    } else if (dirty.size) {
      const skus = [...dirty].slice(0, ROUND_SKUS);
      skus.forEach((s) => dirty.delete(s));
      const sliced = state.channel === 'amazon-vendor' && skus.length > VENDOR_PLAN_SLICE && patched('vendor-slices');
      const size = sliced ? VENDOR_PLAN_SLICE : skus.length;
      const follows: Promise<number>[] = [];
      for (let i = 0; i < skus.length; i += size) {
        const slice = skus.slice(i, i + size);
        planned += (
          await withSummary(acts, `plan ${slice.length} SKUs on ${state.channel}`).planChannel({
            channel: state.channel,
            skus: slice,
          })
        ).planned;
        if (!sliced) continue;
        const sent = await withSummary(acts, `send pending SKUs to ${state.channel}`).sendPending({
          channel: state.channel,
        });
        failed += sent.failed;
        retryAfterMs = sent.retryAfterMs;
        follows.push(followAll(sent.follow));
      }
      failed += (await Promise.all(follows)).reduce((a, b) => a + b, 0);
    }
    // Seller Central sends a large round as a few feeds, one slice at a time, and follows each while the next
    // slice's listings are read (each feed's confirms wake the Shopify push); the slices' follows end with the round.
    const sellerSlices = state.channel === 'amazon' && patched('feed-slices');
    const sliceFollows: Promise<number>[] = [];
    let feedSlice: number | undefined;
    for (let round = 0; round < 100; round++) {
      const sent = await withSummary(acts, `send pending SKUs to ${state.channel}`).sendPending({
        channel: state.channel,
        ...(sellerSlices ? { sliced: feedSlice ? { size: feedSlice } : {} } : {}),
      });
      failed += sent.failed;
      retryAfterMs = sent.retryAfterMs;
      if (sellerSlices) {
        feedSlice = sent.feedSlice ?? feedSlice;
        sliceFollows.push(followAll(sent.follow));
      } else failed += await followAll(sent.follow);
      if (sent.sent === 0 || sent.pendingLeft === 0) break;
      if (dirty.size === 0) continue;
      // SKUs that changed while the slices go out are planned at once and go with the next slices (before, the round
      // ended, waited for the feeds in flight and planned them in a new one: ~9 s lost per change in the bench).
      if (!(sellerSlices && patched('feed-slices-plan-changes'))) break;
      const changed = [...dirty].slice(0, ROUND_SKUS);
      changed.forEach((s) => dirty.delete(s));
      planned += (
        await withSummary(acts, `plan ${changed.length} changed SKUs on ${state.channel}`).planChannel({
          channel: state.channel,
          skus: changed,
        })
      ).planned;
    }
    if (sellerSlices) failed += (await Promise.all(sliceFollows)).reduce((a, b) => a + b, 0);
    failed += followRejected;
    followRejected = 0;
    const next = await withSummary(acts, `release due retries on ${state.channel}`).releaseDueRetries(state.channel);
    retryAt = next.nextRetryAt ? Date.parse(next.nextRetryAt) : retryAfterMs ? Date.now() + retryAfterMs : null;
    setStatus(failed ? 'Failed' : inFlight.size ? 'Running' : 'Synced');
    setCurrentDetails(
      `**${state.channel}** · round ${state.rounds}: planned ${planned} SKUs, ${released.released} retries released, ` +
        `${failed} failed` +
        (retryAt ? ` · next retry ${new Date(retryAt).toISOString()}` : ''),
    );
    // A due retry with nothing dirty still needs a round: the condition's timeout brings us back.
    if (retryAt !== null && retryAt <= Date.now()) await sleep(1_000);
  }
  await Promise.all(inFlight.values());
  await condition(allHandlersFinished);
  await continueAsNew<typeof channelSync>({ ...state, dirty: [...dirty], rounds: 0 });
}
