import http from 'node:http';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createCsrf, readForm } from '../../../ops/csrf';

const req = (headers: Record<string, string>) => ({ headers }) as unknown as http.IncomingMessage;
const issue = (csrf: ReturnType<typeof createCsrf>) => {
  const res = new http.ServerResponse(req({}));
  const token = csrf.token(req({}), res);
  const cookie = String(res.getHeader('set-cookie')).split(';')[0]!;
  return { token, cookie, setCookie: String(res.getHeader('set-cookie')) };
};
const form = (token?: string) => new URLSearchParams(token ? { key: 'k', csrf: token } : { key: 'k' });

// The console's forms (dead-letter replay, allocation rules) change state; ops/csrf.ts decides which posts may.
describe('ops console CSRF check', () => {
  const csrf = createCsrf();
  const host = '127.0.0.1:8090';

  it('issues an HttpOnly SameSite=Strict cookie once and lets a same-origin post with its token through', () => {
    const { token, cookie, setCookie } = issue(csrf);
    expect(setCookie).toMatch(/^ops_csrf=[\w-]+\.[\w-]+; Path=\/; HttpOnly; SameSite=Strict$/);
    const again = new http.ServerResponse(req({}));
    expect(csrf.token(req({ cookie }), again)).toBe(token);
    expect(again.getHeader('set-cookie')).toBeUndefined();
    expect(
      csrf.refusal(req({ host, cookie, origin: `http://${host}`, 'sec-fetch-site': 'same-origin' }), form(token)),
    ).toBeUndefined();
  });

  it('refuses a post without the token, with another token, or with a cookie it did not sign', () => {
    const { token, cookie } = issue(csrf);
    const other = issue(csrf);
    expect(csrf.refusal(req({ host, cookie }), form())).toMatch(/no valid session token/);
    expect(csrf.refusal(req({ host }), form(token))).toMatch(/no valid session token/);
    expect(csrf.refusal(req({ host, cookie }), form(other.token))).toMatch(/no valid session token/);
    // A cookie planted by another page on the host: well-formed, but not signed by this server.
    const planted = issue(createCsrf());
    expect(csrf.refusal(req({ host, cookie: planted.cookie }), form(planted.token))).toMatch(/no valid session token/);
  });

  it('refuses another site, a null origin and a host name that is not loopback (DNS rebinding), token or not', () => {
    const { token, cookie } = issue(csrf);
    expect(csrf.refusal(req({ host, cookie, 'sec-fetch-site': 'cross-site' }), form(token))).toMatch(/cross-site/);
    expect(csrf.refusal(req({ host, cookie, 'sec-fetch-site': 'same-site' }), form(token))).toMatch(/cross-site/);
    expect(csrf.refusal(req({ host, cookie, origin: 'null' }), form(token))).toMatch(/cross-site/);
    expect(csrf.refusal(req({ host, cookie, origin: 'http://127.0.0.1:9999' }), form(token))).toMatch(/cross-site/);
    const rebound = 'attacker.example:8090';
    expect(csrf.refusal(req({ host: rebound, cookie, origin: `http://${rebound}` }), form(token))).toMatch(
      /127\.0\.0\.1 only/,
    );
    expect(csrf.refusal(req({ host: 'localhost:8090', cookie }), form(token))).toBeUndefined();
  });

  it('reads a form up to its limit and refuses a bigger one', async () => {
    const body = (s: string) => Readable.from([Buffer.from(s)]) as unknown as http.IncomingMessage;
    expect((await readForm(body('key=a%2Fb&csrf=x'))).get('key')).toBe('a/b');
    await expect(readForm(body('x'.repeat(101)), 100)).rejects.toThrow(/larger than 100 bytes/);
  });
});
