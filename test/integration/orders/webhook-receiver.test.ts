import { createHmac, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoClient, ensureTables } from '../../../lake/dynamo-tables';
import { createS3Client } from '../../../lake/s3';
import { loadConfig } from '../../../workers/config';
import { createWebhookServer } from '../../../workers/webhooks-http';
import { temporalHarness, type TemporalHarness } from '../../support/temporal';

const SECRET = 'receiver-test-secret';
const LIMIT = 64 * 1024;
const sign = (b: Buffer) => createHmac('sha256', SECRET).update(b).digest('base64');

/** Sends headers (and `body`, if any) but keeps the request open: what a slow or hostile client does. */
function openRequest(
  port: number,
  opts: { method?: string; path?: string; headers?: Record<string, string>; body?: Buffer },
): Promise<{ status: number; json: Record<string, unknown>; requestStillOpen: boolean }> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      method: opts.method ?? 'POST',
      path: opts.path ?? '/webhooks/shopify',
      headers: opts.headers,
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const open = !req.writableEnded;
        req.destroy();
        resolve({
          status: res.statusCode!,
          json: JSON.parse(Buffer.concat(chunks).toString() || '{}'),
          requestStillOpen: open,
        });
      });
    });
    req.on('error', (err) =>
      err.message.includes('socket hang up') || err.message.includes('EPIPE') ? undefined : reject(err),
    );
    req.flushHeaders();
    if (opts.body) req.write(opts.body);
  });
}

describe('webhook receiver facing the internet', () => {
  const config = loadConfig();
  const s3 = createS3Client(config.aws);
  const dynamo = createDynamoClient(config.aws);
  const prefix = `${config.aws.tablePrefix}whrecv-`;
  let t: TemporalHarness;
  let server: http.Server;
  let port: number;

  beforeAll(async () => {
    t = await temporalHarness('webhook-receiver');
    await ensureTables(dynamo, prefix);
    server = createWebhookServer({
      secret: SECRET,
      shop: 'receiver.myshopify.com',
      s3,
      archiveBucket: config.aws.buckets.archive,
      dynamo,
      tablePrefix: prefix,
      temporal: t.client,
      taskQueue: t.queue('shopify'),
      maxBodyBytes: LIMIT,
      // Long, so an answer that waits for a body never sent shows as a timeout, not as this 503.
      answerWithinMs: 20_000,
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    server.close();
    await t.close();
    s3.destroy();
    dynamo.destroy();
  });

  const withinSeconds = <T>(p: Promise<T>, s = 2) =>
    Promise.race([
      p,
      new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`no answer within ${s} s`)), s * 1000)),
    ]);
  const headers = (extra: Record<string, string> = {}) => ({
    'content-type': 'application/json',
    'content-length': String(10 * 1024 * 1024),
    'x-shopify-topic': 'orders/updated',
    ...extra,
  });

  it('rejects a wrong method, a wrong path and a missing HMAC header before reading any body', async () => {
    const get = await withinSeconds(openRequest(port, { method: 'GET', headers: {} }));
    expect(get.status).toBe(405);
    const wrongPath = await withinSeconds(
      openRequest(port, { path: '/admin', headers: headers({ 'x-shopify-hmac-sha256': 'x' }) }),
    );
    expect(wrongPath.status).toBe(404);
    const noHmac = await withinSeconds(openRequest(port, { headers: headers() }));
    expect(noHmac).toMatchObject({ status: 401, requestStillOpen: true });
  });

  it('answers 413 past the configured size without reading the rest (declared or streamed)', async () => {
    const declared = await withinSeconds(openRequest(port, { headers: headers({ 'x-shopify-hmac-sha256': 'x' }) }));
    expect(declared).toMatchObject({ status: 413, requestStillOpen: true });
    const { 'content-length': _, ...chunked } = headers({
      'x-shopify-hmac-sha256': 'x',
      'transfer-encoding': 'chunked',
    });
    const streamed = await withinSeconds(openRequest(port, { headers: chunked, body: Buffer.alloc(LIMIT + 1, 0x20) }));
    expect(streamed).toMatchObject({ status: 413, requestStillOpen: true });
  });

  it('acknowledges a genuine delivery it cannot use (2xx, no Shopify retries) and dead-letters it with the reason', async () => {
    const body = Buffer.from('{"id": 12, "line_items": [ oops');
    const webhookId = randomUUID();
    const res = await fetch(`http://127.0.0.1:${port}/webhooks/shopify`, {
      method: 'POST',
      body,
      headers: {
        'x-shopify-hmac-sha256': sign(body),
        'x-shopify-topic': 'orders/updated',
        'x-shopify-webhook-id': webhookId,
      },
    });
    expect(res.status).toBe(200);
    const reply = (await res.json()) as { deadLettered?: boolean; reason?: string };
    expect(reply).toMatchObject({ deadLettered: true });
    expect(reply.reason).toMatch(/JSON/);
    const listed = await s3.send(
      new ListObjectsV2Command({ Bucket: config.aws.buckets.archive, Prefix: 'webhooks/dead-letter/orders_updated/' }),
    );
    const key = (listed.Contents ?? []).map((o) => o.Key!).find((k) => k.endsWith(`${webhookId}.json`));
    expect(key).toBeDefined();
    const head = await s3.send(new HeadObjectCommand({ Bucket: config.aws.buckets.archive, Key: key! }));
    expect(decodeURIComponent(head.Metadata?.reason ?? '')).toMatch(/JSON/);
    const stored = await s3.send(new GetObjectCommand({ Bucket: config.aws.buckets.archive, Key: key! }));
    expect(await stored.Body!.transformToString()).toBe(body.toString());
  });
});
