import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LakeColumn } from '../../../domain/extraction/lake-schema';
import { lightspeedSaleLines } from '../../../domain/extraction/lightspeed-tables';
import { replayDeadLetter } from '../../../lake/dead-letter-replay';
import { listDeadLetters, readDeadLetter, writeDeadLetter } from '../../../lake/dead-letters';
import { extensionDirectory, s3SecretSql } from '../../../lake/duckdb';
import { partitionKey } from '../../../lake/lake-layout';
import { openLakeQuery } from '../../../lake/lake-query';
import { openLakeTableWriter, readManifest, writeLakeTable, type Lake } from '../../../lake/lake-writer';
import { MERGE_SLOTS, mergeStats } from '../../../lake/partition-merge';
import { createS3Client, ensureBuckets } from '../../../lake/s3';
import { loadConfig } from '../../../workers/config';

const columns: LakeColumn[] = [
  { name: 'order_id', type: 'BIGINT', required: true },
  { name: 'store', type: 'VARCHAR', required: true },
  { name: 'created_at', type: 'TIMESTAMP', required: true },
  { name: 'updated_at', type: 'TIMESTAMP', required: true },
  { name: 'total', type: 'DECIMAL(18,2)' },
];
const spec = { source: 'shopify', entity: 'orders', columns, naturalKey: ['order_id'], updatedAtField: 'updated_at' };
const order = (id: number, day: string, updated: string, total: string, extra: Record<string, unknown> = {}) => ({
  order_id: String(id),
  store: id % 2 ? 'C' : 'EM',
  created_at: `${day}T10:00:00Z`,
  updated_at: updated,
  total,
  ...extra,
});

describe('lake writer (Parquet partitions on S3, dedup, schema versions, dead letters)', () => {
  const config = loadConfig();
  const s3 = createS3Client(config.aws);
  const bucket = `lake-t-${randomUUID().slice(0, 8)}`;
  const quarantine = `lakeq-t-${randomUUID().slice(0, 8)}`;
  const lake: Lake = { s3, bucket, quarantineBucket: quarantine };
  const cacheDir = path.join(os.tmpdir(), `lake-cache-${randomUUID().slice(0, 6)}`);
  const session = (forceSdk = false) => openLakeQuery({ aws: config.aws, s3, bucket, cacheDir, forceSdk });

  beforeAll(async () => ensureBuckets(s3, [bucket, quarantine]));
  afterAll(() => s3.destroy());

  it('re-extracting a window never duplicates; the newest updated_at wins, an older version never overwrites', async () => {
    const rows = [
      order(1, '2026-08-30', '2026-08-30T10:00:00Z', '10.00'),
      order(2, '2026-08-30', '2026-08-30T10:00:00Z', '20.00'),
      order(3, '2026-08-31', '2026-08-31T10:00:00Z', '30.00'),
    ];
    const first = await writeLakeTable(lake, { ...spec, dt: { column: 'created_at' }, rows });
    expect(first.partitions).toEqual([
      { dt: '2026-08-30', rows: 2 },
      { dt: '2026-08-31', rows: 1 },
    ]);
    // The same window again, plus a newer version of 1 and a stale version of 2.
    await writeLakeTable(lake, {
      ...spec,
      dt: { column: 'created_at' },
      rows: [
        ...rows,
        order(1, '2026-08-30', '2026-09-01T08:00:00Z', '11.00'),
        order(2, '2026-08-30', '2026-08-29T08:00:00Z', '99.00'),
      ],
    });
    const q = await session();
    try {
      expect(q.duck.httpfs).toBe(true);
      expect(await q.query(`SELECT order_id, total FROM shopify.orders ORDER BY order_id`)).toEqual([
        { order_id: '1', total: '11.00' },
        { order_id: '2', total: '20.00' },
        { order_id: '3', total: '30.00' },
      ]);
    } finally {
      q.close();
    }
  });

  it('keeps every row when many share one updated_at (distinct keys), and the later write wins a tie', async () => {
    const same = '2026-09-02T00:00:00Z';
    const rows = Array.from({ length: 500 }, (_, i) => order(1000 + i, '2026-09-02', same, '1.00'));
    await writeLakeTable(lake, { ...spec, dt: { column: 'created_at' }, rows });
    await writeLakeTable(lake, {
      ...spec,
      dt: { column: 'created_at' },
      rows: [order(1000, '2026-09-02', same, '2.00')],
    });
    const q = await session();
    try {
      expect(
        await q.query(
          `SELECT count(*)::INT AS n, sum(total)::VARCHAR AS s FROM shopify.orders WHERE dt = '2026-09-02'`,
        ),
      ).toEqual([{ n: 500, s: '501.00' }]);
    } finally {
      q.close();
    }
  });

  it('quarantines a row without a required field into a dead letter (request and reason), not the page', async () => {
    const r = await writeLakeTable(lake, {
      ...spec,
      dt: { column: 'created_at' },
      rows: [
        order(2001, '2026-09-03', '2026-09-03T10:00:00Z', '5.00'),
        { ...order(2002, '2026-09-03', '2026-09-03T10:00:00Z', 'x'), store: '' },
      ],
      raw: {
        pageId: 'window-1/p1',
        request: { query: 'orders', window: '2026-09-03' },
        records: [{ id: 2001 }, { id: 2002 }],
      },
    });
    expect(r.written).toBe(1);
    expect(r.quarantined).toBe(1);
    const letters = await listDeadLetters(lake, 'shopify/orders');
    expect(letters).toContain(r.deadLetter);
    const letter = await readDeadLetter(lake, r.deadLetter!);
    expect(letter.kind).toBe('rows');
    expect(letter.request).toEqual({ query: 'orders', window: '2026-09-03' });
    expect(letter.rawKey).toBe(r.rawKey);
    expect(letter.rows![0]!.reasons).toEqual(['store: required field missing', 'total: not a number: "x"']);
  });

  it('keeps an unknown field raw in _extra and reports it once', async () => {
    const a = await writeLakeTable(lake, {
      ...spec,
      dt: { column: 'created_at' },
      rows: [order(3001, '2026-09-04', '2026-09-04T10:00:00Z', '1.00', { loyaltyTier: 'gold' })],
    });
    expect(a.newUnknownFields).toEqual(['loyaltyTier']);
    const b = await writeLakeTable(lake, {
      ...spec,
      dt: { column: 'created_at' },
      rows: [order(3002, '2026-09-04', '2026-09-04T10:00:00Z', '1.00', { loyaltyTier: 'silver' })],
    });
    expect(b.newUnknownFields).toEqual([]);
    const manifest = await readManifest(s3, bucket, 'shopify', 'orders');
    expect(Object.keys(manifest!.unknownFields)).toEqual(['loyaltyTier']);
    const q = await session();
    try {
      expect(
        await q.query(
          `SELECT order_id, json_extract_string(_extra, '$.loyaltyTier') AS tier FROM shopify.orders WHERE dt = '2026-09-04' ORDER BY 1`,
        ),
      ).toEqual([
        { order_id: '3001', tier: 'gold' },
        { order_id: '3002', tier: 'silver' },
      ]);
    } finally {
      q.close();
    }
  });

  it('a new optional column keeps the schema version; a retyped column bumps it and old partitions still read', async () => {
    const t = { ...spec, entity: 'versions' };
    const v1 = await writeLakeTable(lake, {
      ...t,
      dt: { column: 'created_at' },
      rows: [order(1, '2026-01-01', '2026-01-01T00:00:00Z', '1.00')],
    });
    expect(v1.schemaVersion).toBe(1);
    const withNote = [...columns, { name: 'note', type: 'VARCHAR' as const }];
    const v1b = await writeLakeTable(lake, {
      ...t,
      columns: withNote,
      dt: { column: 'created_at' },
      rows: [{ ...order(2, '2026-01-02', '2026-01-02T00:00:00Z', '2.00'), note: 'n' }],
    });
    expect(v1b.schemaVersion).toBe(1);
    const retyped = withNote.map((c) => (c.name === 'total' ? { ...c, type: 'DOUBLE' as const } : c));
    const v2 = await writeLakeTable(lake, {
      ...t,
      columns: retyped,
      dt: { column: 'created_at' },
      rows: [{ ...order(3, '2026-01-03', '2026-01-03T00:00:00Z', '3.5'), note: 'm' }],
    });
    expect(v2.schemaVersion).toBe(2);
    const manifest = await readManifest(s3, bucket, 'shopify', 'versions');
    expect(manifest!.versions.map((v) => [v.version, v.change ?? null])).toEqual([
      [1, null],
      [2, 'column total DECIMAL(18,2) → DOUBLE'],
    ]);
    const q = await session();
    try {
      expect(await q.query(`SELECT order_id, note, _schema_version AS v FROM shopify.versions ORDER BY 1`)).toEqual([
        { order_id: '1', note: null, v: 1 },
        { order_id: '2', note: 'n', v: 1 },
        { order_id: '3', note: 'm', v: 2 },
      ]);
    } finally {
      q.close();
    }
  });

  it('a reported deletion is a tombstone that wins over the row (key and updated_at suffice)', async () => {
    const t = { ...spec, entity: 'deletions' };
    await writeLakeTable(lake, {
      ...t,
      dt: { day: '2026-05-05' },
      rows: [order(7, '2026-05-05', '2026-05-05T00:00:00Z', '7.00')],
    });
    await writeLakeTable(lake, {
      ...t,
      dt: { day: '2026-05-05' },
      rows: [{ order_id: '7', updated_at: '2026-05-06T00:00:00Z', _deleted: true }],
    });
    const q = await session();
    try {
      expect(await q.query(`SELECT order_id, _deleted AS d, store FROM shopify.deletions`)).toEqual([
        { order_id: '7', d: true, store: null },
      ]);
    } finally {
      q.close();
    }
  });

  it('two concurrent writers of one partition both land', async () => {
    const t = { ...spec, entity: 'concurrent' };
    await Promise.all(
      Array.from({ length: 4 }, (_, w) =>
        writeLakeTable(lake, {
          ...t,
          dt: { day: '2026-06-01' },
          rows: Array.from({ length: 50 }, (_, i) => order(w * 1000 + i, '2026-06-01', '2026-06-01T00:00:00Z', '1.00')),
        }),
      ),
    );
    const q = await session();
    try {
      expect(await q.query(`SELECT count(*)::INT AS n FROM shopify.concurrent`)).toEqual([{ n: 200 }]);
    } finally {
      q.close();
    }
  });

  it('concurrent writes of one table rewrite each partition once per round, not once per writer (group commit)', async () => {
    // A client of its own that counts the partition PUTs and GETs this test makes.
    const counted = createS3Client(config.aws);
    const calls: string[] = [];
    counted.middlewareStack.add(
      (next, context) => async (args) => {
        const key = (args.input as { Key?: string }).Key ?? '';
        if (key.includes('/grouped/dt=')) calls.push(`${context.commandName} ${key}`);
        return next(args);
      },
      { step: 'initialize' },
    );
    const grouped: Lake = { s3: counted, bucket, quarantineBucket: quarantine };
    const t = { ...spec, entity: 'grouped' };
    try {
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, w) =>
          writeLakeTable(grouped, {
            ...t,
            dt: { column: 'created_at' },
            rows: Array.from({ length: 40 }, (_, i) =>
              order(w * 100 + i, i % 2 ? '2026-06-10' : '2026-06-11', '2026-06-11T00:00:00Z', '1.00'),
            ),
          }),
        ),
      );
      expect(results.map((r) => r.written)).toEqual([40, 40, 40, 40, 40, 40]);
      // The first writer runs alone; the five that arrived meanwhile are merged in one second round.
      const puts = calls.filter((c) => c.startsWith('PutObjectCommand'));
      expect(puts.length).toBe(4);
      // Days the manifest doesn't know are found with one listing, not a GET per day.
      expect(calls.filter((c) => c.startsWith('GetObjectCommand')).length).toBe(2);
      expect(results.at(-1)!.partitions).toEqual([
        { dt: '2026-06-10', rows: 120 },
        { dt: '2026-06-11', rows: 120 },
      ]);
    } finally {
      counted.destroy();
    }
    const q = await session();
    try {
      expect(await q.query(`SELECT count(*)::INT AS n FROM shopify.grouped`)).toEqual([{ n: 240 }]);
    } finally {
      q.close();
    }
  });

  it('commits of five tables at once run at most two DuckDB merges at a time (memory, libuv threads), and every table lands whole', async () => {
    mergeStats.peakConcurrent = 0;
    const tables = ['slot_a', 'slot_b', 'slot_c', 'slot_d', 'slot_e'];
    const results = await Promise.all(
      tables.map((entity, k) =>
        writeLakeTable(lake, {
          ...spec,
          entity,
          dt: { column: 'created_at' },
          rows: Array.from({ length: 300 }, (_, i) =>
            order(k * 1000 + i, `2026-05-${String(1 + (i % 20)).padStart(2, '0')}`, '2026-05-21T00:00:00Z', '2.00'),
          ),
        }),
      ),
    );
    expect(results.map((r) => r.written)).toEqual([300, 300, 300, 300, 300]);
    expect(MERGE_SLOTS).toBe(2);
    expect(mergeStats.peakConcurrent).toBe(MERGE_SLOTS);
    const q = await session();
    try {
      for (const entity of tables)
        expect(await q.query(`SELECT count(DISTINCT order_id)::INT AS n FROM shopify.${entity}`)).toEqual([{ n: 300 }]);
    } finally {
      q.close();
    }
  });

  it('a stream of pages through one table writer lands in one rewrite per partition at commit, none before', async () => {
    const t = { ...spec, entity: 'streamed' };
    const w = openLakeTableWriter(lake, { ...t, dt: { column: 'created_at' } });
    try {
      for (let p = 0; p < 5; p++) {
        const r = await w.add(
          Array.from({ length: 100 }, (_, i) => order(p * 100 + i, '2026-06-20', '2026-06-20T00:00:00Z', '1.00')),
          { pageId: `stream/p${p}`, request: { page: p }, records: [{ page: p }] },
        );
        expect(r).toMatchObject({ accepted: 100, quarantined: 0 });
        expect(r.rawKey).toMatch(/_raw\/dt=.*stream_p/);
      }
      // A page again (a retry after a crash), with one newer version: dedup by key, the newest wins.
      await w.add([order(7, '2026-06-20', '2026-06-21T00:00:00Z', '9.00')]);
      expect(w.stagedRows).toBe(501);
      expect(await readManifest(s3, bucket, 'shopify', 'streamed')).toBeNull();
      const c = await w.commit();
      expect(c.written).toBe(501);
      expect(c.partitions).toEqual([{ dt: '2026-06-20', rows: 500 }]);
      expect(w.stagedRows).toBe(0);
    } finally {
      w.close();
    }
    const manifest = await readManifest(s3, bucket, 'shopify', 'streamed');
    expect(manifest!.partitions['2026-06-20']!.rows).toBe(500);
    const q = await session();
    try {
      expect(
        await q.query(`SELECT count(*)::INT AS n, max(total)::VARCHAR AS top FROM shopify.streamed WHERE order_id = 7`),
      ).toEqual([{ n: 1, top: '9.00' }]);
    } finally {
      q.close();
    }
  });

  it('a write over more days than one merge step takes is merged chunk by chunk, old partitions kept', async () => {
    const t = { ...spec, entity: 'chunked' };
    const days = ['2026-06-01', '2026-06-02', '2026-06-03', '2026-06-04', '2026-06-05'];
    const small: Lake = { ...lake, merge: { chunkDays: 2, chunkRows: 30 } };
    const rows = (from: number, updated: string, total: string) =>
      days.flatMap((day, d) => Array.from({ length: 10 }, (_, i) => order(from + d * 100 + i, day, updated, total)));
    await writeLakeTable(small, { ...t, dt: { column: 'created_at' }, rows: rows(0, '2026-06-06T00:00:00Z', '1.00') });
    // Half the keys again with a newer version, half new keys: each partition merged with its old file.
    const again = await writeLakeTable(small, {
      ...t,
      dt: { column: 'created_at' },
      rows: [...rows(5, '2026-06-07T00:00:00Z', '2.00'), ...rows(50, '2026-06-07T00:00:00Z', '3.00')],
    });
    expect(again.partitions).toEqual(days.map((dt) => ({ dt, rows: 25 })));
    const q = await session();
    try {
      expect(
        await q.query(
          `SELECT dt::VARCHAR AS dt, count(*)::INT AS n, sum(total)::VARCHAR AS s FROM shopify.chunked GROUP BY ALL ORDER BY 1`,
        ),
      ).toEqual(days.map((dt) => ({ dt, n: 25, s: `${5 * 1 + 10 * 2 + 10 * 3}.00` })));
    } finally {
      q.close();
    }
  });

  it('a commit of 250,000 Lightspeed sale lines over 32 days stays inside the merge memory limit of DuckDB (merged in steps)', async () => {
    // A slow lake lets a batch grow this large (four shops' staging merged in one round). In one step DuckDB ran out
    // of its 64 MB ("failed to pin block of size 256.0 KiB") and the commit failed on every retry.
    const days = 32;
    const n = 250_000;
    const start = Date.parse('2026-10-01T00:00:00Z');
    const writer = openLakeTableWriter(lake, lightspeedSaleLines);
    try {
      for (let from = 0; from < n; from += 5000) {
        const page = Array.from({ length: Math.min(5000, n - from) }, (_, j) => {
          const i = from + j;
          const at = new Date(start + Math.floor((i / n) * days * 86_400_000)).toISOString();
          return {
            sale_line_id: String(i + 1),
            sale_id: String(Math.floor(i / 40) + 1),
            shop_id: String(1 + (i % 4)),
            item_id: String(i % 4000),
            employee_id: '3',
            created_at: at,
            completed_at: at,
            updated_at: at,
            voided: false,
            quantity: '2',
            unit_price: '3.25',
            normal_unit_price: '3.25',
            discount: '0',
            subtotal: '6.50',
            tax1: '0.57',
            tax2: '0',
            total: '7.07',
            avg_cost: '2.10',
            fifo_cost: '2.10',
            taxable: true,
            tax_class_id: '1',
          };
        });
        await writer.add(page);
      }
      const r = await writer.commit();
      expect(r.written).toBe(n);
      expect(r.partitions).toHaveLength(days);
      expect(r.partitions.reduce((a, p) => a + p.rows, 0)).toBe(n);
    } finally {
      writer.close();
    }
  }, 120_000);

  it('a filter on dt reads only that partition (pruned), over httpfs and over the SDK fallback', async () => {
    // A corrupt partition beside good ones: a query that opened it would fail, so success proves it was skipped.
    const t = { ...spec, entity: 'pruning' };
    for (const day of ['2026-07-01', '2026-07-02', '2026-07-03'])
      await writeLakeTable(lake, {
        ...t,
        dt: { day },
        rows: [order(Number(day.slice(-1)), day, `${day}T00:00:00Z`, '1.00')],
      });
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: partitionKey('shopify', 'pruning', '2026-07-03'),
        Body: 'not parquet',
      }),
    );
    const q = await session();
    try {
      expect(await q.query(`SELECT count(*)::INT AS n FROM shopify.pruning WHERE dt <= DATE '2026-07-02'`)).toEqual([
        { n: 2 },
      ]);
      await expect(q.query(`SELECT count(*)::INT AS n FROM shopify.pruning`)).rejects.toThrow(/parquet|magic/i);
    } finally {
      q.close();
    }
    const f = await openLakeQuery({
      aws: config.aws,
      s3,
      bucket,
      cacheDir,
      forceSdk: true,
      dtFrom: '2026-07-01',
      dtTo: '2026-07-02',
    });
    try {
      expect(f.duck.httpfs).toBe(false);
      expect(await f.query(`SELECT count(*)::INT AS n, sum(total)::VARCHAR AS s FROM shopify.pruning`)).toEqual([
        { n: 2, s: '2.00' },
      ]);
    } finally {
      f.close();
    }
  });

  it('an independent DuckDB (fresh instance, only httpfs and the S3 secret) reads every table', async () => {
    const db = await DuckDBInstance.create(':memory:', {
      extension_directory: extensionDirectory(),
      autoinstall_known_extensions: 'false',
    });
    const c = await db.connect();
    try {
      await c.run(s3SecretSql(config.aws));
      for (const entity of ['orders', 'versions', 'deletions', 'concurrent']) {
        const r = await c.runAndReadAll(
          `SELECT count(*)::INT AS n FROM read_parquet('s3://${bucket}/shopify/${entity}/dt=*/data.parquet', hive_partitioning = true, union_by_name = true)`,
        );
        expect(Number(r.getRowObjects()[0]!.n)).toBeGreaterThan(0);
      }
    } finally {
      c.closeSync();
      db.closeSync();
    }
  });
});

describe('dead-letter replay', () => {
  const config = loadConfig();
  const s3 = createS3Client(config.aws);
  const bucket = `lake-r-${randomUUID().slice(0, 8)}`;
  const quarantine = `lakeq-r-${randomUUID().slice(0, 8)}`;
  const lake: Lake = { s3, bucket, quarantineBucket: quarantine };
  beforeAll(async () => ensureBuckets(s3, [bucket, quarantine]));
  afterAll(() => s3.destroy());

  it('replays refused rows after the schema is fixed, and a page after the parser is fixed; each letter once', async () => {
    const strict = { ...spec, entity: 'replay', dt: { column: 'created_at' } as const };
    const r = await writeLakeTable(lake, {
      ...strict,
      rows: [{ ...order(1, '2026-03-01', '2026-03-01T00:00:00Z', '1.00'), store: null }],
    });
    expect(r.quarantined).toBe(1);
    // The fix: store becomes optional. The replay reads the table's current definition.
    const fixed = { ...strict, columns: columns.map((c) => (c.name === 'store' ? { ...c, required: false } : c)) };
    const rowsReplay = await replayDeadLetter(lake, r.deadLetter!, () => fixed);
    expect(rowsReplay.result).toMatchObject({ written: 1, quarantined: 0 });

    let parserFixed = false;
    const withParser = {
      ...fixed,
      parsePage: (body: string) => {
        if (!parserFixed) throw new Error('unexpected page shape');
        return (JSON.parse(body) as { orders: Record<string, unknown>[] }).orders;
      },
    };
    const page = await writeDeadLetter(lake, {
      source: 'shopify',
      entity: 'replay',
      kind: 'page',
      reason: 'unexpected page shape',
      request: { query: 'orders', cursor: 'abc' },
      response: {
        status: 200,
        body: JSON.stringify({ orders: [order(2, '2026-03-01', '2026-03-01T00:00:00Z', '2.00')] }),
      },
    });
    await expect(replayDeadLetter(lake, page, () => withParser)).rejects.toThrow(/unexpected page shape/);
    expect(await listDeadLetters(lake, 'shopify/replay')).toEqual([page]);
    parserFixed = true;
    await replayDeadLetter(lake, page, () => withParser);
    expect(await listDeadLetters(lake, 'shopify/replay')).toEqual([]);
    const q = await openLakeQuery({ aws: config.aws, s3, bucket, cacheDir: os.tmpdir() });
    try {
      expect(await q.query(`SELECT order_id, store FROM shopify.replay ORDER BY 1`)).toEqual([
        { order_id: '1', store: null },
        { order_id: '2', store: 'EM' },
      ]);
    } finally {
      q.close();
    }
  });
});
