import http from 'node:http';
import { DeleteItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Client } from '@temporalio/client';
import { verifyWebhook, webhookDedupeKey } from '../connectors/shopify';
import { restOrderToGql } from '../domain/orders/orders-rest';
import { SA } from '../domain/platform/search-attributes';
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
  /** Reply 503 (Shopify retries) if a delivery is not handed over by then; default 4 s, inside Shopify's 5 s. */
  answerWithinMs?: number;
}

const ORDER_TOPICS = new Set(['orders/create', 'orders/updated', 'orders/risk_assessment_changed']);
/** Topics whose body is the order itself (risk changes carry only the order's id). */
const BODY_TOPICS = new Set(['orders/create', 'orders/updated']);

/** The order's gid from an order body (id) or a risk body (order_id). */
function orderGidOf(p: Record<string, unknown>): string | null {
  for (const key of ['admin_graphql_api_id', 'admin_graphql_api_order_id'])
    if (typeof p[key] === 'string' && (p[key] as string).includes('/Order/')) return p[key] as string;
  for (const key of ['id', 'order_id'])
    if (typeof p[key] === 'number' || (typeof p[key] === 'string' && /^\d+$/.test(p[key] as string)))
      return `gid://shopify/Order/${String(p[key])}`;
  return null;
}
const DEDUPE_TTL_S = 7 * 86_400;

/**
 * The Shopify webhook endpoint: verifies the HMAC over the raw body (forged → 401, nothing stored or
 * started), archives every genuine delivery to S3 before answering (malformed → 400 and a dead-letter copy),
 * drops repeats by event id, and hands orders to their upsert workflow. Answers in well under Shopify's 5 s.
 */
export function createWebhookServer(deps: WebhookServerDeps): http.Server {
  return http.createServer((req, res) => {
    const reply = (status: number, body: Record<string, unknown>) => {
      if (res.headersSent) return;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    // Shopify gives up on a delivery after 5 s and retries it later; answering 503 first says the same honestly
    // (a hand-over that still completes makes the retry a dropped duplicate; one that fails forgets the delivery).
    const deadline = setTimeout(
      () => reply(503, { error: 'not accepted in time; retry' }),
      deps.answerWithinMs ?? 4_000,
    );
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(deps, req, Buffer.concat(chunks))
        .then(([status, body]) => reply(status, body))
        .catch((err: Error) => reply(500, { error: `could not accept the delivery: ${err.message}` }))
        .finally(() => clearTimeout(deadline));
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
  const keyFor = (prefix: string) => `${prefix}/dt=${day}/${webhookId}.json`;
  const archive = (prefix: string) =>
    deps.s3.send(
      new PutObjectCommand({
        Bucket: deps.archiveBucket,
        Key: keyFor(prefix),
        Body: raw,
        ContentType: 'application/json',
        Metadata: {
          topic,
          'event-id': header('x-shopify-event-id') ?? '',
          'shop-domain': header('x-shopify-shop-domain') ?? '',
        },
      }),
    );
  let payload: Record<string, unknown>;
  let orderGid: string | null = null;
  let updatedAt: string | undefined;
  try {
    payload = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    if (ORDER_TOPICS.has(topic)) {
      orderGid = orderGidOf(payload);
      if (!orderGid) throw new Error('an order webhook needs the order id');
      // An order body must be readable as an order, or it is dead-lettered with the reason now, not later.
      if (BODY_TOPICS.has(topic)) updatedAt = restOrderToGql(payload).updatedAt;
    }
  } catch (err) {
    await archive(`webhooks/dead-letter/${topic.replace('/', '_')}`);
    return [400, { error: `malformed body: ${(err as Error).message}`, archived: true }];
  }
  const archiveKey = keyFor(`webhooks/shopify/${topic.replace('/', '_')}`);
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
  if (!orderGid) return [200, { accepted: true, archivedOnly: true }];
  try {
    await deps.temporal.workflow.signalWithStart('orderUpsert', {
      workflowId: `order/${deps.shop}/${orderGid.split('/').pop()}`,
      taskQueue: deps.taskQueue,
      args: [{ shop: deps.shop, orderGid }],
      signal: 'orderChanged',
      signalArgs: [{ topic, archiveKey, updatedAt }],
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
