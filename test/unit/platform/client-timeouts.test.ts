import net from 'node:net';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BULK_OPERATION } from '../../../connectors/shopify/documents/bulk';
import { ShopifyClient } from '../../../connectors/shopify';
import { createDynamoClient } from '../../../lake/dynamo-tables';
import { createS3Client } from '../../../lake/s3';
import { mysqlPoolOptions } from '../../../workers/deps';

/** A server that accepts every connection and never answers: the way DynamoDB Local failed under load. */
let server: net.Server;
let endpoint: string;
const sockets = new Set<net.Socket>();

beforeAll(async () => {
  server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => server.close(r));
});

const aws = (requestTimeoutMs: number) => ({
  region: 'us-east-1',
  credentials: { accessKeyId: 'k', secretAccessKey: 's' },
  s3Endpoint: endpoint,
  dynamodbEndpoint: endpoint,
  http: { requestTimeoutMs },
});

/** Resolves to how long `call` took to fail (it must fail). */
async function failureAfter(call: () => Promise<unknown>): Promise<{ ms: number; error: Error }> {
  const started = Date.now();
  const error = await call().then(
    () => new Error('did not fail'),
    (err: Error) => err,
  );
  expect(error.message).not.toBe('did not fail');
  return { ms: Date.now() - started, error };
}

describe('service clients against a server that never answers', () => {
  it('S3: each attempt fails after the request timeout (3 SDK attempts), not never', async () => {
    const s3 = createS3Client(aws(500));
    const { ms, error } = await failureAfter(() => s3.send(new GetObjectCommand({ Bucket: 'b', Key: 'k' })));
    s3.destroy();
    expect(error.name).toBe('TimeoutError');
    expect(ms).toBeLessThan(3 * 500 + 2_000);
  });

  it('DynamoDB: fails after the request timeout, not never', async () => {
    const dynamo = createDynamoClient(aws(500));
    const { ms, error } = await failureAfter(() => dynamo.send(new ListTablesCommand({})));
    dynamo.destroy();
    expect(error.name).toBe('TimeoutError');
    expect(ms).toBeLessThan(3 * 500 + 2_000);
  });

  it('MySQL pool: the connect fails after connectTimeout', async () => {
    const port = (server.address() as net.AddressInfo).port;
    const pool = mysql.createPool(mysqlPoolOptions(`mysql://root@127.0.0.1:${port}/pim`, { connectTimeoutMs: 500 }));
    const { ms } = await failureAfter(() => pool.query('SELECT 1'));
    await pool.end();
    expect(ms).toBeLessThan(2_500);
  });

  it('Shopify client: a request fails after its timeout', async () => {
    const shopify = new ShopifyClient({
      shop: 'timeout-test.myshopify.com',
      accessToken: 'x',
      adminUrl: `${endpoint}/admin/api/2026-10/graphql.json`,
      requestTimeoutMs: 500,
      maxAttempts: 1,
    });
    const { ms } = await failureAfter(() => shopify.request(BULK_OPERATION, { id: 'gid://shopify/BulkOperation/1' }));
    expect(ms).toBeLessThan(2_500);
  });
});
