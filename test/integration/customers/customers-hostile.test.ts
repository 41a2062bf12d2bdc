import { describe, expect, it } from 'vitest';
import { createCustomersActivities, type CustomersDeps } from '../../../activities/customers/customers';
import { customersImportWorkflowId } from '../../../domain/platform/file-workflows';
import { customersImport } from '../../../workflows';
import { scanAll } from '../../support/customers/customers-fixture';
import { binaryBlob, exists, keysUnder, textOf } from '../../support/platform/file-outcomes';
import { incomingFileHarness, STORES } from '../../support/platform/incoming-file-harness';

const HEADER = 'customer_id,loyalty_card,updated_at,first_name,email\r\n';

/** Files a hostile user would send; each must end in a bounded time with a clear outcome. */
describe('customers import: hostile and re-sent files', () => {
  const h = incomingFileHarness({
    kind: 'customers',
    name: 'customers-hostile',
    tablePrefix: 'custh',
    workflow: customersImport,
    workflowId: customersImportWorkflowId,
    activities: ({ prefix, deps, config }, extra: Partial<CustomersDeps>) =>
      createCustomersActivities({
        s3: deps.s3,
        dynamo: deps.dynamo,
        buckets: config.aws.buckets,
        tablePrefix: prefix,
        storeCodes: async () => STORES,
        ...extra,
      }),
  });
  const { deps, run, put } = h;
  const { archive, quarantine } = h.config.aws.buckets;
  const importFile = (key: string, extra: Partial<CustomersDeps> = {}) => h.process(key, extra);
  const stored = async (id: string) =>
    (await scanAll(deps.dynamo, h.prefix, 'customers')).find((i) => i.customerId!.S === id);

  it('a same-name file re-sent on the same day keeps both archive copies and both quarantine parts', async () => {
    const bad = (n: number) => `Q${run}${n},not-a-card,2024-01-01T00:00:00Z,Bad,b@x.co\r\n`;
    const good = (n: number) => `Q${run}${n},70000000${String(n).padStart(4, '0')},2024-01-01T00:00:00Z,G,g@x.co\r\n`;
    const key = await put('daily.csv', HEADER + good(1) + bad(2));
    const first = await importFile(key);
    await put('daily.csv', HEADER + good(3) + bad(4));
    const second = await importFile(key);

    expect(first.archiveKey).not.toBe(second.archiveKey);
    for (const r of [first, second]) expect(await exists(deps.s3, archive, r.archiveKey!)).toBe(true);
    expect(await textOf(deps.s3, archive, first.archiveKey!)).toContain(`Q${run}1,`);
    expect(await textOf(deps.s3, archive, second.archiveKey!)).toContain(`Q${run}3,`);
    const parts = await keysUnder(deps.s3, quarantine, `quarantine/customers/dt=${first.file.day}/${run}__daily.csv`);
    const texts = await Promise.all(parts.map((k) => textOf(deps.s3, quarantine, k)));
    expect(texts.filter((x) => x.includes(`Q${run}2,`))).toHaveLength(1);
    expect(texts.filter((x) => x.includes(`Q${run}4,`))).toHaveLength(1);
  });

  it('a Latin-1 file imports é as é when the source is declared latin1', async () => {
    const body = Buffer.from(`${HEADER}L${run}1,700000001001,2024-01-01T00:00:00Z,Andr\xe9,a@x.co\r\n`, 'latin1');
    const r = await importFile(await put('latin1.csv', body), { encoding: 'latin1' });
    expect(r.counts).toMatchObject({ read: 1, imported: 1, quarantined: 0 });
    expect((await stored(`L${run}1`))!.firstName!.S).toBe('André');
  });

  it('a Latin-1 row in a UTF-8 source is quarantined with its reason; no U+FFFD stored; good rows written', async () => {
    const body = Buffer.concat([
      Buffer.from(`${HEADER}U${run}1,700000002001,2024-01-01T00:00:00Z,Zoë,z@x.co\r\n`, 'utf8'),
      Buffer.from(`U${run}2,700000002002,2024-01-01T00:00:00Z,Andr\xe9,a@x.co\r\n`, 'latin1'),
    ]);
    const r = await importFile(await put('mixed-encoding.csv', body));
    expect(r.counts).toMatchObject({ read: 2, imported: 1, quarantined: 1 });
    expect((await stored(`U${run}1`))!.firstName!.S).toBe('Zoë');
    expect(await stored(`U${run}2`)).toBeUndefined();
    const parts = await keysUnder(deps.s3, quarantine, `quarantine/customers/dt=${r.file.day}/${run}__mixed-encoding`);
    const text = (await Promise.all(parts.map((k) => textOf(deps.s3, quarantine, k)))).join('');
    expect(text).toMatch(/2,.*not valid UTF-8/);
    expect(text).not.toContain('\uFFFD');
  });

  it('a row with a 1 MB field (over DynamoDB’s 400 KB item limit) is quarantined and the good rows are written', async () => {
    const huge = 'x'.repeat(1024 * 1024);
    const body =
      HEADER +
      `H${run}1,700000003001,2024-01-01T00:00:00Z,Ok,o@x.co\r\n` +
      `H${run}2,700000003002,2024-01-01T00:00:00Z,${huge},h@x.co\r\n` +
      `H${run}3,700000003003,2024-01-01T00:00:00Z,Ok,o@x.co\r\n`;
    const r = await importFile(await put('huge-field.csv', body));
    expect(r.counts).toMatchObject({ read: 3, imported: 2, quarantined: 1 });
    expect(await stored(`H${run}1`)).toBeDefined();
    expect(await stored(`H${run}3`)).toBeDefined();
  });

  it.each([
    ['an empty file', 'empty.csv', '', /empty/],
    ['a header-only file', 'header-only.csv', HEADER, /no data rows/],
    ['100 KB of binary', 'binary.csv', binaryBlob(), /header|not valid UTF-8/],
  ] as const)('%s is rejected as a whole: moved to rejected/ with its reason', async (_what, name, body, reason) => {
    const key = await put(name, body);
    const r = await importFile(key);
    expect(r.rejected?.reason).toMatch(reason);
    expect(await exists(deps.s3, archive, key)).toBe(false);
    expect(await exists(deps.s3, archive, r.rejected!.key)).toBe(true);
    expect(r.rejected!.key).toMatch(/^rejected\/customers\//);
    const why = JSON.parse(await textOf(deps.s3, archive, r.rejected!.reasonKey)) as { reason: string; key: string };
    expect(why).toMatchObject({ reason: r.rejected!.reason, key });
  });
});
