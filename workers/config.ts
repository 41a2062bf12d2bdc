import { z } from 'zod';
import type { DatabaseUrls } from '../db/databases';
import { SOURCE_ENCODINGS, type SourceEncoding } from '../lake/source-encoding';
import { amazonConfig, type AmazonConfig } from './amazon-config';

/** Thrown when the environment does not describe a runnable deployment; lists every bad key at once. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  - ${problems.join('\n  - ')}`,
    );
    this.name = 'ConfigError';
  }
}

const mysqlUrl = z
  .string()
  .url()
  .refine((u) => /^mysql:\/\//.test(u), 'must be a mysql:// URL')
  .refine((u) => new URL(u).pathname.length > 1, 'must name a database, e.g. mysql://user:pass@host:3306/pim');

const optionalUrl = z.string().url().optional();
const port = z.coerce.number().int().min(0).max(65535);
const flag = z
  .enum(['0', '1', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

// Local defaults are the ports `npm start` gives its own stack (stack/ports.ts); a real deployment overrides them.
const schema = z.object({
  BACKBONE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),

  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  TEMPORAL_TLS: flag.optional(),
  TEMPORAL_TLS_CERT_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY_PATH: z.string().min(1).optional(),
  TEMPORAL_UI_URL: optionalUrl,

  PIM_DATABASE_URL: mysqlUrl.default('mysql://root@127.0.0.1:3307/pim'),
  STORE_DATABASE_URL: mysqlUrl.default('mysql://root@127.0.0.1:3307/store'),
  ORDERS_DATABASE_URL: mysqlUrl.default('mysql://root@127.0.0.1:3307/orders'),
  INVENTORY_DATABASE_URL: mysqlUrl.default('mysql://root@127.0.0.1:3307/inventory'),
  CHANNELS_DATABASE_URL: mysqlUrl.default('mysql://root@127.0.0.1:3307/channels'),
  EXTRACTION_DATABASE_URL: mysqlUrl.default('mysql://root@127.0.0.1:3307/extraction'),

  AWS_REGION: z.string().min(1).default('us-east-1'),
  AWS_ACCESS_KEY_ID: z.string().min(1).optional(),
  AWS_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  AWS_ENDPOINT_URL_S3: optionalUrl,
  AWS_ENDPOINT_URL_DYNAMODB: optionalUrl,
  LAKE_BUCKET: z.string().min(3).default('backbone-lake'),
  ARCHIVE_BUCKET: z.string().min(3).default('backbone-archive'),
  QUARANTINE_BUCKET: z.string().min(3).default('backbone-quarantine'),
  DYNAMODB_TABLE_PREFIX: z.string().default('backbone-'),
  LAKE_PARQUET_COMPRESSION: z.enum(['snappy', 'zstd']).default('snappy'),
  /** DuckDB's memory ceiling for file conversions (it spills to disk beyond it), e.g. 128MB, 1GB. */
  LAKE_DUCKDB_MEMORY: z
    .string()
    .regex(/^\d+(\.\d+)?\s*(KB|MB|GB|KiB|MiB|GiB)$/i, 'a size such as 128MB or 1GB')
    .default('128MB'),
  /** The text encoding each file source writes (UTF-8 by default); rows not valid in it are quarantined. */
  CUSTOMERS_ENCODING: z.enum(SOURCE_ENCODINGS).default('utf-8'),
  LOYALTY_ENCODING: z.enum(SOURCE_ENCODINGS).default('utf-8'),

  SHOPIFY_SHOP: z.string().min(1).default('demo-grocer.myshopify.com'),
  /** A static Admin API token (an app created in the Shopify admin before 2026-01-01). */
  SHOPIFY_ACCESS_TOKEN: z.string().min(1).optional(),
  /** A Dev Dashboard app's credentials: tokens are fetched by the client-credentials grant and refreshed. */
  SHOPIFY_CLIENT_ID: z.string().min(1).optional(),
  SHOPIFY_CLIENT_SECRET: z.string().min(1).optional(),
  SHOPIFY_WEBHOOK_SECRET: z.string().min(1).optional(),
  /** Overrides the Admin API URL; set to the sandbox's URL locally, unset for a real shop. */
  SHOPIFY_ADMIN_URL: optionalUrl,
  SHOPIFY_PLAN: z.enum(['standard', 'advanced', 'plus', 'enterprise']).default('plus'),

  WEBHOOK_PORT: port.default(8701),
  /** The receiver faces the internet through a load balancer or tunnel; it binds here (0.0.0.0 only on purpose). */
  WEBHOOK_HOST: z.string().min(1).default('127.0.0.1'),
  /** Largest webhook body read (413 past it); Shopify's own inline limit by default (workers/webhooks-http.ts). */
  WEBHOOK_MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(1_000_000),
  /** The https URL Shopify delivers to; unset locally (the receiver's own URL, accepted by the sandbox only). */
  WEBHOOK_PUBLIC_URL: z
    .string()
    .url()
    .refine((u) => u.startsWith('https://'), 'must be an https URL (Shopify delivers only to https)')
    .optional(),
  OPS_PORT: port.default(8702),
  WORKER_TASK_QUEUES: z.string().default('shopify,data,amazon,lightspeed'),

  /** A Lightspeed Retail (R-Series) account to extract; unset = no Lightspeed extraction. */
  LIGHTSPEED_ACCOUNT_ID: z.string().regex(/^\d+$/, 'the numeric account id').optional(),
  LIGHTSPEED_API_URL: z.string().url().default('https://api.lightspeedapp.com/API/V3'),
  LIGHTSPEED_TOKEN_URL: z.string().url().default('https://cloud.lightspeedapp.com/auth/oauth/token'),
  LIGHTSPEED_CLIENT_ID: z.string().min(1).optional(),
  LIGHTSPEED_CLIENT_SECRET: z.string().min(1).optional(),
  /** The refresh token of the merchant's consent: stored (encrypted) once; the store owns it from then on. */
  LIGHTSPEED_REFRESH_TOKEN: z.string().min(1).optional(),
  /** 32 bytes (64 hex digits or base64): the AES-GCM key tokens are encrypted with at rest. */
  LIGHTSPEED_TOKEN_KEY: z.string().min(1).optional(),
});

export type RawConfig = z.infer<typeof schema>;

export interface Config {
  env: RawConfig['BACKBONE_ENV'];
  logLevel: RawConfig['LOG_LEVEL'];
  temporal: {
    address: string;
    namespace: string;
    apiKey?: string;
    tls?: { certPath?: string; keyPath?: string } | true;
    uiUrl?: string;
  };
  databases: DatabaseUrls;
  aws: {
    region: string;
    credentials?: { accessKeyId: string; secretAccessKey: string };
    s3Endpoint?: string;
    dynamodbEndpoint?: string;
    buckets: { lake: string; archive: string; quarantine: string };
    tablePrefix: string;
  };
  lake: {
    parquetCompression: RawConfig['LAKE_PARQUET_COMPRESSION'];
    duckdbMemory: string;
    /** Declared text encoding per file source. */
    encodings: { customers: SourceEncoding; loyalty: SourceEncoding };
  };
  shopify: {
    shop: string;
    /** A static token; unset when `clientCredentials` are used. */
    accessToken?: string;
    clientCredentials?: { clientId: string; clientSecret: string };
    webhookSecret: string;
    adminUrl?: string;
    apiVersion: '2026-10';
    plan: RawConfig['SHOPIFY_PLAN'];
  };
  /** Amazon Seller/Vendor Central (workers/amazon-config.ts); undefined when not configured. */
  amazon?: AmazonConfig;
  ports: { webhook: number; ops: number };
  webhookReceiver: { host: string; maxBodyBytes: number; publicUrl?: string };
  taskQueues: string[];
  lightspeed?: {
    accountId: string;
    apiUrl: string;
    tokenUrl: string;
    clientId: string;
    clientSecret: string;
    refreshToken?: string;
    tokenKey: string;
  };
}

/** Local-only secrets the sandbox accepts; production must set real ones. */
export const SANDBOX_SECRETS = { accessToken: 'shpat_sandbox', webhookSecret: 'sandbox-webhook-secret' } as const;

/** Reads and validates the environment once. Throws ConfigError naming every bad key. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(input);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(problems);
  }
  const c = parsed.data;
  problems.push(...shopifyProblems(c));
  if (c.BACKBONE_ENV === 'production') {
    for (const key of ['PIM_DATABASE_URL', 'STORE_DATABASE_URL', 'ORDERS_DATABASE_URL'] as const)
      if (!input[key]) problems.push(`${key}: required when BACKBONE_ENV=production (no local default)`);
    if (c.SHOPIFY_ADMIN_URL?.startsWith('http://'))
      problems.push('SHOPIFY_ADMIN_URL: must be https in production (http is only for the local sandbox)');
  }
  if (Boolean(c.AWS_ACCESS_KEY_ID) !== Boolean(c.AWS_SECRET_ACCESS_KEY))
    problems.push('AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY: set both or neither');
  if (Boolean(c.TEMPORAL_TLS_CERT_PATH) !== Boolean(c.TEMPORAL_TLS_KEY_PATH))
    problems.push('TEMPORAL_TLS_CERT_PATH/TEMPORAL_TLS_KEY_PATH: set both or neither');
  const queues = c.WORKER_TASK_QUEUES.split(',')
    .map((q) => q.trim())
    .filter(Boolean);
  const unknownQueues = queues.filter((q) => !TASK_QUEUE_NAMES.includes(q as TaskQueueName));
  if (unknownQueues.length) problems.push(`WORKER_TASK_QUEUES: unknown queue(s) ${unknownQueues.join(', ')}`);
  const amazon = amazonConfig(input, problems);
  if (c.LIGHTSPEED_ACCOUNT_ID) {
    for (const key of ['LIGHTSPEED_CLIENT_ID', 'LIGHTSPEED_CLIENT_SECRET', 'LIGHTSPEED_TOKEN_KEY'] as const)
      if (!c[key]) problems.push(`${key}: required with LIGHTSPEED_ACCOUNT_ID`);
    const key = c.LIGHTSPEED_TOKEN_KEY ?? '';
    const bytes = /^[0-9a-f]{64}$/i.test(key) ? 32 : Buffer.from(key, 'base64').length;
    if (key && bytes !== 32) problems.push('LIGHTSPEED_TOKEN_KEY: must be 32 bytes (64 hex digits or base64)');
  }
  if (problems.length) throw new ConfigError(problems);

  const local = c.BACKBONE_ENV !== 'production';
  // The sandbox's public values only ever reach the sandbox (shopifyProblems refuses them for a real shop).
  const sandbox = Boolean(c.SHOPIFY_ADMIN_URL) && !c.SHOPIFY_CLIENT_ID;
  return {
    env: c.BACKBONE_ENV,
    logLevel: c.LOG_LEVEL,
    temporal: {
      address: c.TEMPORAL_ADDRESS,
      namespace: c.TEMPORAL_NAMESPACE,
      apiKey: c.TEMPORAL_API_KEY,
      tls: c.TEMPORAL_TLS_CERT_PATH
        ? { certPath: c.TEMPORAL_TLS_CERT_PATH, keyPath: c.TEMPORAL_TLS_KEY_PATH }
        : c.TEMPORAL_TLS || c.TEMPORAL_API_KEY
          ? true
          : undefined,
      uiUrl: c.TEMPORAL_UI_URL,
    },
    databases: {
      pim: c.PIM_DATABASE_URL,
      store: c.STORE_DATABASE_URL,
      orders: c.ORDERS_DATABASE_URL,
      inventory: c.INVENTORY_DATABASE_URL,
      channels: c.CHANNELS_DATABASE_URL,
      extraction: c.EXTRACTION_DATABASE_URL,
    },
    aws: {
      region: c.AWS_REGION,
      credentials:
        c.AWS_ACCESS_KEY_ID && c.AWS_SECRET_ACCESS_KEY
          ? { accessKeyId: c.AWS_ACCESS_KEY_ID, secretAccessKey: c.AWS_SECRET_ACCESS_KEY }
          : local
            ? { accessKeyId: 'backbone', secretAccessKey: 'backbone-local-secret' }
            : undefined,
      s3Endpoint: c.AWS_ENDPOINT_URL_S3,
      dynamodbEndpoint: c.AWS_ENDPOINT_URL_DYNAMODB,
      buckets: { lake: c.LAKE_BUCKET, archive: c.ARCHIVE_BUCKET, quarantine: c.QUARANTINE_BUCKET },
      tablePrefix: c.DYNAMODB_TABLE_PREFIX,
    },
    lake: {
      parquetCompression: c.LAKE_PARQUET_COMPRESSION,
      duckdbMemory: c.LAKE_DUCKDB_MEMORY,
      encodings: { customers: c.CUSTOMERS_ENCODING, loyalty: c.LOYALTY_ENCODING },
    },
    shopify: {
      shop: c.SHOPIFY_SHOP,
      accessToken: c.SHOPIFY_ACCESS_TOKEN ?? (sandbox ? SANDBOX_SECRETS.accessToken : undefined),
      clientCredentials:
        c.SHOPIFY_CLIENT_ID && c.SHOPIFY_CLIENT_SECRET
          ? { clientId: c.SHOPIFY_CLIENT_ID, clientSecret: c.SHOPIFY_CLIENT_SECRET }
          : undefined,
      webhookSecret: c.SHOPIFY_WEBHOOK_SECRET ?? SANDBOX_SECRETS.webhookSecret,
      adminUrl: c.SHOPIFY_ADMIN_URL,
      apiVersion: '2026-10',
      plan: c.SHOPIFY_PLAN,
    },
    amazon,
    ports: { webhook: c.WEBHOOK_PORT, ops: c.OPS_PORT },
    webhookReceiver: {
      host: c.WEBHOOK_HOST,
      maxBodyBytes: c.WEBHOOK_MAX_BODY_BYTES,
      publicUrl: c.WEBHOOK_PUBLIC_URL,
    },
    taskQueues: queues,
    lightspeed: c.LIGHTSPEED_ACCOUNT_ID
      ? {
          accountId: c.LIGHTSPEED_ACCOUNT_ID,
          apiUrl: c.LIGHTSPEED_API_URL,
          tokenUrl: c.LIGHTSPEED_TOKEN_URL,
          clientId: c.LIGHTSPEED_CLIENT_ID!,
          clientSecret: c.LIGHTSPEED_CLIENT_SECRET!,
          refreshToken: c.LIGHTSPEED_REFRESH_TOKEN,
          tokenKey: c.LIGHTSPEED_TOKEN_KEY!,
        }
      : undefined,
  };
}

/**
 * Shopify credentials. A real shop (no SHOPIFY_ADMIN_URL: the sandbox is never used) needs its webhook secret and
 * one kind of credentials, in every environment, and never the sandbox's public values; the sandbox takes either
 * kind or none (its own token).
 */
function shopifyProblems(c: RawConfig): string[] {
  const problems: string[] = [];
  const realShop = !c.SHOPIFY_ADMIN_URL;
  if (Boolean(c.SHOPIFY_CLIENT_ID) !== Boolean(c.SHOPIFY_CLIENT_SECRET))
    problems.push('SHOPIFY_CLIENT_ID/SHOPIFY_CLIENT_SECRET: set both or neither');
  if (c.SHOPIFY_ACCESS_TOKEN && (c.SHOPIFY_CLIENT_ID || c.SHOPIFY_CLIENT_SECRET))
    problems.push(
      'SHOPIFY_ACCESS_TOKEN: set either a static token or SHOPIFY_CLIENT_ID/SHOPIFY_CLIENT_SECRET, not both',
    );
  if (!realShop) return problems;
  const why = 'required for a real shop (SHOPIFY_ADMIN_URL unset: no sandbox)';
  if (!c.SHOPIFY_ACCESS_TOKEN && !c.SHOPIFY_CLIENT_ID)
    problems.push(`SHOPIFY_ACCESS_TOKEN or SHOPIFY_CLIENT_ID/SHOPIFY_CLIENT_SECRET: ${why}`);
  if (!c.SHOPIFY_WEBHOOK_SECRET) problems.push(`SHOPIFY_WEBHOOK_SECRET: ${why}`);
  if (c.SHOPIFY_ACCESS_TOKEN === SANDBOX_SECRETS.accessToken)
    problems.push("SHOPIFY_ACCESS_TOKEN: the sandbox's public token, not a real shop's");
  if (c.SHOPIFY_WEBHOOK_SECRET === SANDBOX_SECRETS.webhookSecret)
    problems.push("SHOPIFY_WEBHOOK_SECRET: the sandbox's public secret, not a real shop's");
  return problems;
}

export const TASK_QUEUE_NAMES = ['shopify', 'data', 'amazon', 'lightspeed'] as const;
export type TaskQueueName = (typeof TASK_QUEUE_NAMES)[number];

/** A copy safe to print: secrets replaced by their presence. */
export function redactConfig(config: Config): Record<string, unknown> {
  const hide = (v: string | undefined) => (v ? '***' : undefined);
  return {
    ...config,
    temporal: { ...config.temporal, apiKey: hide(config.temporal.apiKey) },
    databases: Object.fromEntries(Object.entries(config.databases).map(([k, v]) => [k, redactUrl(v)])),
    aws: { ...config.aws, credentials: config.aws.credentials ? '***' : undefined },
    shopify: {
      ...config.shopify,
      accessToken: hide(config.shopify.accessToken),
      clientCredentials: config.shopify.clientCredentials
        ? { clientId: config.shopify.clientCredentials.clientId, clientSecret: '***' }
        : undefined,
      webhookSecret: '***',
    },
    amazon: config.amazon && {
      ...config.amazon,
      lwa: { ...config.amazon.lwa, clientSecret: '***', refreshToken: '***' },
    },
    lightspeed: config.lightspeed
      ? {
          ...config.lightspeed,
          clientSecret: '***',
          refreshToken: hide(config.lightspeed.refreshToken),
          tokenKey: '***',
        }
      : undefined,
  };
}

export function redactUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}
