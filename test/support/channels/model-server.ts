import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { AmazonClient, type AmazonClientOptions } from '../../../connectors/amazon';
import { activityCancellation } from '../../../activities/platform/cancellation';

/**
 * A tiny SP-API for the connector's unit tests, written from Amazon's models in ../shared/amazon (not the
 * project's sandbox): LWA's refresh-token grant, the listings patch/get, the feed document cycle, VDF inventory
 * and transaction status, each with the model's paths, required fields and error shape. `faults` scripts the
 * next replies of an operation (e.g. two 429s); every request is recorded.
 */
export interface ModelServer {
  url: string;
  requests: {
    method: string;
    path: string;
    query: URLSearchParams;
    token?: string;
    body?: unknown;
    /** When the request arrived and when its reply went out (ms since the epoch). */
    at: number;
    repliedAt?: number;
  }[];
  /** Holds the next replies of an operation back this many ms each, after the call took effect (a slow reply). */
  replyDelays: Map<string, number[]>;
  faults: Map<string, { status: number; limit?: string }[]>;
  /** The `x-amzn-RateLimit-Limit` each reply carries, per operation (absent: no header). */
  grantedRate: Map<string, string>;
  validTokens: Set<string>;
  grants: number;
  expiresIn: number;
  listings: Map<string, { quantity: number; productType: string }>;
  /** SKUs whose submissions Amazon refuses (INVALID patch, ERROR issue in a feed report). */
  invalid: Set<string>;
  /** The next N vendor transactions end Failure. */
  failTransactions: number;
  vendorInventory: Map<string, number>;
  close(): Promise<void>;
}

const unauthorized = {
  errors: [
    {
      code: 'Unauthorized',
      message: 'Access to requested resource is denied.',
      details: 'The access token you provided has expired.',
    },
  ],
};

export async function startModelServer(): Promise<ModelServer> {
  const docs = new Map<string, string>();
  const feeds = new Map<string, { docId: string; polls: number; resultId?: string }>();
  const transactions = new Map<string, boolean>();
  const s: ModelServer = {
    url: '',
    requests: [],
    faults: new Map(),
    replyDelays: new Map(),
    grantedRate: new Map(),
    validTokens: new Set(),
    grants: 0,
    expiresIn: 3600,
    listings: new Map(),
    invalid: new Set(),
    failTransactions: 0,
    vendorInventory: new Map(),
    close: async () => void (await new Promise((r) => server.close(r))),
  };
  let seq = 0;
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://x');
    let delay = 0;
    const seen: { entry?: ModelServer['requests'][number] } = {};
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const reply = () => {
        if (seen.entry) seen.entry.repliedAt = Date.now();
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(typeof body === 'string' ? body : JSON.stringify(body));
      };
      if (delay) setTimeout(reply, delay);
      else reply();
    };
    if (url.pathname === '/auth/o2/token') {
      const form = new URLSearchParams(raw);
      if (
        form.get('grant_type') !== 'refresh_token' ||
        form.get('client_secret') !== 'secret-1' ||
        !form.get('refresh_token')
      )
        return send(400, { error: 'invalid_grant', error_description: 'The request has an invalid grant parameter' });
      s.grants++;
      const token = `Atza|tok-${++seq}`;
      s.validTokens.add(token);
      return send(200, {
        access_token: token,
        refresh_token: form.get('refresh_token'),
        token_type: 'bearer',
        expires_in: s.expiresIn,
      });
    }
    if (url.pathname.startsWith('/doc/')) {
      const id = url.pathname.slice(5);
      if (req.method === 'PUT') {
        docs.set(id, raw);
        return send(200, '');
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      return res.end(gzipSync(docs.get(id) ?? ''));
    }
    const token = req.headers['x-amz-access-token'] as string | undefined;
    const body = raw ? JSON.parse(raw) : undefined;
    seen.entry = { method: req.method ?? '', path: url.pathname, query: url.searchParams, token, body, at: Date.now() };
    s.requests.push(seen.entry);
    const op = opName(req.method ?? '', url.pathname);
    delay = s.replyDelays.get(op)?.shift() ?? 0;
    const limit = s.grantedRate.get(op);
    const rl: Record<string, string> = limit ? { 'x-amzn-RateLimit-Limit': limit } : {};
    const fault = s.faults.get(op)?.shift();
    if (!token || !s.validTokens.has(token)) return send(403, unauthorized);
    if (fault)
      return send(
        fault.status,
        {
          errors: [
            {
              code: fault.status === 429 ? 'QuotaExceeded' : 'InternalFailure',
              message: 'You exceeded your quota for the requested resource.',
            },
          ],
        },
        fault.limit ? { 'x-amzn-RateLimit-Limit': fault.limit } : rl,
      );
    const listing = url.pathname.match(/^\/listings\/2021-08-01\/items\/([^/]+)\/([^/]+)$/);
    if (listing) {
      const sku = decodeURIComponent(listing[2]!);
      if (!url.searchParams.get('marketplaceIds'))
        return send(400, { errors: [{ code: 'InvalidInput', message: 'marketplaceIds is required' }] });
      if (req.method === 'GET') {
        const l = s.listings.get(sku);
        if (!l) return send(404, { errors: [{ code: 'NOT_FOUND', message: `SKU '${sku}' not found` }] }, rl);
        return send(
          200,
          { sku, fulfillmentAvailability: [{ fulfillmentChannelCode: 'DEFAULT', quantity: l.quantity }], issues: [] },
          rl,
        );
      }
      if (!body?.productType || !Array.isArray(body?.patches) || body.patches.length < 1)
        return send(400, { errors: [{ code: 'InvalidInput', message: 'productType and patches are required' }] });
      const q = body.patches[0]?.value?.[0]?.quantity;
      if (!Number.isInteger(q) || q < 0 || s.invalid.has(sku))
        return send(
          200,
          {
            sku,
            status: 'INVALID',
            submissionId: `sub-${++seq}`,
            issues: [{ code: '90000', message: 'quantity must be >= 0', severity: 'ERROR' }],
          },
          rl,
        );
      if (url.searchParams.get('mode') !== 'VALIDATION_PREVIEW')
        s.listings.set(sku, { quantity: q, productType: body.productType });
      return send(
        200,
        { sku, status: url.searchParams.get('mode') ? 'VALID' : 'ACCEPTED', submissionId: `sub-${++seq}`, issues: [] },
        rl,
      );
    }
    if (url.pathname === '/feeds/2021-06-30/documents' && req.method === 'POST') {
      const id = `doc-${++seq}`;
      return send(201, { feedDocumentId: id, url: `${s.url}/doc/${id}` }, rl);
    }
    if (url.pathname === '/feeds/2021-06-30/feeds' && req.method === 'POST') {
      if (body?.feedType !== 'JSON_LISTINGS_FEED' || !body?.inputFeedDocumentId || !body?.marketplaceIds?.length)
        return send(400, { errors: [{ code: 'InvalidInput', message: 'bad feed specification' }] });
      const id = `feed-${++seq}`;
      feeds.set(id, { docId: body.inputFeedDocumentId, polls: 0 });
      return send(202, { feedId: id }, rl);
    }
    const feed = url.pathname.match(/^\/feeds\/2021-06-30\/feeds\/([^/]+)$/);
    if (feed) {
      const f = feeds.get(feed[1]!);
      if (!f) return send(404, { errors: [{ code: 'NotFound', message: 'no such feed' }] });
      f.polls++;
      const status = f.polls === 1 ? 'IN_QUEUE' : f.polls === 2 ? 'IN_PROGRESS' : 'DONE';
      if (status === 'DONE' && !f.resultId) {
        const doc = JSON.parse(docs.get(f.docId) ?? '{}') as {
          messages: { messageId: number; sku: string; patches: { value: { quantity: number }[] }[] }[];
        };
        const issues = doc.messages
          .filter((m) => m.patches[0]!.value[0]!.quantity < 0 || s.invalid.has(m.sku))
          .map((m) => ({ messageId: m.messageId, code: '90000', severity: 'ERROR', message: 'quantity must be >= 0' }));
        const refused = new Set(issues.map((i) => i.messageId));
        for (const m of doc.messages)
          if (!refused.has(m.messageId))
            s.listings.set(m.sku, { quantity: m.patches[0]!.value[0]!.quantity, productType: 'P' });
        f.resultId = `doc-${++seq}`;
        docs.set(
          f.resultId,
          JSON.stringify({
            header: { feedId: feed[1], version: '2.0', sellerId: 'S' },
            issues,
            summary: {
              messagesProcessed: doc.messages.length,
              messagesAccepted: doc.messages.length - issues.length,
              messagesInvalid: issues.length,
              errors: issues.length,
              warnings: 0,
            },
          }),
        );
      }
      return send(
        200,
        {
          feedId: feed[1],
          feedType: 'JSON_LISTINGS_FEED',
          createdTime: new Date().toISOString(),
          processingStatus: status,
          resultFeedDocumentId: status === 'DONE' ? f.resultId : undefined,
        },
        rl,
      );
    }
    const document = url.pathname.match(/^\/feeds\/2021-06-30\/documents\/([^/]+)$/);
    if (document)
      return send(
        200,
        { feedDocumentId: document[1], url: `${s.url}/doc/${document[1]}`, compressionAlgorithm: 'GZIP' },
        rl,
      );
    if (/^\/vendor\/directFulfillment\/inventory\/v1\/warehouses\/[^/]+\/items$/.test(url.pathname)) {
      const inv = body?.inventory;
      if (!inv?.sellingParty?.partyId || typeof inv.isFullUpdate !== 'boolean' || !Array.isArray(inv.items))
        return send(400, {
          errors: [{ code: 'InvalidInput', message: 'isFullUpdate, items and sellingParty are required' }],
        });
      const id = `tx-${++seq}`;
      const fail = s.failTransactions > 0 && s.failTransactions-- > 0;
      transactions.set(id, fail);
      if (!fail)
        for (const i of inv.items as { vendorProductIdentifier: string; availableQuantity: { amount: number } }[])
          s.vendorInventory.set(i.vendorProductIdentifier, i.availableQuantity.amount);
      return send(202, { payload: { transactionId: id } }, rl);
    }
    const tx = url.pathname.match(/^\/vendor\/transactions\/v1\/transactions\/([^/]+)$/);
    if (tx) {
      const failed = transactions.get(tx[1]!);
      const t = failed
        ? {
            transactionId: tx[1],
            status: 'Failure',
            errors: [{ code: 'InvalidItem', message: 'vendorProductIdentifier is not set up' }],
          }
        : { transactionId: tx[1], status: 'Success' };
      return send(200, { payload: { transactionStatus: t } }, rl);
    }
    send(404, { errors: [{ code: 'NotFound', message: `no route ${req.method} ${url.pathname}` }] });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  s.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return s;
}

function opName(method: string, path: string): string {
  if (path.startsWith('/listings/')) return method === 'PATCH' ? 'patchListingsItem' : 'getListingsItem';
  if (path === '/feeds/2021-06-30/documents') return 'createFeedDocument';
  if (path.startsWith('/feeds/2021-06-30/documents/')) return 'getFeedDocument';
  if (path === '/feeds/2021-06-30/feeds') return 'createFeed';
  if (path.startsWith('/feeds/2021-06-30/feeds/')) return 'getFeed';
  if (path.startsWith('/vendor/directFulfillment/')) return 'submitInventoryUpdate';
  if (path.startsWith('/vendor/transactions/')) return 'getTransaction';
  return 'other';
}

/** The project's SP-API connector pointed at a model server (the LWA app and seller it accepts). */
export function modelServerClient(s: ModelServer, opts: Partial<AmazonClientOptions> = {}): AmazonClient {
  return new AmazonClient({
    endpoint: s.url,
    lwa: { clientId: 'c', clientSecret: 'secret-1', refreshToken: 'Atzr|r', tokenUrl: `${s.url}/auth/o2/token` },
    sellerId: 'A1SELLER',
    marketplaceId: 'A1F83G8C2ARO7P',
    abortSignal: activityCancellation,
    ...opts,
  });
}
