import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { DuckDBInstance } from '@duckdb/node-api';
import { loyaltyCsv, type LoyaltyCsvExpectation } from '../../lake/demo/loyalty-csv';
import { convertLoyaltyCsv } from '../../lake/loyalty-parquet';
import { writeResult } from '../support/env';

// Issue 6: ROWS loyalty transactions, CSV → Parquet. Our conversion (validated, typed, ENUM store codes, month
// partitions, rejects and per-card totals) against DuckDB's own `COPY (SELECT * FROM read_csv(...)) TO ... parquet` on
// the same file, each in its own process (wall time and peak RSS), alternating, RUNS times. Then a read-back check.
const ROWS = Number(process.env.BENCH_ROWS ?? 10_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const STORES = ['EMERALD', 'C', 'SUNSET', 'OISTINS'];

const stepIndex = process.argv.indexOf('--step');
if (stepIndex > 0) {
  const [step, csv, out] = process.argv.slice(stepIndex + 1) as [string, string, string];
  const started = performance.now();
  let detail: unknown;
  if (step === 'duckdb-copy') {
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    await c.run(`COPY (SELECT * FROM read_csv('${csv}')) TO '${out}.parquet' (FORMAT parquet)`);
    c.closeSync();
    db.closeSync();
  } else {
    const { read, converted, quarantined, months, phasesMs } = await convertLoyaltyCsv({
      csvPath: csv,
      outDir: out,
      storeCodes: STORES,
      compression: step === 'ours-zstd' ? 'zstd' : 'snappy',
    });
    detail = { read, converted, quarantined, months: months.map((m) => m.month), phasesMs };
  }
  const ms = Math.round(performance.now() - started);
  const usage = process.resourceUsage();
  process.stdout.write(
    `${JSON.stringify({ ms, cpuMs: Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000), peakRssMiB: Math.round(usage.maxRSS / 1024), detail })}\n`,
  );
  process.exit(0);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-loyalty-'));
const csv = path.join(dir, 'loyalty.csv');
const want: Partial<LoyaltyCsvExpectation> = {};
await pipeline(Readable.from(loyaltyCsv({ rows: ROWS, seed: 2026, cards: 50_000 }, want)), fs.createWriteStream(csv));
const runStep = (step: string, out: string) =>
  JSON.parse(
    execFileSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--step', step, csv, out], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    })
      .trim()
      .split('\n')
      .pop()!,
  ) as {
    ms: number;
    /** User + system CPU of the whole process: steadier than wall time when the machine is busy. */
    cpuMs: number;
    peakRssMiB: number;
    detail?: {
      read: number;
      converted: number;
      quarantined: number;
      months: string[];
      phasesMs: Record<string, number>;
    };
  };

type Step = ReturnType<typeof runStep>;
const runs: { duckdbCopy: Step; ours: Step; oursZstd: Step }[] = [];
for (let r = 0; r < RUNS; r++) {
  fs.rmSync(path.join(dir, 'ours'), { recursive: true, force: true });
  fs.rmSync(path.join(dir, 'ours-zstd'), { recursive: true, force: true });
  const duckdbCopy = runStep('duckdb-copy', path.join(dir, 'copy'));
  const ours = runStep('ours', path.join(dir, 'ours'));
  const oursZstd = runStep('ours-zstd', path.join(dir, 'ours-zstd'));
  runs.push({ duckdbCopy, ours, oursZstd });
  console.log(`run ${r + 1}: duckdb COPY ${duckdbCopy.ms} ms, ours ${ours.ms} ms (snappy), ${oursZstd.ms} ms (zstd)`);
}

// Read back what we wrote: rows and point sums must equal the generator's own tally of valid rows.
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
const [back] = (
  await c.runAndReadAll(
    `SELECT count(*) AS n, sum(points_delta) AS points FROM read_parquet('${path.join(dir, 'ours/points/**/*.parquet')}')`,
  )
).getRowObjectsJson();
const [copied] = (
  await c.runAndReadAll(`SELECT count(*) AS n FROM read_parquet('${path.join(dir, 'copy.parquet')}')`)
).getRowObjectsJson();
// Every invalid row the generator wrote is in the quarantine file, under its own row number.
const rejectRows = (
  await c.runAndReadAll(`SELECT row_number FROM read_csv('${path.join(dir, 'ours/rejects.csv')}') ORDER BY 1`)
)
  .getRowObjectsJson()
  .map((r) => Number(r.row_number));
c.closeSync();
db.closeSync();
const sizeMiB = (p: string) =>
  Math.round((Number(execFileSync('du', ['-sb', p], { encoding: 'utf8' }).split('\t')[0]) / 1048576) * 10) / 10;

const best = (k: keyof (typeof runs)[number]) => Math.min(...runs.map((r) => r[k].ms));
const ratio = (k: 'ours' | 'oursZstd') => Math.round((best(k) / best('duckdbCopy')) * 100) / 100;
writeResult('loyalty-parquet', {
  rows: ROWS,
  csvMiB: sizeMiB(csv),
  runs,
  bestMs: { duckdbCopy: best('duckdbCopy'), ours: best('ours'), oursZstd: best('oursZstd') },
  ratio: ratio('ours'),
  ratioZstd: ratio('oursZstd'),
  targetRatio: 1.5,
  oursPeakRssMiB: Math.max(...runs.flatMap((r) => [r.ours.peakRssMiB, r.oursZstd.peakRssMiB])),
  targetRssMiB: 512,
  parquetMiB: {
    ours: sizeMiB(path.join(dir, 'ours/points')),
    oursZstd: sizeMiB(path.join(dir, 'ours-zstd/points')),
    duckdbCopy: sizeMiB(path.join(dir, 'copy.parquet')),
  },
  readBack: {
    expected: { rows: ROWS - want.bad!, points: want.pointsSum, bad: want.bad },
    ours: { rows: Number(back!.n), points: Number(back!.points), quarantined: runs[0]!.ours.detail!.quarantined },
    duckdbCopyRows: Number(copied!.n),
    rejectRowNumbersMatch: JSON.stringify(rejectRows) === JSON.stringify(want.badRows),
    ok:
      Number(back!.n) === ROWS - want.bad! &&
      Number(back!.points) === want.pointsSum &&
      JSON.stringify(rejectRows) === JSON.stringify(want.badRows),
  },
  note: 'ours = validation (reader-typed BIGINT/ENUM + rule checks), quarantine with row numbers, month partitions, per-card totals, in snappy (the default, as DuckDB COPY) and zstd; DuckDB COPY = untyped-by-us read_csv auto-detect → one snappy file',
});
fs.rmSync(dir, { recursive: true, force: true });
