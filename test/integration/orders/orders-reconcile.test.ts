import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { BatchWriteItemCommand, CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ordersArea } from '../../../activities/orders';
import { withTemporalFailures } from '../../../activities/platform/failures';
import { ShopifyClient } from '../../../connectors/shopify';
import { createDynamoClient, ensureTables, tableDefinitions, tableName } from '../../../lake/dynamo-tables';
import { createS3Client, ensureBuckets } from '../../../lake/s3';
import { startShopifySandbox, type ShopifySandbox } from '../../../sandbox/shopify';
import { loadConfig } from '../../../workers/config';
import { createDeps, type Deps } from '../../../workers/deps';
import { ordersIngest, ordersToLake, reconcileOrders } from '../../../workflows';
import { freshDatabases } from '../../support/db';
import { temporalHarness, type TemporalHarness } from '../../support/temporal';

/** A day's reconciliation at a size where whole-day maps in history, or a table scan, would show. */
describe('orders reconciliation scales', () => {
  const base = loadConfig();
  const s3 = createS3Client(base.aws);
  const dynamo = createDynamoClient(base.aws);
  const prefix = `${base.aws.tablePrefix}rec${randomUUID().slice(0, 6)}-`;
  const shop = `rec-${randomUUID().slice(0, 6)}.myshopify.com`;
  const day = new Date().toISOString().slice(0, 10);
  const lakeBucket = `orders-rec-${randomUUID().slice(0, 8)}`;
  let t: TemporalHarness;
  let sb: ShopifySandbox;
  let dbs: Awaited<ReturnType<typeof freshDatabases>>;
  let deps: Deps;
  let acts: ReturnType<typeof ordersArea.activities>;

  beforeAll(async () => {
    t = await temporalHarness('orders-reconcile');
    sb = await startShopifySandbox({ shop });
    dbs = await freshDatabases();
    await ensureTables(dynamo, prefix);
    // Its own lake bucket: other test files export today too.
    await ensureBuckets(s3, [lakeBucket]);
    const config = loadConfig({
      ...process.env,
      LAKE_BUCKET: lakeBucket,
      ORDERS_DATABASE_URL: dbs.orders,
      EXTRACTION_DATABASE_URL: dbs.extraction,
      DYNAMODB_TABLE_PREFIX: prefix,
      SHOPIFY_SHOP: shop,
      SHOPIFY_ADMIN_URL: sb.adminGraphqlUrl,
    });
    deps = {
      ...createDeps(config),
      shopify: new ShopifyClient({ shop, accessToken: sb.accessToken, adminUrl: sb.adminGraphqlUrl }),
    };
    acts = ordersArea.activities(deps);
  });
  afterAll(async () => {
    await deps?.close();
    await sb.close();
    await dbs.drop();
    await t.close();
    s3.destroy();
    dynamo.destroy();
  });

  it('queries the day in DynamoDB (no scan), writes the differences to the lake and keeps only a summary in history', async () => {
    sb.storefront.placeOrders({ count: 60, spreadDays: 0 });
    // Other days in the same DynamoDB table: a scan reads them all, a query of the day none.
    const TableName = tableName(prefix, 'orders');
    for (let i = 0; i < 2000; i += 25)
      await dynamo.send(
        new BatchWriteItemCommand({
          RequestItems: {
            [TableName]: Array.from({ length: 25 }, (_, j) => ({
              PutRequest: {
                Item: {
                  orderId: { S: `9${i + j}` },
                  status: { S: 'PAID' },
                  createdAt: { S: '2025-01-15T10:00:00.000Z' },
                  createdDay: { S: '2025-01-15' },
                  total: { N: '10.00' },
                },
              },
            })),
          },
        }),
      );
    const shopifyActs = withTemporalFailures(acts.shopify!);
    const dataActs = withTemporalFailures(acts.data!);
    const summary = await t.withWorkers({ shopify: shopifyActs, data: dataActs }, async () => {
      await t.client.workflow.execute(ordersIngest, {
        taskQueue: t.queue('shopify'),
        workflowId: `orders-ingest/${shop}/${randomUUID()}`,
        args: [{ shop }],
      });
      await t.client.workflow.execute(ordersToLake, {
        taskQueue: t.queue('data'),
        workflowId: `orders-lake/${shop}/${day}`,
        args: [{ day }],
      });
      // Orders Shopify has but nothing downstream yet: 200 more differences.
      sb.storefront.placeOrders({ count: 200, spreadDays: 0 });
      return t.client.workflow.execute(reconcileOrders, {
        taskQueue: t.queue('data'),
        workflowId: `orders-reconcile/${shop}/${day}`,
        args: [{ day }],
      });
    });
    const r = summary as unknown as {
      counts: Record<string, number>;
      differenceCount: number;
      differencesKey: string;
      read: Record<string, number>;
      sample: unknown[];
    };
    const stored = r.counts.database!;
    expect(stored).toBeGreaterThan(0);
    expect(r.counts).toEqual({ shopify: 260, database: stored, lake: stored, dynamodb: stored });
    expect(r.differenceCount).toBe(260 - stored);
    expect(r.differenceCount).toBeGreaterThanOrEqual(200);
    expect(r.read.dynamodb).toBe(stored); // items read: the day's only, not the table's 2,000 others
    expect(r.sample.length).toBeLessThanOrEqual(20);
    const obj = await s3.send(new GetObjectCommand({ Bucket: lakeBucket, Key: r.differencesKey }));
    const lines = gunzipSync(Buffer.from(await obj.Body!.transformToByteArray()))
      .toString('utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { orderId: string; missingIn: string[] });
    expect(lines).toHaveLength(r.differenceCount);
    expect(lines.every((l) => l.missingIn.join() === 'database,lake,dynamodb')).toBe(true);

    // History: every payload small (no whole-day maps), and every activity heartbeats.
    const history = await t.client.workflow.getHandle(`orders-reconcile/${shop}/${day}`).fetchHistory();
    const sizes = (history.events ?? []).flatMap((e) =>
      [e.activityTaskCompletedEventAttributes?.result, e.workflowExecutionCompletedEventAttributes?.result]
        .flatMap((p) => p?.payloads ?? [])
        .map((p) => p.data?.length ?? 0),
    );
    expect(Math.max(...sizes)).toBeLessThan(8_000);
    const scheduled = (history.events ?? []).flatMap((e) => e.activityTaskScheduledEventAttributes ?? []);
    expect(scheduled.length).toBeGreaterThan(0);
    for (const a of scheduled) expect(Number(a.heartbeatTimeout?.seconds ?? 0)).toBeGreaterThan(0);
  }, 180_000);

  it('adds the byDay index to an orders table created before it existed', async () => {
    const old = `${base.aws.tablePrefix}recold${randomUUID().slice(0, 6)}-`;
    const def = tableDefinitions(old).find((d) => d.TableName === tableName(old, 'orders'))!;
    await dynamo.send(
      new CreateTableCommand({
        ...def,
        AttributeDefinitions: def.AttributeDefinitions!.filter((a) => a.AttributeName !== 'createdDay'),
        GlobalSecondaryIndexes: def.GlobalSecondaryIndexes!.filter((i) => i.IndexName !== 'byDay'),
      }),
    );
    await ensureTables(dynamo, old);
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: def.TableName }));
    expect(Table!.GlobalSecondaryIndexes!.map((i) => i.IndexName)).toContain('byDay');
  });
});
