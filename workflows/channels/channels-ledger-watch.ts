import {
  continueAsNew,
  proxyActivities,
  setCurrentDetails,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createLedgerWatchActivities } from '../../activities/channels/ledger-watch';
import { SA } from '../../domain/platform/search-attributes';

// The watch polls for a minute per activity, heartbeating; a killed worker's poll is retried after 10 s.
const { watchLedger } = proxyActivities<ReturnType<typeof createLedgerWatchActivities>>({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/** Ledger changes → the Amazon channels' sync workflows, forever (`channels-ledger-watch`, data queue). */
export async function channelsLedgerWatch(opts: { pollMs?: number; runForMs?: number; signalled?: number } = {}) {
  upsertSearchAttributes([{ key: SA.Pipeline, value: 'channels-ledger-watch' }]);
  let signalled = opts.signalled ?? 0;
  for (let i = 0; i < 100 && !workflowInfo().continueAsNewSuggested; i++) {
    const r = await watchLedger({ runForMs: opts.runForMs ?? 60_000, pollMs: opts.pollMs ?? 250 });
    signalled += r.signalled;
    setCurrentDetails(`**watching the ledger** · ${signalled} SKU changes sent to the Amazon channels`);
  }
  await continueAsNew<typeof channelsLedgerWatch>({ ...opts, signalled });
}
