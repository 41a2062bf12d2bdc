import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLoyaltyActivities } from '../../../activities/loyalty/loyalty';
import { loyaltyConvertWorkflowId } from '../../../domain/platform/file-workflows';
import { LOYALTY_COLUMNS } from '../../../domain/loyalty/loyalty';
import { archiveKey, dayPartition } from '../../../lake/layout';
import {
  convertFileSignal,
  loyaltyIntake,
  loyaltyIntakeRequests,
  type ConvertFileRecord,
  type ConvertFileRequest,
} from '../../../workflows';
import { loadConfig } from '../../../workers/config';
import { createDeps } from '../../../workers/deps';
import { freshTables, scanAll, uploadIncoming } from '../../support/customers/customers-fixture';
import { temporalHarness, type TemporalHarness } from '../../support/temporal';

const config = loadConfig();
const deps = createDeps(config);

/** A small loyalty export: `rows` rows over 20 cards, one of them with an unknown store. */
function pointsCsv(rows: number, firstId: number) {
  let body = `${LOYALTY_COLUMNS.join(',')}\n`;
  let pointsSum = 0;
  for (let i = 0; i < rows; i++) {
    const points = (i % 7) * 10 - 15;
    const store = i === 3 ? 'ATLANTIS' : 'EMERALD';
    if (store !== 'ATLANTIS') pointsSum += points;
    body += `${firstId + i},${600_000_000_000 + (i % 20)},${store},${points},purchase,2024-05-0${1 + (i % 9)}T10:00:00Z\n`;
  }
  return { body, pointsSum };
}

describe('the loyalty intake: a signal converts a given file', () => {
  let t: TemporalHarness;
  let prefix: string;
  let activities: Record<string, unknown>;
  const run = `intake-${randomUUID().slice(0, 8)}`;
  const intakeId = `loyalty-intake/${run}`;

  beforeAll(async () => {
    t = await temporalHarness('loyalty-intake');
    prefix = await freshTables(deps.dynamo, 'lin');
    activities = createLoyaltyActivities({
      s3: deps.s3,
      dynamo: deps.dynamo,
      buckets: config.aws.buckets,
      tablePrefix: prefix,
      storeCodes: async () => ['EMERALD', 'SUNSET'],
    });
  });
  afterAll(async () => {
    await t?.close();
    await deps.close();
  });

  // What `backbone signal-convert-loyalty` does: signalWithStart, so the intake need not be running.
  const send = async (request: Omit<ConvertFileRequest, 'requestId'>) => {
    const requestId = randomUUID();
    const handle = await t.client.workflow.signalWithStart(loyaltyIntake, {
      workflowId: intakeId,
      taskQueue: t.queue('data'),
      // One request per run: every later signal lands in a run continued-as-new from the one before.
      args: [{ maxRequests: 1 }],
      signal: convertFileSignal,
      signalArgs: [{ ...request, requestId }],
    });
    return { requestId, handle };
  };
  const settled = async (handle: WorkflowHandle, requestId: string): Promise<ConvertFileRecord> => {
    for (const deadline = Date.now() + 50_000; Date.now() < deadline; await sleep(250)) {
      const records = await t.client.workflow
        .getHandle(handle.workflowId)
        .query(loyaltyIntakeRequests)
        .catch(() => [] as ConvertFileRecord[]);
      const mine = records.find((r) => r.requestId === requestId);
      if (mine && mine.outcome !== 'resolving' && mine.outcome !== 'converting') return mine;
    }
    throw new Error(`request ${requestId} did not settle`);
  };
  const balanceSum = async () =>
    (await scanAll(deps.dynamo, prefix, 'loyaltyBalances')).reduce((s, b) => s + Number(b.balance!.N), 0);

  it('converts a signalled key once; the same key again, or its archived copy twice, adds nothing', async () => {
    const { body, pointsSum } = pointsCsv(60, 1);
    const key = await uploadIncoming(deps.s3, config.aws.buckets.archive, 'loyalty', `${run}/points.csv`, body);
    const head = await deps.s3.send(new HeadObjectCommand({ Bucket: config.aws.buckets.archive, Key: key }));
    const etag = head.ETag!.replace(/"/g, '');

    await t.withWorkers({ data: activities }, async () => {
      const first = await send({ key });
      expect(await settled(first.handle, first.requestId)).toMatchObject({
        key,
        outcome: 'converted',
        workflowId: loyaltyConvertWorkflowId(key, etag),
        counts: { read: 60, converted: 59, quarantined: 1 },
      });
      expect(await balanceSum()).toBe(pointsSum);

      // The same key again: it was converted (and archived) by this intake, so nothing is started.
      const again = await send({ key });
      expect(await settled(again.handle, again.requestId)).toMatchObject({
        outcome: 'already-converted',
        workflowId: loyaltyConvertWorkflowId(key, etag),
      });
      // maxRequests 1: the second request was taken by a new run, which still lists the first.
      expect(again.handle.signaledRunId).not.toBe(first.handle.signaledRunId);
      const listed = await t.client.workflow.getHandle(intakeId).query(loyaltyIntakeRequests);
      expect(listed.map((r) => r.requestId)).toEqual(expect.arrayContaining([first.requestId, again.requestId]));

      // The archived copy is re-run in place (keepSource), once; the balances already hold this file.
      const archived = archiveKey('loyalty', {
        day: dayPartition(head.LastModified!),
        fileName: `${run}__points.csv`,
        etag: head.ETag!,
      });
      const rerun = await send({ key: archived });
      expect(await settled(rerun.handle, rerun.requestId)).toMatchObject({
        outcome: 'converted',
        workflowId: loyaltyConvertWorkflowId(archived, etag),
      });
      const rerunAgain = await send({ key: archived });
      expect(await settled(rerunAgain.handle, rerunAgain.requestId)).toMatchObject({ outcome: 'already-converted' });
      await deps.s3.send(new HeadObjectCommand({ Bucket: config.aws.buckets.archive, Key: archived }));
      expect(await balanceSum()).toBe(pointsSum);

      const missing = await send({ key: `incoming/loyalty/${run}/nothing-here.csv` });
      expect(await settled(missing.handle, missing.requestId)).toMatchObject({ outcome: 'not-found' });
    });
  });

  it('two signals for one new file in flight start one conversion', async () => {
    const { body, pointsSum } = pointsCsv(40, 1000);
    const key = await uploadIncoming(deps.s3, config.aws.buckets.archive, 'loyalty', `${run}/twice.csv`, body);
    const before = await balanceSum();
    await t.withWorkers({ data: activities }, async () => {
      const [a, b] = await Promise.all([send({ key }), send({ key })]);
      const outcomes = [await settled(a.handle, a.requestId), await settled(b.handle, b.requestId)].map(
        (r) => r.outcome,
      );
      expect(outcomes.sort()).toEqual(['already-converted', 'converted']);
    });
    expect((await balanceSum()) - before).toBe(pointsSum);
  });
});
