import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Account, type AccountOptions } from './account';
import { handleApi } from './api';
import { AccountBucket, bucketForRegisters } from './bucket';
import { Faults, type LightspeedFaults } from './faults';
import { inspectionRoutes } from './inspect';
import { TokenAuthority } from './oauth';
import { BadRequest } from './query';

export type { LightspeedFaults } from './faults';
export { Account } from './account';

export interface LightspeedSandboxOptions extends AccountOptions {
  port?: number;
  host?: string;
  clientId?: string;
  clientSecret?: string;
  accessTokenLifetimeSeconds?: number;
  /** Overrides the bucket the registers give (tests and benches use a faster drip to keep runs short). */
  bucket?: { size?: number; drip?: number };
  faults?: LightspeedFaults;
}

export interface LightspeedSandbox {
  url: string;
  /** Base of the V3 API, e.g. http://127.0.0.1:PORT/API/V3 (Lightspeed: https://api.lightspeedapp.com/API/V3). */
  apiUrl: string;
  /** The token endpoint (Lightspeed: https://cloud.lightspeedapp.com/auth/oauth/token). */
  tokenUrl: string;
  accountID: number;
  clientId: string;
  clientSecret: string;
  /** The refresh token the merchant's first consent gave (spent by the first refresh). */
  initialRefreshToken: string;
  account: Account;
  auth: TokenAuthority;
  bucket: AccountBucket;
  faults: Faults;
  stats: SandboxStats;
  close(): Promise<void>;
}

export interface SandboxStats {
  requests: number;
  throttled: number;
  errors5xx: number;
  byResource: Record<string, number>;
}

/** Lightspeed Retail (R-Series) on 127.0.0.1: OAuth, the V3 API with its leaky bucket, reports and /_sandbox/. */
export async function startLightspeedSandbox(opts: LightspeedSandboxOptions = {}): Promise<LightspeedSandbox> {
  const account = new Account(opts);
  const auth = new TokenAuthority(
    opts.clientId ?? 'backbone-lightspeed',
    opts.clientSecret ?? 'sandbox-client-secret',
    opts.accessTokenLifetimeSeconds ?? 1800,
  );
  const initialRefreshToken = auth.authorize();
  const fromRegisters = bucketForRegisters(account.registerCount);
  const bucket = new AccountBucket(opts.bucket?.size ?? fromRegisters.size, opts.bucket?.drip ?? fromRegisters.drip);
  const faults = new Faults(opts.faults);
  const stats: SandboxStats = { requests: 0, throttled: 0, errors5xx: 0, byResource: {} };
  const inspect = inspectionRoutes({ account, auth, bucket, faults, stats });
  const prefix = `/API/V3/Account/${account.accountID}/`;

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      if (url.pathname.startsWith('/_sandbox/')) return inspect(req, url, send);
      if (url.pathname === '/auth/oauth/token' && req.method === 'POST') {
        const params = await readParams(req);
        const reply = auth.grant(params);
        if (reply.status === 200 && params.grant_type === 'refresh_token' && faults.roll('tokenReplyLostRate'))
          return req.socket.destroy(); // rotated, but the reply never arrives
        return send(reply.status, reply.body);
      }
      if (!url.pathname.startsWith('/API/V3/')) return send(404, { message: 'Not Found' });
      stats.requests++;
      const cost = req.method === 'GET' ? 1 : 10;
      const taken = bucket.take(cost);
      if (!taken.ok) {
        stats.throttled++;
        return send(
          429,
          {
            httpCode: '429',
            httpMessage: 'Too Many Requests',
            message: 'Rate Limit Exceeded',
            errorClass: 'RateLimit',
          },
          { ...bucket.headers(), 'Retry-After': String(Math.ceil(taken.retryAfterSeconds)) },
        );
      }
      const headers = { ...bucket.headers(), 'X-LS-API-Request-Cost': String(cost) };
      if (!auth.check(req.headers.authorization))
        return send(401, { httpCode: '401', httpMessage: 'Unauthorized', message: 'Invalid access token.' }, headers);
      if (!url.pathname.startsWith(prefix))
        return send(403, { httpCode: '403', httpMessage: 'Forbidden', message: 'Not your account.' }, headers);
      const resource = url.pathname.slice(prefix.length).replace(/\.json$/, '');
      stats.byResource[resource] = (stats.byResource[resource] ?? 0) + 1;
      if (faults.latency()) await new Promise((r) => setTimeout(r, faults.latency()));
      if (faults.roll('http5xxRate')) {
        stats.errors5xx++;
        return send(503, { httpCode: '503', httpMessage: 'Service Unavailable', message: 'Try again.' }, headers);
      }
      if (req.method !== 'GET')
        return send(
          405,
          { httpCode: '405', httpMessage: 'Method Not Allowed', message: 'Read-only sandbox.' },
          headers,
        );
      try {
        const reply = handleApi(account, resource, url);
        let text = JSON.stringify(reply.body);
        if (reply.status === 200 && faults.roll('missingIdRate')) text = text.replace(/"saleID":"\d+",/, '');
        if (reply.status === 200 && faults.roll('truncatedPageRate')) text = text.slice(0, Math.floor(text.length / 2));
        res.writeHead(reply.status, { 'content-type': 'application/json', ...headers });
        res.end(text);
      } catch (e) {
        if (e instanceof BadRequest)
          return send(400, { httpCode: '400', httpMessage: 'Bad Request', message: e.message }, headers);
        throw e;
      }
    })().catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ httpCode: '500', message: String(e) }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${opts.host ?? '127.0.0.1'}:${port}`;
  return {
    url,
    apiUrl: `${url}/API/V3`,
    tokenUrl: `${url}/auth/oauth/token`,
    accountID: account.accountID,
    clientId: auth.clientId,
    clientSecret: auth.clientSecret,
    initialRefreshToken,
    account,
    auth,
    bucket,
    faults,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function readParams(req: http.IncomingMessage): Promise<Record<string, string | undefined>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if ((req.headers['content-type'] ?? '').includes('application/json')) {
    try {
      return JSON.parse(text) as Record<string, string>;
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(text));
}
