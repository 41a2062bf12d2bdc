import { runSummary, type RunSummary } from '../platform/run-summary';
import type { Channel } from './channels';

export const channelSyncWorkflowId = (channel: Channel) => `channel-sync/${channel}`;

export const channelSyncRun = (channel: Channel): RunSummary =>
  runSummary([`sync stock to ${channel}`, 'allocation from the ledger'], { channel });

export const channelRulesRun = (author: string): RunSummary =>
  runSummary(['allocation rules change', `by ${author}`], { author });

export const channelsLedgerWatchRun = (): RunSummary =>
  runSummary(['watch the stock ledger', 'changes → Amazon Seller Central and Vendor Central'], {});

export const amazonOrdersRun = (): RunSummary =>
  runSummary(['Amazon orders → ledger reservations'], { source: 'Orders API 2026-01-01 searchOrders' });

export const channelReconcileRun = (): RunSummary =>
  runSummary(['reconcile the Amazon channels', 'offer vs allocation'], { channels: 'amazon, amazon-vendor' });
