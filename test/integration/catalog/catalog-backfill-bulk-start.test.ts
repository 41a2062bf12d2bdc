import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { stageJsonl, startBulkMutation } from '../../../connectors/shopify';
import { catalogBackfill } from '../../../workflows/catalog';
import { catalogFixture, type CatalogFixture } from '../../support/catalog/catalog-fixture';
import { temporalHarness, type TemporalHarness } from '../../support/temporal';

const N = 300;
const FILLER = `mutation filler($input: ProductSetInput!) { productSet(input: $input) { product { id } userErrors { field message } } }`;

// Issue 11 item 8: bulkOperationRunMutation is not idempotent, and Shopify answers LIMIT_REACHED ("Bulk operations
// limit reached. Please try again later.", BulkMutationErrorCode) while 5 bulk mutations run.
describe('catalog backfill: bulk starts are idempotent and wait for a free slot', () => {
  let t: TemporalHarness;
  let f: CatalogFixture;
  beforeAll(async () => {
    t = await temporalHarness('bulkstart');
    f = await catalogFixture({ products: N, sandbox: { bulkRowsPerSecond: 150 }, temporal: async () => t.client });
  });
  afterAll(async () => {
    await f?.close();
    await t?.close();
  });

  const backfilled = () =>
    [...f.sandbox.state.products.values()]
      .map((p) => p.metafields.find((m) => m.key === 'pim_id')?.value)
      .filter((v): v is string => Boolean(v));
  const mutationsOfRun = (tag: string) =>
    [...f.sandbox.state.bulkOperations.values()].filter((o) => o.type === 'MUTATION' && o.query.includes(tag));

  it('starts one operation per chunk when every start reply is lost after Shopify committed it', async () => {
    f.sandbox.setFaults({ dropAfterCommitRate: 1, dropAfterCommitFields: ['bulkOperationRunMutation'] });
    const opsBefore = f.sandbox.state.bulkOperations.size;
    const result = await t
      .withWorkers(f.activities, () =>
        t.client.workflow.execute(catalogBackfill, {
          taskQueue: t.queue('shopify'),
          workflowId: `catalog-backfill/lost-${randomUUID().slice(0, 6)}`,
          workflowExecutionTimeout: '150 seconds',
          args: [{ name: 'lost', filter: {}, bulkThreshold: 10, chunkSize: 100, maxConcurrentBulk: 3 }],
        }),
      )
      .catch((e: unknown) => e)
      .finally(() => f.sandbox.setFaults({}));
    expect(f.sandbox.state.counters.dropped).toBeGreaterThanOrEqual(3);
    expect(f.sandbox.state.bulkOperations.size - opsBefore).toBe(3); // 3 chunks, 3 operations
    expect(result).toMatchObject({ phase: 'done', total: N, synced: N, failed: 0 });
    expect(new Set(backfilled()).size).toBe(N);
    expect(backfilled()).toHaveLength(N);
  }, 180_000);

  it('retries LIMIT_REACHED with backoff until a slot frees, instead of failing the backfill', async () => {
    // Five bulk mutations of someone else's already run: every slot is taken for a few seconds.
    const lines = Array.from({ length: 450 }, (_, i) => JSON.stringify({ input: { title: `filler ${i}` } }));
    for (let i = 0; i < 5; i++) {
      const path = await stageJsonl(f.shopify, `filler-${i}.jsonl`, new Blob([lines.join('\n')]));
      await startBulkMutation(f.shopify, FILLER, path);
    }
    await f.pim.execute(sql`update products set title = concat(title, ' (new)') where id <= 150`);
    const fillers = () => [...f.sandbox.state.bulkOperations.values()].filter((o) => o.query === FILLER);
    expect(fillers().every((o) => o.status === 'CREATED' || o.status === 'RUNNING')).toBe(true);
    const ownBefore = mutationsOfRun('mutation bulk_').length;
    const result = await t.withWorkers(f.activities, () =>
      t.client.workflow.execute(catalogBackfill, {
        taskQueue: t.queue('shopify'),
        workflowId: `catalog-backfill/limit-${randomUUID().slice(0, 6)}`,
        args: [{ name: 'limit', filter: {}, bulkThreshold: 10, chunkSize: 100, maxConcurrentBulk: 2 }],
      }),
    );
    expect(result).toMatchObject({ phase: 'done', total: N, synced: 150, skipped: N - 150, failed: 0 });
    const own = mutationsOfRun('mutation bulk_').slice(ownBefore);
    expect(own).toHaveLength(2); // 2 chunks, 2 operations
    // Its first start was refused (all 5 slots taken) and retried: no operation of its own began before a slot freed.
    const firstFree = Math.min(...fillers().map((o) => Date.parse(o.completedAt!)));
    expect(Math.min(...own.map((o) => Date.parse(o.createdAt)))).toBeGreaterThanOrEqual(firstFree);
    const titles = [...f.sandbox.state.products.values()].filter((p) => p.title.endsWith(' (new)'));
    expect(titles).toHaveLength(150);
  }, 120_000);
});
