/** Thrown when the API answers with a status retrying cannot fix (400, 403, 404, 405). */
export class LightspeedRequestError extends Error {
  constructor(
    readonly status: number,
    readonly url: string,
    readonly body: string,
  ) {
    super(`Lightspeed ${status} for ${redactUrl(url)}: ${body.slice(0, 300)}`);
    this.name = 'LightspeedRequestError';
  }
}

/** Thrown when a reply's body is not the JSON document it should be (after the retries a cut-off transfer gets). */
export class LightspeedPageError extends Error {
  constructor(
    readonly url: string,
    readonly status: number,
    readonly body: string,
    readonly reason: string,
  ) {
    super(`Lightspeed page ${redactUrl(url)} unreadable: ${reason}`);
    this.name = 'LightspeedPageError';
  }
}

/** Thrown when the stored refresh token is refused: only the merchant reconnecting the app can fix it. */
export class LightspeedReauthorizationRequired extends Error {
  constructor(
    readonly accountId: string,
    readonly detail: string,
  ) {
    super(`Lightspeed account ${accountId} must be connected again (${detail})`);
    this.name = 'LightspeedReauthorizationRequired';
  }
}

/** Thrown when no credential has been stored for the account yet. */
export class LightspeedNotConnected extends Error {
  constructor(readonly accountId: string) {
    super(`Lightspeed account ${accountId} has no stored credential: connect the app (LIGHTSPEED_REFRESH_TOKEN)`);
    this.name = 'LightspeedNotConnected';
  }
}

/** Drops query values that could carry anything sensitive from a URL before it reaches a message. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.pathname}${u.search.length > 200 ? `${u.search.slice(0, 200)}…` : u.search}`;
  } catch {
    return url.slice(0, 200);
  }
}
