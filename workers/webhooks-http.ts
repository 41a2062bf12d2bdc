import http from 'node:http';
import { DeleteItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Client } from '@temporalio/client';
import { verifyWebhook, webhookDedupeKey } from '../connectors/shopify';
import { SA } from '../domain/search-attributes';
import { tableName } from '../lake/dynamo-tables';

export interface WebhookServerDeps {
  secret: string;
  shop: string;
  s3: S3Client;
  archiveBucket: string;
  dynamo: DynamoDBClient;
  tablePrefix: string;
  temporal: Client;
  /** The queue order workflows run on (`shopify` in production). */
  taskQueue: string;
}

const ORDER_TOPICS = new Set(['orders/create', 'orders/updated', 'orders/risk_assessment_changed']);
const DEDUPE_TTL_S = 7 * 86_400;

/**
 * The Shopify webhook endpoint: verifies the HMAC over the raw body (forged → 401, nothing stored or
 * started), archives every genuine delivery to S3 before answering (malformed → 400 and a dead-letter copy),
 * drops repeats by event id, and hands orders to their upsert workflow. Answers in well under Shopify's 5 s.
 */
export function createWebhookServer(deps: WebhookServerDeps): http.Server {
  return http.createServer((req, res) => {
    const reply = (status: number, body: Record<string, unknown>) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(deps, req, Buffer.concat(chunks))
        .then(([status, body]) => reply(status, body))
        .catch((err: Error) => reply(500, { error: `could not accept the delivery: ${err.message}` }));
    });
  });
}

async function handle(
  deps: WebhookServerDeps,
  req: http.IncomingMessage,
  raw: Buffer,
): Promise<[number, Record<string, unknown>]> {
  if (req.method !== 'POST' || !req.url?.startsWith('/webhooks/shopify')) return [404, { error: 'not found' }];
  const header = (name: string) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  if (!verifyWebhook(raw, header('x-shopify-hmac-sha256'), deps.secret))
    return [401, { error: 'invalid HMAC signature' }];
  const topic = header('x-shopify-topic') ?? 'unknown';
  const webhookId = header('x-shopify-webhook-id') ?? `${Date.now()}`;
  const day = new Date().toISOString().slice(0, 10);
  const archive = (prefix: string) =>
    deps.s3.send(
      new PutObjectCommand({
        Bucket: deps.archiveBucket,
        Key: `${prefix}/dt=${day}/${webhookId}.json`,
        Body: raw,
        ContentType: 'application/json',
        Metadata: {
          topic,
          'event-id': header('x-shopify-event-id') ?? '',
          'shop-domain': header('x-shopify-shop-domain') ?? '',
        },
      }),
    );
  let payload: { id?: unknown; admin_graphql_api_id?: unknown };
  try {
    payload = JSON.parse(raw.toString('utf8')) as typeof payload;
    if (ORDER_TOPICS.has(topic) && typeof payload.admin_graphql_api_id !== 'string' && typeof payload.id !== 'number')
      throw new Error('an order webhook needs id or admin_graphql_api_id');
  } catch (err) {
    await archive(`webhooks/dead-letter/${topic.replace('/', '_')}`);
    return [400, { error: `malformed body: ${(err as Error).message}`, archived: true }];
  }
  await archive(`webhooks/shopify/${topic.replace('/', '_')}`);

  const dedupeKey = webhookDedupeKey(req.headers) ?? `webhook:${webhookId}`;
  const TableName = tableName(deps.tablePrefix, 'webhookEvents');
  try {
    await deps.dynamo.send(
      new PutItemCommand({
        TableName,
        Item: {
          dedupeKey: { S: dedupeKey },
          topic: { S: topic },
          expiresAt: { N: String(Math.floor(Date.now() / 1000) + DEDUPE_TTL_S) },
        },
        ConditionExpression: 'attribute_not_exists(dedupeKey)',
      }),
    );
  } catch (err) {
    if ((err as { name?: string }).name === 'ConditionalCheckFailedException') return [200, { duplicate: true }];
    throw err;
  }
  if (!ORDER_TOPICS.has(topic)) return [200, { accepted: true, archivedOnly: true }];
  const orderGid =
    typeof payload.admin_graphql_api_id === 'string'
      ? payload.admin_graphql_api_id
      : `gid://shopify/Order/${String(payload.id)}`;
  try {
    await deps.temporal.workflow.signalWithStart('orderUpsert', {
      workflowId: `order/${deps.shop}/${orderGid.split('/').pop()}`,
      taskQueue: deps.taskQueue,
      args: [{ shop: deps.shop, orderGid }],
      signal: 'orderChanged',
      signalArgs: [{ topic }],
      typedSearchAttributes: [
        { key: SA.Pipeline, value: 'order-webhook' },
        { key: SA.OrderId, value: orderGid },
      ],
    });
  } catch (err) {
    // Not handed over: forget the delivery so Shopify's retry is processed instead of dropped as a repeat.
    await deps.dynamo.send(new DeleteItemCommand({ TableName, Key: { dedupeKey: { S: dedupeKey } } }));
    throw err;
  }
  return [200, { accepted: true }];
}
