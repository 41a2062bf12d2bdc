import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as workflows from '../../../workflows';
import { temporalHarness, type TemporalHarness } from '../../support/temporal';

/** An activity failing as a ShopifyUserError or a broken input does: not retryable. */
const fail = () => {
  throw ApplicationFailure.nonRetryable('cannot be done', 'ShopifyUserError');
};
const failing = (...names: string[]) => Object.fromEntries(names.map((n) => [n, fail]));

// Every workflow whose failure leaves nothing else to say: its first activity fails for good.
const cases: [keyof typeof workflows, unknown[], string[]][] = [
  ['productPublish', [{ pimId: 1 }], ['pushProduct']],
  ['catalogBackfill', [{ name: 'x', filter: {} }], ['countPopulation']],
  ['catalogSync', [{}], ['diffPage']],
  ['ordersToLake', [{ day: '2026-03-01' }], ['exportOrdersDay']],
  ['reconcileOrders', [{ day: '2026-03-01' }], ['shopifyView', 'databaseView', 'lakeView', 'dynamoView']],
  ['fraudIndicators', [{}], ['refreshRisk']],
  ['ordersIngest', [{}], ['ingestWindow']],
  ['ordersBackfill', [{ from: '2026-01-01', to: '2026-02-01' }], ['startOrdersBulk']],
  ['orderUpsert', [{ shop: 's', orderGid: 'gid://shopify/Order/1' }], ['upsertOrderById']],
];

describe('a failed workflow says so in SyncStatus', () => {
  let t: TemporalHarness;
  beforeAll(async () => {
    t = await temporalHarness('failed-status');
  });
  afterAll(() => t?.close());

  const syncStatus = async (id: string) =>
    (await t.client.workflow.getHandle(id).describe()).typedSearchAttributes
      .getAll()
      .find((p) => p.key.name === 'SyncStatus')?.value;

  it('product-publish, catalog-backfill, orders-lake and every other workflow end Failed, not Running', async () => {
    const acts = failing(...cases.flatMap(([, , names]) => names));
    const outcome = await t.withWorkers({ shopify: acts, data: acts }, async () =>
      Promise.all(
        cases.map(async ([name, args]) => {
          const id = `${name}/${randomUUID()}`;
          const handle = await t.client.workflow.start(name, {
            workflowId: id,
            taskQueue: t.queue('shopify'),
            args,
          });
          await expect(handle.result()).rejects.toThrow();
          return [name, await syncStatus(id)];
        }),
      ),
    );
    expect(Object.fromEntries(outcome)).toEqual(Object.fromEntries(cases.map(([name]) => [name, 'Failed'])));
  }, 90_000);

  it('keeps the more precise status a workflow set itself (an invalid product stays Invalid)', async () => {
    const id = `productPublish/${randomUUID()}`;
    await t.withWorkers(
      { shopify: { pushProduct: async () => ({ status: 'Invalid', problems: [{ code: 'x', message: 'y' }] }) } },
      async () => {
        const handle = await t.client.workflow.start('productPublish', {
          workflowId: id,
          taskQueue: t.queue('shopify'),
          args: [{ pimId: 2 }],
        });
        await expect(handle.result()).rejects.toMatchObject({ cause: { message: /cannot be published/ } });
      },
    );
    expect(await syncStatus(id)).toBe('Invalid');
  }, 60_000);
});
