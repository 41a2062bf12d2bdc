import { DuckDBInstance } from '@duckdb/node-api';
import { Runtime } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';

// `npm test` runs under Node >= 22: the machine's own, or the Node 24 that scripts/ensure.mjs installs under
// .local/ when the machine's is older. The native parts must load under it, not only under the Node they
// were first installed with.
describe('Node runtime', () => {
  it('is Node 22 or newer (package.json engines)', () => {
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(22);
  });

  it('loads the Temporal core bridge and starts its native runtime', async () => {
    const runtime = Runtime.install({ shutdownSignals: [] });
    expect(runtime.native).toBeDefined();
    await runtime.shutdown();
  });

  it('loads the DuckDB bindings and runs a query', async () => {
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const reader = await conn.runAndReadAll('SELECT 40 + 2 AS answer, version() AS v');
    expect(reader.getRowObjects()[0]?.answer).toBe(42);
    conn.closeSync();
    db.closeSync();
  });
});
