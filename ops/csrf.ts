import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';

/**
 * Cross-site request forgery protection for the console's forms (replay a dead letter, save allocation rules).
 * Binding 127.0.0.1 is not enough: any page the operator's browser opens can post a form to localhost, and a
 * DNS-rebinding name can make that post look same-origin. So a state-changing request must
 *   - be addressed to a loopback host name (a rebound name is not one),
 *   - not come from another site, where the browser says so (`Sec-Fetch-Site`, `Origin`), and
 *   - carry the session's token twice: in its cookie (SameSite=Strict, HttpOnly) and in the form. The token is
 *     signed with a key of this server process, so a cookie planted by another page on the same host is refused;
 *     tokens are compared in constant time.
 */
const COOKIE = 'ops_csrf';
export const CSRF_FIELD = 'csrf';
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/i;

/** Equal strings, in time independent of where they differ (digests first: timingSafeEqual needs equal lengths). */
const same = (a: string, b: string) =>
  timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

function cookieOf(req: http.IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

export function createCsrf(key: Buffer = randomBytes(32)) {
  const sign = (nonce: string) => createHmac('sha256', key).update(nonce).digest('base64url');
  const valid = (token: string | undefined): token is string => {
    const [nonce, mac, ...rest] = (token ?? '').split('.');
    return !!nonce && !!mac && !rest.length && same(mac, sign(nonce));
  };

  /** The session's token for a page's forms; a browser without a valid one gets a new cookie with this reply. */
  function token(req: http.IncomingMessage, res: http.ServerResponse): string {
    const current = cookieOf(req, COOKIE);
    if (valid(current)) return current;
    const nonce = randomBytes(24).toString('base64url');
    const fresh = `${nonce}.${sign(nonce)}`;
    res.appendHeader('set-cookie', `${COOKIE}=${fresh}; Path=/; HttpOnly; SameSite=Strict`);
    return fresh;
  }

  /** Why a state-changing request is refused (answer 403), or undefined when it may go ahead. */
  function refusal(req: http.IncomingMessage, form: URLSearchParams): string | undefined {
    if (!LOOPBACK.test(req.headers.host ?? '')) return `refused: the console answers forms on 127.0.0.1 only`;
    const site = req.headers['sec-fetch-site'];
    if (site && site !== 'same-origin' && site !== 'none') return `cross-site form post refused (${site})`;
    const origin = req.headers.origin;
    if (
      origin !== undefined &&
      (origin === 'null' || !URL.canParse(origin) || new URL(origin).host !== req.headers.host)
    )
      return 'cross-site form post refused (origin)';
    const cookie = cookieOf(req, COOKIE);
    const sent = form.get(CSRF_FIELD);
    if (!valid(cookie) || !sent || !same(sent, cookie))
      return 'refused: the form carries no valid session token (reload the page and submit again)';
    return undefined;
  }

  /** The hidden field every console form carries. */
  const field = (t: string) => `<input type="hidden" name="${CSRF_FIELD}" value="${t}">`;

  return { token, refusal, field };
}
export type Csrf = ReturnType<typeof createCsrf>;

/** A form body (urlencoded), at most `limit` bytes: the console's forms are small. */
export async function readForm(req: http.IncomingMessage, limit = 1_000_000): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new Error(`form larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
