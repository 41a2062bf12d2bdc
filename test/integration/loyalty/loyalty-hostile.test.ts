import { randomUUID } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { createLoyaltyActivities, type LoyaltyDeps } from '../../../activities/loyalty/loyalty';
import { createWorkflowStatusActivities } from '../../../activities/platform/workflow-status';
import { loyaltyConvertWorkflowId } from '../../../domain/platform/file-workflows';
import { incomingKey } from '../../../lake/layout';
import { loyaltyConvert, scanIncomingFiles } from '../../../workflows';
import { scanAll } from '../../support/customers/customers-fixture';
import { binaryBlob, exists, textOf } from '../../support/platform/file-outcomes';
import { incomingFileHarness, STORES } from '../../support/platform/incoming-file-harness';

const HEADER = 'transaction_id,card_number,store_code,points_delta,reason,occurred_at\r\n';

/** Rows `from`..`to` (transaction ids offset by `base`), 51 points each spread over two months. */
function rows(base: number, from: number, to: number, card = 700000000001): string {
  let out = '';
  for (let i = from; i <= to; i++)
    out += `${base + i},${card + (i % 5)},${STORES[i % 4]},51,purchase,2024-0${1 + (i % 2)}-15T10:00:00Z\r\n`;
  return out;
}

/** Loyalty files a hostile user would send, duplicates and re-sent files; each ends in bounded time. */
describe('loyalty conversion: duplicates, encodings, hostile and re-sent files', () => {
  const h = incomingFileHarness({
    kind: 'loyalty',
    name: 'loyalty-hostile',
    tablePrefix: 'loyh',
    workflow: loyaltyConvert,
    workflowId: loyaltyConvertWorkflowId,
    activities: ({ prefix, deps, t, config }, extra: Partial<LoyaltyDeps>) => ({
      ...createLoyaltyActivities({
        s3: deps.s3,
        dynamo: deps.dynamo,
        buckets: config.aws.buckets,
        tablePrefix: prefix,
        storeCodes: async () => STORES,
        ...extra,
      }),
      ...createWorkflowStatusActivities({ temporal: async () => t.client }),
    }),
  });
  const { deps, run, put, acts, quarantined } = h;
  const { archive } = h.config.aws.buckets;
  // Transaction ids of this run only (the lake is shared by every test of the run).
  const base = 1_000_000_000 + Math.floor(Math.random() * 1_000_000) * 1000;
  const convert = (key: string, extra: Partial<LoyaltyDeps> = {}) => h.process(key, extra);

  it('a transaction id counts once within a file: 100 rows sent twice convert 100 rows and 5,100 points', async () => {
    const r = await convert(await put('twice.csv', HEADER + rows(base, 1, 100) + rows(base, 1, 100)));
    expect(r).toMatchObject({ read: 200, converted: 100, quarantined: 100, pointsSum: 5100 });
    const balances = await scanAll(deps.dynamo, h.prefix, 'loyaltyBalances');
    expect(balances.reduce((s, b) => s + Number(b.balance!.N), 0)).toBe(5100);
    const text = await quarantined(r.file.day, 'twice.csv');
    expect(text.match(/duplicate transaction id/g)).toHaveLength(100);
  });

  it('and once across files: a later file repeating 50 of those ids adds only its 50 new ones', async () => {
    const r = await convert(await put('overlap.csv', HEADER + rows(base, 51, 150)));
    expect(r).toMatchObject({ read: 100, converted: 50, quarantined: 50, pointsSum: 2550 });
    const balances = await scanAll(deps.dynamo, h.prefix, 'loyaltyBalances');
    expect(balances.reduce((s, b) => s + Number(b.balance!.N), 0)).toBe(5100 + 2550);
    expect((await quarantined(r.file.day, 'overlap.csv')).match(/duplicate transaction id/g)).toHaveLength(50);
  });

  it('a re-run of the same file version converts the same rows again (its own earlier output is no duplicate)', async () => {
    const key = await put('rerun.csv', HEADER + rows(base, 2001, 2010));
    const activities = acts();
    const file = await activities.describeIncomingFile('loyalty', key);
    const [a, b] = await h.t.withWorkers({ data: activities }, async () => {
      const once = () =>
        h.t.client.workflow.execute(loyaltyConvert, {
          taskQueue: h.t.queue('data'),
          workflowId: `${loyaltyConvertWorkflowId(key, file.etag)}/${randomUUID().slice(0, 4)}`,
          args: [{ file, keepSource: true }],
          workflowExecutionTimeout: '60 seconds',
        });
      return [await once(), await once()];
    });
    expect(a).toMatchObject({ converted: 10, quarantined: 0 });
    expect(b).toMatchObject({ converted: 10, quarantined: 0, balances: { applied: 0 } });
  });

  it('a Latin-1 row in a UTF-8 source is quarantined with its reason and the valid rows convert', async () => {
    const body = Buffer.concat([
      Buffer.from(HEADER + rows(base, 3001, 3010)),
      Buffer.from(`${base + 3011},700000000001,C,51,caf\xe9,2024-01-15T10:00:00Z\r\n`, 'latin1'),
    ]);
    const r = await convert(await put('latin1.csv', body));
    expect(r).toMatchObject({ read: 11, converted: 10, quarantined: 1 });
    const text = await quarantined(r.file.day, 'latin1.csv');
    expect(text).toMatch(/not valid UTF-8/);
    expect(text).not.toContain('\uFFFD');
  });

  it('a file declared latin1 decodes as Latin-1 (a reason with é is then an unknown reason, not an encoding error)', async () => {
    const body = Buffer.from(
      HEADER + rows(base, 4001, 4005) + `${base + 4006},700000000001,C,51,caf\xe9,2024-01-15T10:00:00Z\r\n`,
      'latin1',
    );
    const r = await convert(await put('declared-latin1.csv', body), { encoding: 'latin1' });
    expect(r).toMatchObject({ read: 6, converted: 5, quarantined: 1 });
    const text = await quarantined(r.file.day, 'declared-latin1.csv');
    expect(text).toContain('café');
    expect(text).not.toMatch(/not valid UTF-8/);
  });

  it('a same-name file re-sent on the same day keeps both archive copies and both quarantine parts', async () => {
    const bad = (id: number) => `${base + id},700000000001,C,12.5,purchase,2024-01-15T10:00:00Z\r\n`;
    const key = await put('daily.csv', HEADER + rows(base, 5001, 5002) + bad(5003));
    const first = await convert(key);
    await put('daily.csv', HEADER + rows(base, 5011, 5012) + bad(5013));
    const second = await convert(key);
    expect(first.archiveKey).not.toBe(second.archiveKey);
    expect(await textOf(deps.s3, archive, first.archiveKey!)).toContain(`${base + 5001},`);
    expect(await textOf(deps.s3, archive, second.archiveKey!)).toContain(`${base + 5011},`);
    const text = await quarantined(first.file.day, 'daily.csv');
    expect(text).toContain(`${base + 5003},`);
    expect(text).toContain(`${base + 5013},`);
  });

  it.each([
    ['an empty file', 'empty.csv', '', /empty/],
    ['a header-only file', 'header-only.csv', HEADER, /no data rows/],
    ['100 KB of binary', 'binary.csv', binaryBlob(), /header/],
    ['a file whose every row is bad', 'all-bad.csv', `${HEADER}x,y,z,1,purchase,2024-01-01\r\n`, /no usable rows/],
  ] as const)('%s is rejected as a whole: moved to rejected/ with its reason', async (_what, name, body, reason) => {
    const key = await put(name, body);
    const r = await convert(key);
    expect(r.rejected?.reason).toMatch(reason);
    expect(await exists(deps.s3, archive, key)).toBe(false);
    expect(r.rejected!.key).toMatch(/^rejected\/loyalty\//);
    expect(await exists(deps.s3, archive, r.rejected!.key)).toBe(true);
    const why = JSON.parse(await textOf(deps.s3, archive, r.rejected!.reasonKey)) as { reason: string };
    expect(why.reason).toBe(r.rejected!.reason);
  });

  it('the scan pages past 100 keys: a file listed after 104 others is started', async () => {
    const folder = `${run}-many/`;
    for (let i = 0; i < 105; i++)
      await deps.s3.send(
        new PutObjectCommand({
          Bucket: archive,
          Key: incomingKey('loyalty', `${folder}f-${String(i).padStart(3, '0')}.csv`),
          Body: HEADER,
        }),
      );
    const last = incomingKey('loyalty', `${folder}f-104.csv`);
    const scan = await h.t.withWorkers({ data: acts() }, () =>
      h.t.client.workflow.execute(scanIncomingFiles, {
        taskQueue: h.t.queue('data'),
        workflowId: `scan-incoming/${run}-many`,
        args: [{ domains: ['loyalty'], under: folder, limit: 500 }],
        workflowExecutionTimeout: '150 seconds',
      }),
    );
    expect(scan.started).toHaveLength(105);
    expect(scan.started.some((id) => id.startsWith(`loyalty-convert/${last}@`))).toBe(true);
  }, 180_000);
});
