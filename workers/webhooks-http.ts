import http from 'node:http';
import { DeleteItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Client } from '@temporalio/client';
import { verifyWebhook, webhookDedupeKey } from '../connectors/shopify';
import { restOrderToGql } from '../domain/orders/orders-rest';
import { orderRoutingRun, orderUpsertRun } from '../domain/orders/run-summaries';
import { orderRoutingWorkflowId } from '../domain/orders/routing';
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
  /** Largest body read (413 past it); default DEFAULT_MAX_BODY_BYTES. */
  maxBodyBytes?: number;
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
/** Routing done: the body names only the fulfillment order (`{ fulfillment_order: { id, status } }`). */
const ROUTING_TOPIC = 'fulfillment_orders/order_routing_complete';
/**
 * Lines re-assigned (fulfillmentOrderMove): `original_fulfillment_order` ("the final state of the original fulfillment
 * order") and `moved_fulfillment_order` ("the fulfillment order which now contains the re-assigned line items") are
 * both read again, so every line of the two is held where it is assigned now.
 */
const MOVED_TOPIC = 'fulfillment_orders/moved';
function fulfillmentOrderGidOf(p: Record<string, unknown>, field = 'fulfillment_order'): string | null {
  const id = (p[field] as { id?: unknown } | undefined)?.id;
  if (typeof id === 'string' && /^gid:\/\/shopify\/FulfillmentOrder\/\d+$/.test(id)) return id;
  if (typeof id === 'number' || (typeof id === 'string' && /^\d+$/.test(id)))
    return `gid://shopify/FulfillmentOrder/${String(id)}`;
  return null;
}
const DEDUPE_TTL_S = 7 * 86_400;

/**
 * Largest body read by default. Shopify sends a classic webhook body inline up to 1,000,000 bytes and falls back to
 * a bare `{"id": ...}` beyond that (shopify.dev changelog "Amazon EventBridge webhook payload size limit increased
 * to 1 MB", which states the limit for EventBridge; no larger HTTPS limit is published), so a bigger body is not
 * Shopify's.
 */
export const DEFAULT_MAX_BODY_BYTES = 1_000_000;
export const WEBHOOK_PATH = '/webhooks/shopify';

/**
 * The Shopify webhook endpoint, facing the internet. Method, path, HMAC header and declared size are checked before
 * a byte of the body is read (405/404/401/413), and at most `maxBodyBytes` are ever buffered (413 past it, without
 * reading the rest). Then the HMAC is verified over the raw body (forged → 401, nothing stored or started), every
 * genuine delivery is archived to S3 before answering, repeats are dropped by event id, and orders go to their
 * upsert workflow. A genuine delivery whose body cannot be used is acknowledged (200) and dead-lettered with its
 * reason: an error answer would only make Shopify retry the same bytes for 48 hours and then drop the
 * subscription. Answers in well under Shopify's 5 s.
 */
export function createWebhookServer(deps: WebhookServerDeps): http.Server {
  const limit = deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  return http.createServer((req, res) => {
    const reply = (status: number, body: Record<string, unknown>, close = false) => {
      if (res.headersSent) return;
      // Refused before its body was read: close the connection rather than drain what the client still sends.
      res.writeHead(status, { 'content-type': 'application/json', ...(close ? { connection: 'close' } : {}) });
      res.end(JSON.stringify(body));
      if (close) res.once('finish', () => req.destroy());
    };
    const refused = precheck(req, limit);
    if (refused) return reply(refused[0], refused[1], true);
    // Shopify gives up on a delivery after 5 s and retries it later; answering 503 first says the same honestly
    // (a hand-over that still completes makes the retry a dropped duplicate; one that fails forgets the delivery).
    const deadline = setTimeout(
      () => reply(503, { error: 'not accepted in time; retry' }),
      deps.answerWithinMs ?? 4_000,
    );
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        clearTimeout(deadline);
        req.pause();
        return reply(413, { error: `body larger than ${limit} bytes` }, true);
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (size > limit) return;
      handle(deps, req, Buffer.concat(chunks))
        .then(([status, body]) => reply(status, body))
        .catch((err: Error) => reply(500, { error: `could not accept the delivery: ${err.message}` }))
        .finally(() => clearTimeout(deadline));
    });
  });
}

/** What can be refused from the request line and headers alone, before reading the body. */
function precheck(req: http.IncomingMessage, limit: number): [number, Record<string, unknown>] | undefined {
  const path = (req.url ?? '').split('?')[0];
  if (path !== WEBHOOK_PATH && !path?.startsWith(`${WEBHOOK_PATH}/`)) return [404, { error: 'not found' }];
  if (req.method !== 'POST') return [405, { error: 'only POST' }];
  if (!req.headers['x-shopify-hmac-sha256']) return [401, { error: 'missing X-Shopify-Hmac-Sha256' }];
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return [413, { error: `body larger than ${limit} bytes` }];
  return undefined;
}

async function handle(
  deps: WebhookServerDeps,
  req: http.IncomingMessage,
  raw: Buffer,
): Promise<[number, Record<string, unknown>]> {
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
  const archive = (prefix: string, reason?: string) =>
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
          // S3 metadata is ASCII: the reason is URI-encoded (and short).
          ...(reason ? { reason: encodeURIComponent(reason.slice(0, 500)) } : {}),
        },
      }),
    );
  let payload: Record<string, unknown>;
  let orderGid: string | null = null;
  let fulfillmentOrderGids: string[] = [];
  let updatedAt: string | undefined;
  try {
    payload = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    if (ORDER_TOPICS.has(topic)) {
      orderGid = orderGidOf(payload);
      if (!orderGid) throw new Error('an order webhook needs the order id');
      // An order body must be readable as an order, or it is dead-lettered with the reason now, not later.
      if (BODY_TOPICS.has(topic)) updatedAt = restOrderToGql(payload).updatedAt;
    } else if (topic === ROUTING_TOPIC) {
      const gid = fulfillmentOrderGidOf(payload);
      if (!gid) throw new Error('a routing webhook needs fulfillment_order.id');
      fulfillmentOrderGids = [gid];
    } else if (topic === MOVED_TOPIC) {
      const gids = ['original_fulfillment_order', 'moved_fulfillment_order'].map((f) =>
        fulfillmentOrderGidOf(payload, f),
      );
      if (!gids[1]) throw new Error('a moved webhook needs moved_fulfillment_order.id');
      fulfillmentOrderGids = [...new Set(gids.filter((g): g is string => !!g))];
    }
  } catch (err) {
    const reason = `malformed body: ${(err as Error).message}`;
    await archive(`webhooks/dead-letter/${topic.replace('/', '_')}`, reason);
    return [200, { deadLettered: true, reason }];
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
  if (!orderGid && !fulfillmentOrderGids.length) return [200, { accepted: true, archivedOnly: true }];
  try {
    if (fulfillmentOrderGids.length) for (const gid of fulfillmentOrderGids) await startOrderRouted(deps, gid);
    else if (orderGid)
      await deps.temporal.workflow.signalWithStart('orderUpsert', {
        workflowId: `order/${deps.shop}/${orderGid.split('/').pop()}`,
        taskQueue: deps.taskQueue,
        args: [{ shop: deps.shop, orderGid }],
        signal: 'orderChanged',
        signalArgs: [{ topic, archiveKey, updatedAt }],
        ...orderUpsertRun(deps.shop, orderGid, topic),
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

/**
 * Hands a routed (or moved) fulfillment order to the shop's `orderRouting` (started if none runs), which reads it with
 * the others of its burst: one small read per order, not a workflow and a whole-order read per fulfillment order.
 */
async function startOrderRouted(deps: WebhookServerDeps, fulfillmentOrderGid: string): Promise<void> {
  await deps.temporal.workflow.signalWithStart('orderRouting', {
    workflowId: orderRoutingWorkflowId(deps.shop, deps.taskQueue),
    taskQueue: deps.taskQueue,
    args: [{ shop: deps.shop }],
    signal: 'fulfillmentOrderRouted',
    signalArgs: [fulfillmentOrderGid],
    ...orderRoutingRun(deps.shop),
    typedSearchAttributes: [
      { key: SA.Pipeline, value: 'order-routing' },
      { key: SA.Channel, value: 'shopify' },
    ],
  });
}
