export interface TokenSet {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
}

/** Thrown when the token endpoint refuses the refresh token (`invalid_grant`): it is spent or revoked. */
export class InvalidGrant extends Error {
  constructor(readonly description: string) {
    super(`invalid_grant: ${description}`);
    this.name = 'InvalidGrant';
  }
}

export interface TokenEndpointOptions {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  fetch?: typeof fetch;
}

/**
 * One `grant_type=refresh_token` call (developers.lightspeedhq.com/retail/authentication/refresh-token/). The reply
 * carries a new refresh token; the one sent is spent from now on, whatever happens to this reply.
 */
export function tokenEndpoint(opts: TokenEndpointOptions): (refreshToken: string) => Promise<TokenSet> {
  const doFetch = opts.fetch ?? fetch;
  return async (refreshToken) => {
    const res = await doFetch(opts.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        client_id: opts.clientId,
        client_secret: opts.clientSecret,
      }),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      /* handled below */
    }
    if (res.status === 400 && body.error === 'invalid_grant')
      throw new InvalidGrant(String(body.error_description ?? ''));
    if (!res.ok || typeof body.access_token !== 'string' || typeof body.refresh_token !== 'string')
      throw new Error(`Lightspeed token endpoint answered ${res.status} ${String(body.error ?? '')}`.trim());
    return {
      accessToken: body.access_token,
      refreshToken: body.refresh_token,
      expiresAt: new Date(Date.now() + Number(body.expires_in ?? 1800) * 1000),
    };
  };
}
