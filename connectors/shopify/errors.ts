export interface UserErrorDetail {
  field: string[] | null;
  message: string;
  code?: string | null;
}

/** Thrown when Shopify rejected a mutation's input (`userErrors`); retrying the same input cannot succeed. */
export class ShopifyUserError extends Error {
  readonly retryable = false;
  constructor(
    readonly operation: string,
    readonly userErrors: readonly UserErrorDetail[],
  ) {
    super(
      `${operation} rejected: ${userErrors.map((e) => `${e.code ?? 'ERROR'} at ${(e.field ?? []).join('.') || '(input)'}: ${e.message}`).join('; ')}`,
    );
    this.name = 'ShopifyUserError';
  }
  get codes(): string[] {
    return this.userErrors.map((e) => e.code ?? 'ERROR');
  }
}

/** Thrown when Shopify answered with GraphQL errors that are not about rate limits (invalid document, access denied, ...). */
export class ShopifyGraphqlError extends Error {
  readonly retryable = false;
  constructor(
    readonly operation: string,
    readonly errors: readonly { message: string; extensions?: { code?: string } }[],
    readonly status?: number,
  ) {
    super(
      `${operation} failed: ${errors.map((e) => `${e.extensions?.code ? `${e.extensions.code}: ` : ''}${e.message}`).join('; ')}`,
    );
    this.name = 'ShopifyGraphqlError';
  }
}

/** Thrown after the client's own retries when Shopify stayed throttled, unavailable or unreachable; a caller may retry later. */
export class ShopifyTransientError extends Error {
  readonly retryable = true;
  constructor(
    readonly operation: string,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(`${operation}: ${message}`);
    this.name = 'ShopifyTransientError';
  }
}
