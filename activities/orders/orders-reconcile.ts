import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Context } from '@temporalio/activity';
import { QueryCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { and, asc, gt, gte, lt } from 'drizzle-orm';
import { ORDERS_TOTALS_PAGE, paginate, type ShopifyClient } from '../../connectors/shopify';
import type { OrdersDb } from '../../db/client';
import { orders } from '../../db/orders/schema';
import { numericId } from '../../domain/orders/orders';
import { reconcile, type ReconciliationSummary } from '../../domain/orders/reconcile';
import { tableName } from '../../lake/dynamo-tables';
import { ORDERS_DB_ORDERS } from '../../domain/orders/lake-tables';
import { openLakeDuckDB, sqlString } from '../../lake/duckdb';
import { partitionKey } from '../../lake/lake-layout';
import { reconcileDifferencesKey, reconcileViewKey } from '../../lake/reconcile-layout';

/** What a view activity returns: where its map is, and how much it read (never the map itself). */
export interface ViewSummary {
  system: string;
  key: string;
  orders: number;
  /** Items or rows read to build the view (a day's query reads the day, a scan would read the table). */
  read: number;
}

type Totals = Record<string, string>;
const SAMPLE = 20;

/** Heartbeats outside an activity (a direct call) are skipped. */
function beat(details: unknown): void {
  try {
    Context.current().heartbeat(details);
  } catch {
    /* not in an activity */
  }
}

async function putView(s3: S3Client, bucket: string, key: string, totals: Totals): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: gzipSync(JSON.stringify(totals)),
      ContentType: 'application/json',
      ContentEncoding: 'gzip',
    }),
  );
}

const dayBounds = (day: string) => {
  const from = new Date(`${day}T00:00:00.000Z`);
  return { from, to: new Date(from.getTime() + 86_400_000) };
};

/** Shopify's side of a reconciliation (the `shopify` queue): the day's orders, paged, heartbeating per page. */
export function createShopifyReconcileActivities(deps: { shopify: ShopifyClient; s3: S3Client; bucket: string }) {
  return {
    async shopifyView(day: string, runId: string): Promise<ViewSummary> {
      const { to } = dayBounds(day);
      const totals: Totals = {};
      const query = `created_at:>='${day}T00:00:00.000Z' AND created_at:<'${to.toISOString()}'`;
      let read = 0;
      for await (const page of paginate(deps.shopify, ORDERS_TOTALS_PAGE, { first: 250, query }, (d) => d.orders)) {
        for (const o of page) totals[String(numericId(o.id))] = Number(o.totalPriceSet.shopMoney.amount).toFixed(2);
        read += page.length;
        beat(read);
      }
      const key = reconcileViewKey(day, runId, 'shopify');
      await putView(deps.s3, deps.bucket, key, totals);
      return { system: 'shopify', key, orders: Object.keys(totals).length, read };
    },
  };
}

/** The data side: orders DB, lake and DynamoDB views of a day, and the comparison, each written to the lake. */
export function createReconcileActivities(deps: {
  orders: OrdersDb;
  s3: S3Client;
  dynamo: DynamoDBClient;
  bucket: string;
  tablePrefix: string;
}) {
  const TableName = tableName(deps.tablePrefix, 'orders');
  const view = async (system: string, day: string, runId: string, totals: Totals, read: number) => {
    const key = reconcileViewKey(day, runId, system);
    await putView(deps.s3, deps.bucket, key, totals);
    return { system, key, orders: Object.keys(totals).length, read };
  };
  return {
    /** The orders database's view, paged by id. */
    async databaseView(day: string, runId: string): Promise<ViewSummary> {
      const { from, to } = dayBounds(day);
      const totals: Totals = {};
      for (let after = 0; ;) {
        const rows = await deps.orders
          .select({ id: orders.id, total: orders.total })
          .from(orders)
          .where(and(gte(orders.createdAtShopify, from), lt(orders.createdAtShopify, to), gt(orders.id, after)))
          .orderBy(asc(orders.id))
          .limit(5_000);
        for (const r of rows) totals[String(r.id)] = r.total;
        beat(Object.keys(totals).length);
        if (rows.length < 5_000) break;
        after = rows.at(-1)!.id;
      }
      return view('database', day, runId, totals, Object.keys(totals).length);
    },

    /** The lake's view: the day's `orders_db.orders` partition (Parquet), tombstones excluded. */
    async lakeView(day: string, runId: string): Promise<ViewSummary> {
      const totals: Totals = {};
      const work = fs.mkdtempSync(path.join(os.tmpdir(), 'reconcile-lake-'));
      const file = path.join(work, 'data.parquet');
      let read = 0;
      try {
        try {
          const obj = await deps.s3.send(
            new GetObjectCommand({
              Bucket: deps.bucket,
              Key: partitionKey(ORDERS_DB_ORDERS.source, ORDERS_DB_ORDERS.entity, day),
            }),
          );
          fs.writeFileSync(file, await obj.Body!.transformToByteArray());
        } catch (err) {
          if ((err as { name?: string }).name !== 'NoSuchKey') throw err;
          return view('lake', day, runId, totals, 0);
        }
        const duck = await openLakeDuckDB(undefined, { threads: 1 });
        try {
          const reader = await duck.connection.runAndReadAll(
            `SELECT order_id::VARCHAR AS id, total::VARCHAR AS total FROM read_parquet(${sqlString(file)}) WHERE NOT _deleted`,
          );
          for (const r of reader.getRowObjects()) {
            totals[String(r.id)] = String(r.total);
            read++;
          }
        } finally {
          duck.close();
        }
        beat(read);
        return view('lake', day, runId, totals, read);
      } finally {
        fs.rmSync(work, { recursive: true, force: true });
      }
    },

    /** DynamoDB's view: a query of the day's GSI partition (byDay), never a scan of the table. */
    async dynamoView(day: string, runId: string): Promise<ViewSummary> {
      const totals: Totals = {};
      let read = 0;
      let start: Record<string, AttributeValue> | undefined;
      do {
        const page = await deps.dynamo.send(
          new QueryCommand({
            TableName,
            IndexName: 'byDay',
            KeyConditionExpression: 'createdDay = :d',
            ExpressionAttributeValues: { ':d': { S: day } },
            ProjectionExpression: 'orderId, #t',
            ExpressionAttributeNames: { '#t': 'total' },
            ExclusiveStartKey: start,
          }),
        );
        for (const item of page.Items ?? []) totals[item.orderId!.S!] = Number(item.total!.N!).toFixed(2);
        read += page.ScannedCount ?? 0;
        beat(read);
        start = page.LastEvaluatedKey;
      } while (start);
      return view('dynamodb', day, runId, totals, read);
    },

    /** Compares the views; every difference goes to the lake, the workflow gets counts, sums and a sample. */
    async compareViews(day: string, runId: string, views: ViewSummary[]): Promise<ReconciliationSummary> {
      const loaded = [];
      for (const v of views) {
        const obj = await deps.s3.send(new GetObjectCommand({ Bucket: deps.bucket, Key: v.key }));
        const totals = JSON.parse(
          gunzipSync(Buffer.from(await obj.Body!.transformToByteArray())).toString('utf8'),
        ) as Totals;
        loaded.push({ name: v.system, totals });
        beat(v.system);
      }
      const result = reconcile(day, loaded);
      const differencesKey = reconcileDifferencesKey(day, runId);
      await deps.s3.send(
        new PutObjectCommand({
          Bucket: deps.bucket,
          Key: differencesKey,
          Body: gzipSync(result.differences.map((d) => `${JSON.stringify(d)}\n`).join('')),
          ContentType: 'application/x-ndjson',
          ContentEncoding: 'gzip',
        }),
      );
      return {
        day,
        counts: result.counts,
        sums: result.sums,
        read: Object.fromEntries(views.map((v) => [v.system, v.read])),
        differenceCount: result.differences.length,
        differencesKey,
        sample: result.differences.slice(0, SAMPLE),
      };
    },
  };
}
