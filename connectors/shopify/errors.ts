export interface UserErrorDetail {
  field: string[] | null;
  message: string;
  code?: string;
}

/** Thrown when Shopify rejected a mutation's input (`userErrors`, e.g. HANDLE_NOT_UNIQUE); retrying the same input cannot succeed. */
export class ShopifyUserError extends Error {
  readonly retryable = false;
  readonly userErrors: readonly UserErrorDetail[];
  constructor(
    readonly operation: string,
    userErrors: readonly { field?: readonly string[] | null; message: string; code?: string | null }[],
  ) {
    const details = userErrors.map((e): UserErrorDetail => ({
      field: e.field ? [...e.field] : null,
      message: e.message,
      ...(e.code ? { code: e.code } : {}),
    }));
    super(
      `${operation} rejected: ${details.map((e) => `${e.code ?? 'ERROR'} at ${(e.field ?? []).join('.') || '(input)'}: ${e.message}`).join('; ')}`,
    );
    this.name = 'ShopifyUserError';
    this.userErrors = details;
  }
  /** The userErrors' codes, 'ERROR' where Shopify gave none. */
  get codes(): string[] {
    return this.userErrors.map((e) => e.code ?? 'ERROR');
  }
}

/** Thrown when Shopify answered with errors no retry can fix: GraphQL validation, MAX_COST_EXCEEDED, access denied, HTTP 4xx other than 429. */
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

/** Thrown when the client's bounded retries ran out with Shopify still throttled, 429/5xx, unreachable or timing out; retry later (`retryAfterMs` is Shopify's hint). */
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

/** Thrown by the end-to-end bulk helpers when a bulk operation finished FAILED, CANCELED or EXPIRED. */
export class ShopifyBulkOperationError extends Error {
  readonly retryable = false;
  constructor(
    readonly bulkOperation: {
      id: string;
      status: string;
      errorCode: string | null;
      partialDataUrl: string | null;
    },
  ) {
    super(
      `bulk operation ${bulkOperation.id} ended ${bulkOperation.status} (${bulkOperation.errorCode ?? 'no error code'})`,
    );
    this.name = 'ShopifyBulkOperationError';
  }
}
