import { LightspeedPageError, LightspeedRequestError } from './errors';
import { pacerFor, type BucketPacer } from './pacer';
import { asList } from './values';

export interface AccessTokens {
  accessToken(): Promise<string>;
  invalidate(token: string): void;
}

export interface LightspeedClientOptions {
  /** e.g. https://api.lightspeedapp.com/API/V3 (the sandbox's apiUrl locally). */
  apiUrl: string;
  accountId: string;
  credentials: AccessTokens;
  pacer?: BucketPacer;
  /** Attempts for 5xx, lost connections and unreadable bodies before giving up (default 4). */
  attempts?: number;
  fetch?: typeof fetch;
}

export interface LightspeedPage {
  url: string;
  body: Record<string, unknown>;
  /** The reply as received, for the raw NDJSON copy and dead letters. */
  text: string;
  next: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A thin client of the R-Series V3 API: one account, paced from the bucket headers, token from the credential store. */
export class LightspeedClient {
  readonly pacer: BucketPacer;
  readonly stats = { requests: 0, throttled: 0, retries: 0 };
  private readonly doFetch: typeof fetch;

  constructor(private readonly opts: LightspeedClientOptions) {
    this.pacer = opts.pacer ?? pacerFor(`${opts.apiUrl}#${opts.accountId}`);
    this.doFetch = opts.fetch ?? fetch;
  }

  /** `resource` as in the docs: `Sale`, `ItemShop`, `Reports/Accounting/PaymentsByDay`. */
  url(resource: string, params: Record<string, string> = {}): string {
    const u = new URL(`${this.opts.apiUrl}/Account/${this.opts.accountId}/${resource}.json`);
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
    return u.toString();
  }

  async get(url: string): Promise<LightspeedPage> {
    const attempts = this.opts.attempts ?? 4;
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      const token = await this.opts.credentials.accessToken();
      await this.pacer.acquire(1);
      let res: Response;
      let text: string;
      try {
        res = await this.doFetch(url, {
          headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
          signal: AbortSignal.timeout(120_000),
        });
        text = await res.text();
      } catch (e) {
        this.pacer.settle(new Headers(), 1);
        if (attempt >= attempts) throw e;
        this.stats.retries++;
        await sleep(250 * 2 ** attempt);
        continue;
      }
      this.stats.requests++;
      this.pacer.settle(res.headers, 1);
      if (res.status === 429) {
        this.stats.throttled++;
        await this.pacer.throttled(Number(res.headers.get('retry-after') ?? 1));
        continue;
      }
      if (res.status === 401 && !refreshed) {
        refreshed = true;
        this.opts.credentials.invalidate(token);
        continue;
      }
      if (res.status >= 500) {
        if (attempt >= attempts) throw new Error(`Lightspeed ${res.status} after ${attempt} attempts`);
        this.stats.retries++;
        await sleep(250 * 2 ** attempt);
        continue;
      }
      if (!res.ok) throw new LightspeedRequestError(res.status, url, text);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (e) {
        // A cut-off transfer reads fine the second time; a page broken at the source does not.
        if (attempt < attempts) {
          this.stats.retries++;
          continue;
        }
        throw new LightspeedPageError(url, res.status, text, `invalid JSON: ${(e as Error).message}`);
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body))
        throw new LightspeedPageError(url, res.status, text, 'not a JSON object');
      const attrs = (body as Record<string, unknown>)['@attributes'] as Record<string, unknown> | undefined;
      const next = typeof attrs?.next === 'string' ? attrs.next : '';
      return { url, body: body as Record<string, unknown>, text, next };
    }
  }

  /**
   * Every page of a list, following `@attributes.next` until it is empty. With `prefetch`, the next page is requested
   * as soon as a page arrives (its link is in the body), so the caller's work on a page overlaps the next request's
   * round trip and the bucket's pacing, instead of adding to it; its error, if any, is thrown when the caller asks for
   * it. A caller that stops early leaves at most that one request unread.
   */
  async *pages(
    resource: string,
    params: Record<string, string> = {},
    from?: string,
    { prefetch = false }: { prefetch?: boolean } = {},
  ): AsyncGenerator<LightspeedPage> {
    let url = from ?? this.url(resource, { limit: '100', ...params });
    let ahead: Promise<LightspeedPage> | undefined;
    while (url) {
      const page = await (ahead ?? this.get(url));
      ahead = undefined;
      if (prefetch && page.next) {
        ahead = this.get(page.next);
        ahead.catch(() => undefined); // thrown at the caller's next step, never unhandled meanwhile
      }
      yield page;
      url = page.next;
    }
  }

  /** The records of one page under `name` (object or array). */
  static records(page: LightspeedPage, name: string): Record<string, unknown>[] {
    return asList(page.body[name]);
  }
}
