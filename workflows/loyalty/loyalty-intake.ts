import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  proxyActivities,
  rootCause,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { createLoyaltyActivities } from '../../activities/loyalty/loyalty';
import { isIncomingKey, loyaltyConvertWorkflowId } from '../../domain/platform/file-workflows';
import type { LoyaltyCounts } from '../../domain/loyalty/loyalty';
import { SA } from '../../domain/platform/search-attributes';
import { taskQueueFor } from '../../domain/platform/task-queues';
import { loyaltyConvertRun } from '../../domain/loyalty/run-summaries';
import { baseName } from '../../domain/platform/run-summary';
import { withSummary } from '../platform/activity-summary';
import { startOncePerVersion } from '../platform/file-children';
import { loyaltyConvert } from './loyalty-convert';

export interface ConvertFileRequest {
  /** An object key: `incoming/loyalty/…` is converted and archived; any other key (archive/…) is re-run in place. */
  key: string;
  /** Default: the archive bucket, where incoming/ and archive/ live. */
  bucket?: string;
  /** Lets the sender find its request in the `requests` query; generated when absent. */
  requestId?: string;
}

export interface ConvertFileRecord {
  requestId: string;
  key: string;
  bucket?: string;
  receivedAt: string;
  /**
   * `converting` → `converted` or `failed`; `already-converted`: that version of the file has (or had) its run;
   * `not-found`: no such object (an incoming/ file is gone once converted).
   */
  outcome: 'resolving' | 'converting' | 'converted' | 'already-converted' | 'not-found' | 'failed';
  workflowId?: string;
  counts?: LoyaltyCounts;
  error?: string;
}

export interface LoyaltyIntakeInput {
  /** Signals one run takes before it continues as new (bounded history). */
  maxRequests?: number;
  /** Carried over from the previous run, so the query keeps showing them. */
  recent?: ConvertFileRecord[];
}

export const convertFileSignal = defineSignal<[ConvertFileRequest]>('convertFile');
export const loyaltyIntakeRequests = defineQuery<ConvertFileRecord[]>('requests');

/** How many requests the query lists (oldest dropped first). */
const RECENT = 50;

const activities = () =>
  proxyActivities<ReturnType<typeof createLoyaltyActivities>>({
    taskQueue: taskQueueFor('data', workflowInfo().taskQueue),
    startToCloseTimeout: '1 minute',
    // Bounded, unlike the default: a key that cannot be resolved (a bucket that does not exist, say) is reported as a
    // failed request instead of holding the intake's continue-as-new back forever.
    retry: { maximumAttempts: 5, maximumInterval: '30 seconds' },
  });

/**
 * Long-running intake of operators' "convert this file" signals (`backbone signal-convert-loyalty <key>`). Each
 * request resolves the object's current version and starts the file pipeline's own `loyalty-convert/<key>@<etag>`
 * run, so a version converted by the scan, the store export or an earlier signal is not converted again.
 */
export async function loyaltyIntake(input: LoyaltyIntakeInput = {}): Promise<void> {
  const maxRequests = input.maxRequests ?? 100;
  const recent: ConvertFileRecord[] = [...(input.recent ?? [])];
  let received = 0;
  upsertSearchAttributes([
    { key: SA.Pipeline, value: 'loyalty-intake' },
    { key: SA.SyncStatus, value: 'Running' },
  ]);
  setHandler(loyaltyIntakeRequests, () => recent);
  // Current details: requests taken by this run, and the last few with their outcome (keys, never file contents).
  const details = () =>
    setCurrentDetails(
      [`**waiting** · ${received} of ${maxRequests} requests this run`]
        .concat(recent.slice(-5).map((r) => `- ${baseName(r.key)}: ${r.outcome}`))
        .join('\n'),
    );
  details();
  setHandler(convertFileSignal, async (request) => {
    received++;
    const record: ConvertFileRecord = {
      requestId: request.requestId ?? uuid4(),
      key: request.key,
      ...(request.bucket ? { bucket: request.bucket } : {}),
      receivedAt: new Date().toISOString(),
      outcome: 'resolving',
    };
    recent.push(record);
    if (recent.length > RECENT) recent.splice(0, recent.length - RECENT);
    details();
    await handle(record, recent);
    details();
  });

  await condition(() => received >= maxRequests || workflowInfo().continueAsNewSuggested);
  // Children run to the end first, so no request is carried over half-handled.
  await condition(allHandlersFinished);
  await continueAsNew<typeof loyaltyIntake>({ maxRequests: input.maxRequests, recent });
}

async function handle(record: ConvertFileRecord, recent: ConvertFileRecord[]): Promise<void> {
  try {
    if (!record.key) throw new Error('no key given');
    const file = await withSummary(activities(), `resolve ${record.key}`).findIncomingFile(
      'loyalty',
      record.key,
      record.bucket,
    );
    if (!file) {
      // An incoming/ file is archived once converted: if this intake converted it, say so rather than "not found".
      const earlier = recent.find(
        (r) => r !== record && r.key === record.key && r.bucket === record.bucket && r.outcome === 'converted',
      );
      record.outcome = earlier ? 'already-converted' : 'not-found';
      if (earlier) record.workflowId = earlier.workflowId;
      return;
    }
    record.workflowId = loyaltyConvertWorkflowId(file.key, file.etag);
    // An archive/ key is a re-run: it stays where it is (as `backbone convert-loyalty` does it).
    const keepSource = !isIncomingKey(file.key);
    const child = await startOncePerVersion(
      loyaltyConvert,
      record.workflowId,
      [{ file, keepSource }],
      loyaltyConvertRun(file, keepSource),
    );
    if (!child) {
      record.outcome = 'already-converted';
      return;
    }
    record.outcome = 'converting';
    const { read, converted, quarantined } = await child.result();
    record.counts = { read, converted, quarantined };
    record.outcome = 'converted';
  } catch (err) {
    record.outcome = 'failed';
    record.error = rootCause(err) ?? String(err);
  }
}
