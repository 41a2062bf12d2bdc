import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppAccess } from './app-access';
import { FaultInjector, type SandboxFaults } from './faults';
import { executeInternal, handleGraphql } from './graphql-endpoint';
import { inspectionRoutes } from './inspect';
import { bulkResolvers } from './resolvers/bulk';
import { inventoryResolvers } from './resolvers/inventory';
import { orderResolvers } from './resolvers/orders';
import { deletionResolvers } from './resolvers/deletions';
import { productResolvers } from './resolvers/products';
import { transferResolvers } from './resolvers/transfers';
import { TransferDesk } from './transfers';
import { webhookSubscriptionResolvers } from './resolvers/webhook-subscriptions';
import { IdFloor } from './id-floor';
import { ShopSnapshot } from './persist';
import { ShopState } from './state';
import { Storefront } from './storefront';
import { LeakyBucket, type ShopifyPlan } from './throttle';
import { DEFAULT_RETRY_DELAYS_MS, WebhookDispatcher } from './webhooks';
import { receiveStagedUpload } from './uploads';
import { readBody } from './http-util';

export type { SandboxFaults } from './faults';
export type { ShopifyPlan } from './throttle';
export const API_VERSION = '2026-10';

export interface SandboxOptions {
  port?: number;
  host?: string;
  shop?: string;
  accessToken?: string;
  webhookSecret?: string;
  plan?: ShopifyPlan;
  faults?: SandboxFaults;
  bulkRowsPerSecond?: number;
  locations?: { name: string; code: string }[];
  webhookRetryDelaysMs?: number[];
  /** The app's client credentials (the client-credentials grant at /admin/oauth/access_token). */
  clientId?: string;
  clientSecret?: string;
  /** Lifetime of granted tokens (Shopify: 86,399 s); tests shorten it to see tokens expire. */
  tokenLifetimeSeconds?: number;
  /** The app's scopes; by default every scope the pipelines need, `read_all_orders` included. */
  scopes?: string[];
  /** Dev flag: also subscribe plain-http addresses on 127.0.0.1/localhost (Shopify takes https only). */
  allowHttpLoopbackWebhooks?: boolean;
  /**
   * Where the shop keeps what must survive a restart (npm start passes `.local/shopify-sandbox`): the id and
   * order-number reservations, so no id is handed out twice, the locations' ids, so they stay the same, and a
   * snapshot of the shop (products, inventory, customers, orders, subscriptions), so a restart keeps them. Without it every start begins at 1000 (tests).
   */
  dataDir?: string;
}

export interface ShopifySandbox {
  url: string;
  adminGraphqlUrl: string;
  shop: string;
  accessToken: string;
  webhookSecret: string;
  clientId: string;
  clientSecret: string;
  access: AppAccess;
  state: ShopState;
  /** True when the shop was loaded from the data dir's snapshot (products, orders, … of the last run). */
  restored: boolean;
  storefront: Storefront;
  /** The merchant's steps on native inventory transfers (also at POST /_sandbox/transfers…). */
  transfers: TransferDesk;
  webhooks: WebhookDispatcher;
  setFaults(f: SandboxFaults): void;
  setPlan(p: ShopifyPlan): void;
  close(): Promise<void>;
}

const PLAN_NAMES: Record<ShopifyPlan, string> = {
  standard: 'Basic',
  advanced: 'Advanced',
  plus: 'Shopify Plus',
  enterprise: 'Commerce Components',
};

export const DEFAULT_LOCATIONS = [
  { name: 'Emerald City', code: 'EMERALD' },
  { name: 'Carlton', code: 'C' },
  { name: 'Sunset Crest', code: 'SUNSET' },
  { name: 'Oistins', code: 'OISTINS' },
];

/** A local Shopify Admin GraphQL API (2026-10) for one shop, with an inspection API under /_sandbox. */
export async function startShopifySandbox(opts: SandboxOptions = {}): Promise<ShopifySandbox> {
  const shop = opts.shop ?? 'demo-grocer.myshopify.com';
  const accessToken = opts.accessToken ?? 'shpat_sandbox';
  const webhookSecret = opts.webhookSecret ?? 'sandbox-webhook-secret';
  const floor = opts.dataDir ? new IdFloor(opts.dataDir) : undefined;
  const state = new ShopState(floor);
  const clientId = opts.clientId ?? 'sandbox-client-id';
  const clientSecret = opts.clientSecret ?? 'sandbox-client-secret';
  const access = new AppAccess({
    staticToken: accessToken,
    clientId,
    clientSecret,
    tokenLifetimeSeconds: opts.tokenLifetimeSeconds,
    scopes: opts.scopes,
  });
  for (const l of opts.locations ?? DEFAULT_LOCATIONS) {
    // Locations keep their ids across restarts (with a data dir), as a shop's locations do.
    const id = floor ? floor.locationId(l.code, () => state.gid('Location')) : state.gid('Location');
    state.locations.set(id, { id, name: l.name, code: l.code, isActive: true });
  }
  // With a data dir the shop outlives the process, as a real shop does (persist.ts): saved every 10 s and on close.
  const snapshot = opts.dataDir ? new ShopSnapshot(opts.dataDir, state) : undefined;
  const restored = snapshot?.load() ?? false;
  snapshot?.start(10_000);
  const bucket = new LeakyBucket(opts.plan ?? 'plus');
  const faults = new FaultInjector(opts.faults);
  const webhooks = new WebhookDispatcher(state, {
    shop,
    secret: webhookSecret,
    apiVersion: API_VERSION,
    retryDelaysMs: opts.webhookRetryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS,
    timeoutMs: 5000,
  });
  const storefront = new Storefront(state, webhooks);
  let baseUrl = '';
  let plan: ShopifyPlan = opts.plan ?? 'plus';
  const rootValue: Record<string, unknown> = {
    shop: () => ({
      id: 'gid://shopify/Shop/1',
      name: 'Demo Grocer',
      myshopifyDomain: shop,
      currencyCode: 'BBD',
      plan: { partnerDevelopment: false, shopifyPlus: plan === 'plus', publicDisplayName: PLAN_NAMES[plan] },
    }),
  };
  const setPlan = (p: ShopifyPlan) => {
    plan = p;
    bucket.setPlan(p);
  };
  const parts = [
    productResolvers(state, webhooks),
    inventoryResolvers(state, webhooks),
    orderResolvers(state, access),
    transferResolvers(state),
    deletionResolvers(state, webhooks),
    webhookSubscriptionResolvers(state, { allowHttpLoopback: opts.allowHttpLoopbackWebhooks }),
  ];
  const bulk = bulkResolvers(state, webhooks, {
    baseUrl: () => baseUrl,
    rowsPerSecond: opts.bulkRowsPerSecond ?? 20_000,
    failAfterObjects: () => faults.current.bulkFailAfterObjects,
    execute: (q, v, b) => executeInternal(q, v, rootValue, b),
  });
  for (const part of [...parts, bulk])
    Object.assign(rootValue, 'query' in part ? part.query : {}, 'mutation' in part ? part.mutation : {});

  const admin = `/admin/api/${API_VERSION}/graphql.json`;
  const transfers = new TransferDesk(state);
  const inspect = inspectionRoutes({ state, storefront, faults, bucket, setPlan, transfers });
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const send = (status: number, body: unknown, type = 'application/json') => {
      res.writeHead(status, {
        'content-type': type,
        'x-request-id': randomUUID(),
        ...(url.pathname === admin ? { 'x-shopify-api-version': API_VERSION } : {}),
      });
      res.end(typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body));
    };
    const route = async () => {
      if (url.pathname.startsWith('/_sandbox/')) return inspect(req, url, send);
      if (url.pathname.startsWith('/_files/')) {
        const file = state.files.get(url.pathname.slice('/_files/'.length));
        return file ? send(200, file, 'application/jsonl') : send(404, { errors: 'Not Found' });
      }
      if (url.pathname.startsWith('/_staged/')) return receiveStagedUpload(req, url, state, send);
      if (url.pathname === '/admin/oauth/access_token' && req.method === 'POST') {
        const raw = (await readBody(req)).toString('utf8');
        // The docs send a form; Shopify's own libraries send JSON. Both are accepted.
        const params = req.headers['content-type']?.startsWith('application/json')
          ? (JSON.parse(raw || '{}') as Record<string, string>)
          : Object.fromEntries(new URLSearchParams(raw));
        const [status, body] = access.grant(params);
        return send(status, body);
      }
      if (url.pathname !== admin || req.method !== 'POST') return send(404, { errors: 'Not Found' });
      const token = req.headers['x-shopify-access-token'];
      if (!access.accepts(Array.isArray(token) ? token[0] : token))
        return send(401, { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' });
      state.counters.requests++;
      const body = await readBody(req);
      if (faults.latency()) await new Promise((r) => setTimeout(r, faults.latency()));
      if (faults.roll('http5xxRate')) {
        state.counters.faults5xx++;
        return send(503, { errors: 'Service Unavailable: the sandbox injected this fault' });
      }
      let payload: { query?: string; variables?: Record<string, unknown>; operationName?: string };
      try {
        // Shopify also takes the bare document with Content-Type: application/graphql.
        payload = req.headers['content-type']?.startsWith('application/graphql')
          ? { query: body.toString('utf8') }
          : JSON.parse(body.toString('utf8'));
      } catch {
        return send(400, { errors: 'Bad Request: body is not JSON' });
      }
      const reply = await handleGraphql(payload, rootValue, bucket, faults.roll('throttledRate'));
      if (reply.cost) state.recordCost(reply.cost.operation, reply.cost.requested, reply.cost.actual);
      if (
        (reply.body.errors as { extensions?: { code?: string } }[] | undefined)?.[0]?.extensions?.code === 'THROTTLED'
      )
        state.counters.throttled++;
      if (reply.isMutation && faults.dropReply(reply.rootFields)) {
        state.counters.dropped++;
        req.socket.destroy(); // committed, but the client never hears back
        return;
      }
      send(200, reply.body);
    };
    route().catch((err: Error) => send(500, { errors: `sandbox error: ${err.message}` }));
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject); // e.g. EADDRINUSE: the caller says so, instead of an unhandled 'error' event
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://${opts.host ?? '127.0.0.1'}:${port}`;
  return {
    url: baseUrl,
    adminGraphqlUrl: `${baseUrl}${admin}`,
    shop,
    accessToken,
    webhookSecret,
    clientId,
    clientSecret,
    access,
    state,
    restored,
    storefront,
    transfers,
    webhooks,
    setFaults: (f) => faults.set(f),
    setPlan,
    close: async () => {
      storefront.stop();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await webhooks.close();
      snapshot?.stop();
    },
  };
}
