import { gzipSync } from 'node:zlib';
import { Context } from '@temporalio/activity';
import {
  BatchWriteItemCommand,
  UpdateItemCommand,
  type DynamoDBClient,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { and, asc, gt, gte, inArray, lt } from 'drizzle-orm';
import type { OrdersDb } from '../../db/client';
import { lineItems, orders } from '../../db/orders/schema';
import { tableName } from '../../lake/dynamo-tables';
import {
  ORDERS_PER_PART,
  ordersDayPrefix,
  ordersManifestKey,
  ordersPartKey,
  type OrdersManifest,
} from '../../lake/orders-layout';

const cents = (s: string) => Math.round(Number(s) * 100);
const DYNAMO_CONCURRENCY = 8;

/** Orders DB → S3 (gzipped NDJSON per day) → DynamoDB; idempotent per day. */
export function createOrdersLakeActivities(deps: {
  orders: OrdersDb;
  s3: S3Client;
  dynamo: DynamoDBClient;
  bucket: string;
  tablePrefix: string;
}) {
  const TableName = tableName(deps.tablePrefix, 'orders');

  async function writeItems(requests: WriteRequest[]): Promise<void> {
    let pending = requests;
    for (let attempt = 0; pending.length; attempt++) {
      const res = await deps.dynamo.send(new BatchWriteItemCommand({ RequestItems: { [TableName]: pending } }));
      pending = res.UnprocessedItems?.[TableName] ?? [];
      if (pending.length) await new Promise((r) => setTimeout(r, Math.min(2000, 50 * 2 ** attempt)));
    }
  }

  return {
    /** Exports one day: parts rewritten in place, stale parts removed, manifest last; DynamoDB items overwritten. */
    async exportOrdersDay(day: string): Promise<{
      day: string;
      orders: number;
      parts: number;
      total: string;
      dynamoItems: number;
      /** Time spent writing each sink (for the benchmark's per-sink rates); differs between identical runs. */
      timings: { s3Ms: number; dynamoMs: number };
    }> {
      const from = new Date(`${day}T00:00:00.000Z`);
      const to = new Date(from.getTime() + 86_400_000);
      let afterId = 0;
      let part = 0;
      let count = 0;
      let totalCents = 0;
      const parts: string[] = [];
      let s3Ms = 0;
      let dynamoMs = 0;
      for (;;) {
        const rows = await deps.orders
          .select()
          .from(orders)
          .where(and(gte(orders.createdAtShopify, from), lt(orders.createdAtShopify, to), gt(orders.id, afterId)))
          .orderBy(asc(orders.id))
          .limit(ORDERS_PER_PART);
        if (!rows.length) break;
        afterId = rows.at(-1)!.id;
        const items = await deps.orders
          .select()
          .from(lineItems)
          .where(
            inArray(
              lineItems.orderId,
              rows.map((r) => r.id),
            ),
          );
        const byOrder = new Map<number, typeof items>();
        for (const li of items) byOrder.set(li.orderId, [...(byOrder.get(li.orderId) ?? []), li]);
        const lines = rows.map((o) =>
          JSON.stringify({
            orderId: String(o.id),
            name: o.name,
            shop: o.shop,
            createdAt: o.createdAtShopify.toISOString(),
            updatedAt: o.updatedAtShopify.toISOString(),
            currency: o.currency,
            financialStatus: o.financialStatus,
            fulfillmentStatus: o.fulfillmentStatus,
            subtotal: o.subtotal,
            totalTax: o.totalTax,
            total: o.total,
            totalRefunded: o.totalRefunded,
            customerId: o.customerId === null ? null : String(o.customerId),
            riskLevel: o.riskLevel,
            flaggedHighRisk: o.flaggedHighRisk,
            validationFlags: o.validationFlags ?? null,
            lineItems: (byOrder.get(o.id) ?? []).map((li) => ({
              id: String(li.id),
              sku: li.sku,
              title: li.title,
              quantity: li.quantity,
              price: li.price,
            })),
          }),
        );
        const key = ordersPartKey(day, part++);
        const s3Started = performance.now();
        await deps.s3.send(
          new PutObjectCommand({
            Bucket: deps.bucket,
            Key: key,
            Body: gzipSync(`${lines.join('\n')}\n`),
            ContentType: 'application/x-ndjson',
            ContentEncoding: 'gzip',
          }),
        );
        s3Ms += performance.now() - s3Started;
        parts.push(key);
        const requests: WriteRequest[] = rows.map((o) => ({
          PutRequest: {
            Item: {
              orderId: { S: String(o.id) },
              ...(o.customerId !== null ? { customerId: { S: String(o.customerId) } } : {}),
              status: { S: o.financialStatus ?? 'UNKNOWN' },
              createdAt: { S: o.createdAtShopify.toISOString() },
              createdDay: { S: o.createdAtShopify.toISOString().slice(0, 10) },
              name: { S: o.name },
              total: { N: o.total },
              currency: { S: o.currency },
              riskLevel: { S: o.riskLevel ?? 'NONE' },
              flaggedHighRisk: { BOOL: o.flaggedHighRisk },
              lineCount: { N: String(byOrder.get(o.id)?.length ?? 0) },
            },
          },
        }));
        const dynamoStarted = performance.now();
        // BatchWriteItem takes 25 items; a few batches in flight keep DynamoDB busy without unbounded fan-out.
        const batches: WriteRequest[][] = [];
        for (let i = 0; i < requests.length; i += 25) batches.push(requests.slice(i, i + 25));
        await Promise.all(
          Array.from({ length: DYNAMO_CONCURRENCY }, async () => {
            for (let b = batches.shift(); b; b = batches.shift()) await writeItems(b);
          }),
        );
        dynamoMs += performance.now() - dynamoStarted;
        count += rows.length;
        totalCents += rows.reduce((n, o) => n + cents(o.total), 0);
        Context.current().heartbeat(count);
      }
      // Parts from an earlier, larger export of this day would otherwise linger beside the new ones.
      const listed = await deps.s3.send(
        new ListObjectsV2Command({ Bucket: deps.bucket, Prefix: ordersDayPrefix(day) }),
      );
      for (const o of listed.Contents ?? [])
        if (o.Key && o.Key.endsWith('.ndjson.gz') && !parts.includes(o.Key))
          await deps.s3.send(new DeleteObjectCommand({ Bucket: deps.bucket, Key: o.Key }));
      const total = (totalCents / 100).toFixed(2);
      const manifest: OrdersManifest = { day, parts, orders: count, total, schemaVersion: 1 };
      await deps.s3.send(
        new PutObjectCommand({
          Bucket: deps.bucket,
          Key: ordersManifestKey(day),
          Body: JSON.stringify(manifest),
          ContentType: 'application/json',
        }),
      );
      return {
        day,
        orders: count,
        parts: parts.length,
        total,
        dynamoItems: count,
        timings: { s3Ms: Math.round(s3Ms), dynamoMs: Math.round(dynamoMs) },
      };
    },

    /** Marks high-risk orders in DynamoDB (MySQL is marked by the upsert itself). */
    async flagInDynamo(orderIds: number[]): Promise<number> {
      let n = 0;
      for (const id of orderIds) {
        try {
          await deps.dynamo.send(
            new UpdateItemCommand({
              TableName,
              Key: { orderId: { S: String(id) } },
              UpdateExpression: 'SET flaggedHighRisk = :t',
              ConditionExpression: 'attribute_exists(orderId)',
              ExpressionAttributeValues: { ':t': { BOOL: true } },
            }),
          );
          n++;
          if (n % 100 === 0) Context.current().heartbeat(n);
        } catch (err) {
          if ((err as { name?: string }).name !== 'ConditionalCheckFailedException') throw err;
        }
      }
      return n;
    },
  };
}
