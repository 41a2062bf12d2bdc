import { startAmazonSandbox, type AmazonSandbox, type AmazonSandboxOptions } from '../../sandbox/amazon';
import { AmazonClient, type AmazonClientOptions } from '../../connectors/amazon';
import { activityCancellation } from '../../activities/platform/cancellation';

/** What a test sees of one SP-API reply. */
export interface SpReply<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** A sandbox plus the thinnest client a sandbox test needs: an LWA token and raw SP-API calls. */
export async function amazonSandbox(opts: AmazonSandboxOptions = {}) {
  const sb = await startAmazonSandbox(opts);
  const token = async (): Promise<string> => {
    const res = await fetch(sb.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: sb.refreshToken,
        client_id: sb.clientId,
        client_secret: sb.clientSecret,
      }),
    });
    return ((await res.json()) as { access_token: string }).access_token;
  };
  let cached: string | undefined;
  const sp = async <T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<SpReply<T>> => {
    cached ??= await token();
    const res = await fetch(`${sb.url}${path}`, {
      method,
      headers: {
        'x-amz-access-token': cached,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
  };
  const inspect = async <T = unknown>(path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${sb.url}/_sandbox${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await res.json()) as T;
  };
  return { sb, token, sp, inspect };
}

export type AmazonSandboxHarness = Awaited<ReturnType<typeof amazonSandbox>>;
export type { AmazonSandbox };

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` returns a value (not undefined) or the time is up. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(50);
  }
}

/** The project's SP-API connector pointed at a sandbox (its LWA app and seller), as a worker would be configured. */
export function amazonClientFor(sb: AmazonSandbox, opts: Partial<AmazonClientOptions> = {}): AmazonClient {
  return new AmazonClient({
    endpoint: sb.url,
    lwa: { clientId: sb.clientId, clientSecret: sb.clientSecret, refreshToken: sb.refreshToken, tokenUrl: sb.tokenUrl },
    sellerId: sb.config.sellerId,
    marketplaceId: sb.config.marketplaceId,
    abortSignal: activityCancellation,
    ...opts,
  });
}
