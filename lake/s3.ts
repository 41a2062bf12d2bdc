import fs from 'node:fs';
import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

export interface AwsConnection {
  region: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  s3Endpoint?: string;
  dynamodbEndpoint?: string;
  http?: Partial<HttpLimits>;
}

/** How long a client waits for a service, and how many connections it opens to it at most. */
export interface HttpLimits {
  /** TCP connect. */
  connectTimeoutMs: number;
  /** From sending a request to the response's headers. */
  requestTimeoutMs: number;
  /** Without a byte on an open socket, e.g. a streamed body that stopped (bodies are read chunk by chunk). */
  idleTimeoutMs: number;
  maxSockets: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  connectTimeoutMs: 3_000,
  requestTimeoutMs: 30_000,
  idleTimeoutMs: 120_000,
  maxSockets: 64,
};

/**
 * The SDK's default handler has no request timeout (a server that accepts and never answers holds the call for
 * ever) and, by default, only warns when one is set: `throwOnRequestTimeout` makes it an error the SDK's retry and
 * then the activity's retry policy handle. Passed as options, the SDK builds its NodeHttpHandler from them.
 */
export function awsRequestHandler(limits: Partial<HttpLimits> = {}) {
  const l = { ...DEFAULT_HTTP_LIMITS, ...limits };
  const agent = { keepAlive: true, maxSockets: l.maxSockets };
  return {
    connectionTimeout: l.connectTimeoutMs,
    requestTimeout: l.requestTimeoutMs,
    throwOnRequestTimeout: true,
    socketTimeout: l.idleTimeoutMs,
    httpAgent: agent,
    httpsAgent: agent,
  };
}

export function createS3Client(aws: AwsConnection): S3Client {
  return new S3Client({
    region: aws.region,
    credentials: aws.credentials,
    endpoint: aws.s3Endpoint,
    // Local S3 servers have no virtual-host DNS; real S3 keeps the default addressing.
    forcePathStyle: Boolean(aws.s3Endpoint),
    requestHandler: awsRequestHandler(aws.http),
  });
}

/** Creates the buckets that do not exist yet; safe to call on every start. */
export async function ensureBuckets(s3: S3Client, buckets: string[]): Promise<void> {
  for (const Bucket of buckets) {
    try {
      await s3.send(new HeadBucketCommand({ Bucket }));
    } catch {
      try {
        await s3.send(new CreateBucketCommand({ Bucket }));
      } catch (err) {
        const name = (err as { name?: string }).name;
        if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw err;
      }
    }
  }
}

/**
 * Uploads a local file streamed, in buffered parts (multipart above `partSize`): bounded memory at any file size, and
 * no streaming signature (which SeaweedFS refuses). Holds `queueSize` parts in memory at most.
 */
export async function uploadFile(
  s3: S3Client,
  target: { Bucket: string; Key: string; ContentType: string },
  file: string,
  { partSize = 8 * 1024 * 1024, queueSize = 2 } = {},
): Promise<void> {
  await new Upload({ client: s3, params: { ...target, Body: fs.createReadStream(file) }, partSize, queueSize }).done();
}
