import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorReply, type Ctx, type Handler, type Reply, type SandboxConfig } from './api';
import { rateHeader, TokenBuckets } from './buckets';
import { FaultInjector, type AmazonFaults } from './faults';
import { feedsHandlers } from './feeds';
import { inspectionRoutes } from './inspect';
import { listingsHandlers } from './listings';
import { LoginWithAmazon } from './lwa';
import { Marketplace } from './marketplace';
import { describeErrors, loadModels, type Operation, type RateLimit } from './models';
import { ordersHandlers } from './orders';
import { AmazonState } from './state';
import { vendorHandlers } from './vendor';
import { readBody } from '../shopify/http-util';

export type { AmazonFaults } from './faults';
export type { SandboxConfig } from './api';

export interface AmazonSandboxOptions extends Partial<SandboxConfig> {
  port?: number;
  host?: string;
  clientId?: string;
  clientSecret?: string;
  refreshToken?: string;
  /** Access-token lifetime (Login with Amazon: 3,600 s). */
  tokenLifetimeSeconds?: number;
  /** Usage plans other than the models' defaults, by operationId: `{ searchOrders: { rate: 1, burst: 20 } }`. */
  rateLimits?: Record<string, RateLimit>;
  faults?: AmazonFaults;
  /** Buyable listings to start with (the seller's catalogue on Amazon), quantity 0 unless given. */
  catalog?: { sku: string; productType?: string; title?: string; price?: string; quantity?: number }[];
  now?: () => number;
}

export interface AmazonSandbox {
  /** The SP-API endpoint (what https://sellingpartnerapi-na.amazon.com is on Amazon). */
  url: string;
  /** Login with Amazon's token endpoint (https://api.amazon.com/auth/o2/token on Amazon). */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  config: SandboxConfig;
  state: AmazonState;
  marketplace: Marketplace;
  lwa: LoginWithAmazon;
  buckets: TokenBuckets;
  setFaults(f: AmazonFaults): void;
  /** The environment variables that point a client at this sandbox (names in sandbox/amazon/README.md). */
  env(): Record<string, string>;
  close(): Promise<void>;
}

export const DEFAULT_CONFIG: SandboxConfig = {
  sellerId: 'A2SANDBOXSELLER',
  marketplaceId: 'ATVPDKIKX0DER',
  vendorPartyId: 'SANDBOXVENDOR',
  warehouses: ['EM', 'C'],
  listingDelayMs: 1000,
  feedQueueMs: 500,
  feedProcessMs: 1000,
  feedPerMessageMs: 0.05,
  transactionMs: 500,
  autoCatalog: false,
  compressResultsFrom: Infinity,
};

/** A local Amazon Selling Partner API + Login with Amazon for one seller and one vendor, with /_sandbox inspection. */
export async function startAmazonSandbox(opts: AmazonSandboxOptions = {}): Promise<AmazonSandbox> {
  const now = opts.now ?? Date.now;
  const models = loadModels();
  const config: SandboxConfig = { ...DEFAULT_CONFIG, warehouses: [...DEFAULT_CONFIG.warehouses] };
  for (const k of Object.keys(DEFAULT_CONFIG) as (keyof SandboxConfig)[])
    if (opts[k] !== undefined) (config as unknown as Record<string, unknown>)[k] = opts[k];
  const state = new AmazonState(now);
  const faults = new FaultInjector(opts.faults);
  const clientId = opts.clientId ?? 'amzn1.application-oa2-client.sandbox';
  const clientSecret = opts.clientSecret ?? 'amzn1.oa2-cs.v1.sandbox-secret';
  const refreshToken = opts.refreshToken ?? 'Atzr|sandbox-refresh-token';
  const lwa = new LoginWithAmazon({
    clientId,
    clientSecret,
    refreshToken,
    tokenLifetimeSeconds: opts.tokenLifetimeSeconds,
    now,
  });
  const buckets = new TokenBuckets(models.rateLimits);
  for (const [id, limit] of Object.entries(opts.rateLimits ?? {})) buckets.set(models.operation(id).key, limit);
  const timers = new Set<NodeJS.Timeout>();
  let baseUrl = '';
  const ctx: Ctx = {
    state,
    models,
    faults,
    config,
    now,
    baseUrl: () => baseUrl,
    later: (ms, fn) => {
      const t = setTimeout(() => {
        timers.delete(t);
        fn();
      }, ms);
      timers.add(t);
    },
  };
  for (const l of opts.catalog ?? []) state.addCatalogListing(l);
  const marketplace = new Marketplace(ctx);
  const handlers: Record<string, Handler> = {
    ...listingsHandlers(ctx),
    ...feedsHandlers(ctx),
    ...vendorHandlers(ctx),
    ...ordersHandlers(ctx),
  };
  const inspect = inspectionRoutes(ctx, { buckets, marketplace, lwa });

  /** Runs one SP-API call through authentication, throttling, faults and validation; every reply is checked. */
  const call = async (
    op: Operation,
    req: http.IncomingMessage,
    url: URL,
    pathParams: Record<string, string>,
  ): Promise<Reply & { drop?: boolean }> => {
    state.counters.requests++;
    const token = req.headers['x-amz-access-token'];
    const check = lwa.check(Array.isArray(token) ? token[0] : token);
    if (check !== 'ok') {
      state.counters.unauthorized++;
      const details = {
        missing: 'Access token is missing in the request header.',
        invalid: 'The access token you provided is revoked, malformed or invalid.',
        expired: 'The access token you provided has expired.',
      }[check];
      return errorReply(403, 'Unauthorized', 'Access to requested resource is denied.', details);
    }
    if (faults.latency()) await new Promise((r) => setTimeout(r, faults.latency()));
    const injected = faults.take('throttleNext', op.id) || faults.roll('throttledRate', op.id);
    if (injected || !buckets.take(op.key)) {
      state.counters.throttled++;
      return errorReply(429, 'QuotaExceeded', 'You exceeded your quota for the requested resource.');
    }
    if (faults.roll('http5xxRate', op.id)) {
      state.counters.faults5xx++;
      return faults.next5xx() === 500
        ? errorReply(500, 'InternalFailure', 'We encountered an internal error. Please try again.')
        : errorReply(503, 'ServiceUnavailable', 'Service temporarily unavailable. Please try again.');
    }
    const params = models.coerceParams(op, pathParams, url.searchParams);
    const invalid = (problems: string[]) => {
      state.counters.invalidRequests++;
      return errorReply(
        400,
        'InvalidInput',
        'Request has missing or invalid parameters and cannot be parsed.',
        problems.join('; '),
      );
    };
    if (!op.validateParams(params)) return invalid(describeErrors(op.validateParams.errors, 'parameter '));
    let body: unknown;
    if (op.validateBody) {
      const raw = (await readBody(req)).toString('utf8');
      if (!/^application\/json\b/i.test(req.headers['content-type'] ?? ''))
        return errorReply(
          415,
          'UnsupportedMediaType',
          'The request payload is in an unsupported format.',
          'Content-Type must be application/json',
        );
      try {
        body = JSON.parse(raw);
      } catch {
        return invalid(['body is not JSON']);
      }
      if (!op.validateBody(body)) return invalid(describeErrors(op.validateBody.errors, 'body'));
    }
    const handler = handlers[op.id];
    if (!handler) return errorReply(400, 'InvalidInput', `The sandbox does not implement ${op.id}.`);
    const reply = await handler({ op, params, body });
    return { ...reply, drop: reply.commits && faults.roll('dropAfterCommitRate', op.id) };
  };

  /** The model's schema for this status must accept the body; a reply that does not is a sandbox bug, made loud. */
  const conform = (op: Operation, reply: Reply): Reply => {
    if (!op.responses.has(reply.status)) {
      state.counters.responseViolations++;
      return errorReply(500, 'InternalFailure', `sandbox bug: ${op.id} declares no ${reply.status} response`);
    }
    const validate = op.responses.get(reply.status);
    if (validate && !validate(reply.body)) {
      state.counters.responseViolations++;
      return errorReply(
        500,
        'InternalFailure',
        `sandbox bug: ${op.id} ${reply.status} reply does not conform`,
        describeErrors(validate.errors).join('; '),
      );
    }
    return reply;
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const text =
        body === undefined ? '' : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-RequestId': randomUUID(), ...headers });
      res.end(text);
    };
    const route = async () => {
      if (url.pathname.startsWith('/_sandbox/')) return inspect(req, url, (s, b) => send(s, b));
      if (url.pathname.startsWith('/_documents/')) return documentRoute(req, url, res, ctx);
      if (url.pathname === '/auth/o2/token') {
        if (req.method !== 'POST') return send(405, { error: 'invalid_request', error_description: 'POST only' });
        const raw = (await readBody(req)).toString('utf8');
        const params = req.headers['content-type']?.startsWith('application/json')
          ? (JSON.parse(raw || '{}') as Record<string, string>)
          : Object.fromEntries(new URLSearchParams(raw));
        const [status, body] = lwa.grant(params);
        if (status === 200) state.counters.tokenGrants++;
        return send(status, body, { 'cache-control': 'no-store' });
      }
      let matched: { op: Operation; params: Record<string, string> } | undefined;
      for (const op of models.operations) {
        const p = op.method === req.method ? op.match(url.pathname) : null;
        if (p) {
          matched = { op, params: p };
          break;
        }
      }
      if (!matched)
        return send(404, { errors: [{ code: 'NotFound', message: `No operation ${req.method} ${url.pathname}` }] });
      const { op } = matched;
      const reply = await call(op, req, url, matched.params);
      if (reply.drop) {
        state.counters.dropped++;
        req.socket.destroy(); // committed, but the client never hears back
        return;
      }
      const checked = conform(op, reply);
      // Every reply names the usage plan applied to the operation (x-amzn-RateLimit-Limit).
      send(checked.status, checked.body, { 'x-amzn-RateLimit-Limit': rateHeader(buckets.limit(op.key).rate) });
    };
    route().catch((err: Error) =>
      send(500, { errors: [{ code: 'InternalFailure', message: `sandbox error: ${err.message}` }] }),
    );
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://${opts.host ?? '127.0.0.1'}:${port}`;
  const tokenUrl = `${baseUrl}/auth/o2/token`;
  return {
    url: baseUrl,
    tokenUrl,
    clientId,
    clientSecret,
    refreshToken,
    config,
    state,
    marketplace,
    lwa,
    buckets,
    setFaults: (f) => faults.set(f),
    env: () => ({
      AMAZON_SPAPI_URL: baseUrl,
      AMAZON_LWA_URL: tokenUrl,
      AMAZON_LWA_CLIENT_ID: clientId,
      AMAZON_LWA_CLIENT_SECRET: clientSecret,
      AMAZON_LWA_REFRESH_TOKEN: refreshToken,
      AMAZON_SELLER_ID: config.sellerId,
      AMAZON_MARKETPLACE_ID: config.marketplaceId,
      AMAZON_VENDOR_PARTY_ID: config.vendorPartyId,
      AMAZON_VENDOR_WAREHOUSES: config.warehouses.join(','),
      AMAZON_SANDBOX_URL: baseUrl,
      // How long an accepted listing change takes to show here (listingDelayMs, from Amazon's acceptance, which comes
      // before our confirm; 100 ms more for timer slack): what the channels leave room for after an Amazon channel's
      // quantity goes down (Amazon itself: up to ~15 minutes).
      AMAZON_LISTING_APPLY_MS: String(config.listingDelayMs + 100),
    }),
    close: async () => {
      marketplace.stop();
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

/**
 * The feed documents' storage (S3 on Amazon): PUT to the URL createFeedDocument returned uploads the feed, with the
 * content type it was created for (the URL is presigned for it) and before it expires; GET downloads a document.
 */
async function documentRoute(req: http.IncomingMessage, url: URL, res: http.ServerResponse, ctx: Ctx): Promise<void> {
  const id = decodeURIComponent(url.pathname.slice('/_documents/'.length));
  const doc = ctx.state.documents.get(id);
  const xml = (status: number, code: string, message: string) => {
    res.writeHead(status, { 'content-type': 'application/xml' });
    res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`);
  };
  if (!doc) return xml(404, 'NoSuchKey', 'The specified key does not exist.');
  if (req.method === 'PUT') {
    if (doc.result) return xml(403, 'AccessDenied', 'Access Denied');
    if (ctx.now() > doc.uploadExpiresAt) return xml(403, 'AccessDenied', 'Request has expired');
    const type = (req.headers['content-type'] ?? '').toLowerCase().replace(/\s+/g, '');
    if (type !== doc.contentType.toLowerCase().replace(/\s+/g, ''))
      return xml(
        403,
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided.',
      );
    doc.content = await readBody(req);
    res.writeHead(200, { etag: `"${doc.content.length}"` });
    return void res.end();
  }
  if (req.method === 'GET') {
    if (!doc.content) return xml(404, 'NoSuchKey', 'The specified key does not exist.');
    res.writeHead(200, { 'content-type': doc.contentType, 'content-length': doc.content.length });
    return void res.end(doc.content);
  }
  xml(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
}
