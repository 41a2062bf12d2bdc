/**
 * Channel reconciliation reports in the lake bucket, per channel, day and run:
 *   channels-reconcile/channel=<channel>/dt=YYYY-MM-DD/<runId>.json   counts and each drifted SKU
 */
export const channelReconcileKey = (channel: string, day: string, runId: string) =>
  `channels-reconcile/channel=${channel}/dt=${day}/${runId}.json`;
