import { randomBytes } from 'node:crypto';

export type TokenReply =
  | { status: 200; body: Record<string, unknown> }
  | { status: 400 | 401; body: { error: string; error_description: string } };

/**
 * The OAuth2 token endpoint with rotating refresh tokens (developers.lightspeedhq.com/retail/authentication/
 * refresh-token/; the same rule on x-series-api.lightspeedhq.com/changelog/2025-03-refresh-token-flow-update:
 * "the previously used refresh token will be revoked once a new one is issued"). Each refresh returns a new access
 * token (≈ 30 min) and a new refresh token; the spent one answers `invalid_grant` ever after.
 */
export class TokenAuthority {
  private readonly refresh = new Map<string, 'active' | 'used' | 'revoked'>();
  private readonly codes = new Set<string>();
  private readonly access = new Map<string, number>();
  readonly stats = { refreshes: 0, invalidGrants: 0, replays: 0, accessTokensIssued: 0, unauthorized: 0 };

  constructor(
    readonly clientId: string,
    readonly clientSecret: string,
    public accessLifetimeSeconds = 1800,
  ) {}

  /** The merchant (re)connects the app: a fresh refresh token; every earlier one is revoked. */
  authorize(): string {
    for (const [t, s] of this.refresh) if (s === 'active') this.refresh.set(t, 'revoked');
    const token = randomBytes(20).toString('hex');
    this.refresh.set(token, 'active');
    return token;
  }

  /** An authorization code, as the redirect after the merchant's consent carries it. */
  code(): string {
    const c = randomBytes(12).toString('hex');
    this.codes.add(c);
    return c;
  }

  grant(params: Record<string, string | undefined>): TokenReply {
    if (params.client_id !== this.clientId || params.client_secret !== this.clientSecret)
      return { status: 401, body: { error: 'invalid_client', error_description: 'Client authentication failed.' } };
    if (params.grant_type === 'authorization_code') {
      if (!params.code || !this.codes.delete(params.code)) return this.invalid('The authorization code is invalid.');
      return this.issue(this.authorize());
    }
    if (params.grant_type !== 'refresh_token')
      return {
        status: 400,
        body: { error: 'unsupported_grant_type', error_description: 'grant_type must be refresh_token.' },
      };
    const state = params.refresh_token ? this.refresh.get(params.refresh_token) : undefined;
    if (state !== 'active') {
      if (state === 'used') this.stats.replays++;
      return this.invalid('The refresh token is invalid.');
    }
    this.refresh.set(params.refresh_token!, 'used');
    this.stats.refreshes++;
    const next = randomBytes(20).toString('hex');
    this.refresh.set(next, 'active');
    return this.issue(next);
  }

  private invalid(description: string): TokenReply {
    this.stats.invalidGrants++;
    return { status: 400, body: { error: 'invalid_grant', error_description: description } };
  }

  private issue(refreshToken: string): TokenReply {
    const accessToken = randomBytes(20).toString('hex');
    this.access.set(accessToken, Date.now() + this.accessLifetimeSeconds * 1000);
    this.stats.accessTokensIssued++;
    return {
      status: 200,
      body: {
        access_token: accessToken,
        expires_in: this.accessLifetimeSeconds,
        token_type: 'bearer',
        scope: 'employee:all',
        refresh_token: refreshToken,
      },
    };
  }

  /** Whether `Authorization: Bearer …` names a live access token. */
  check(header: string | undefined): boolean {
    const token = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
    const exp = token ? this.access.get(token) : undefined;
    const ok = exp !== undefined && exp > Date.now();
    if (!ok) this.stats.unauthorized++;
    return ok;
  }

  /** Expires every access token now (tests: the next call must refresh). */
  expireAccessTokens(): void {
    for (const t of this.access.keys()) this.access.set(t, 0);
  }

  counts(): { active: number; used: number; revoked: number } {
    const c = { active: 0, used: 0, revoked: 0 };
    for (const s of this.refresh.values()) c[s]++;
    return c;
  }
}
