import {
  continueAsNew,
  proxyActivities,
  setCurrentDetails,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createLedgerWatchActivities } from '../../activities/channels/ledger-watch';
import { SA } from '../../domain/platform/search-attributes';
import { withSummary } from '../platform/activity-summary';

// The watch polls for a minute per activity, heartbeating every second (keepAlive); a killed worker's poll is
// retried after 5 s.
const acts = proxyActivities<ReturnType<typeof createLedgerWatchActivities>>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '5 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/** Ledger changes → the Amazon channels' sync workflows, forever (`channels-ledger-watch`, data queue). */
export async function channelsLedgerWatch(opts: { pollMs?: number; runForMs?: number; signalled?: number } = {}) {
  upsertSearchAttributes([{ key: SA.Pipeline, value: 'channels-ledger-watch' }]);
  let signalled = opts.signalled ?? 0;
  for (let i = 0; i < 100 && !workflowInfo().continueAsNewSuggested; i++) {
    const runForMs = opts.runForMs ?? 60_000;
    const r = await withSummary(acts, `watch the ledger for ${runForMs / 1000} s`).watchLedger({
      runForMs,
      pollMs: opts.pollMs ?? 250,
    });
    signalled += r.signalled;
    setCurrentDetails(`**watching the ledger** · ${signalled} SKU changes sent to the Amazon channels`);
  }
  await continueAsNew<typeof channelsLedgerWatch>({ ...opts, signalled });
}
