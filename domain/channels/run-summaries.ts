import { runSummary, type RunSummary } from '../platform/run-summary';
import type { Channel } from './channels';

export const channelSyncWorkflowId = (channel: Channel) => `channel-sync/${channel}`;

export const channelSyncRun = (channel: Channel): RunSummary =>
  runSummary([`sync stock to ${channel}`, 'allocation from the ledger'], { channel });

export const channelRulesRun = (author: string): RunSummary =>
  runSummary(['allocation rules change', `by ${author}`], { author });
