import { ApplicationFailure } from '@temporalio/common';
import { AmazonApiError } from '../../connectors/amazon/errors';
import { ShopifyGraphqlError, ShopifyTransientError, ShopifyUserError } from '../../connectors/shopify';

/**
 * Translates connector errors at the activity boundary: rejected input is not retried, Shopify's own
 * retry hint becomes the next retry delay, anything else is left to the retry policy.
 */
export function withTemporalFailures<T extends Record<string, (...args: never[]) => unknown>>(activities: T): T {
  return Object.fromEntries(
    Object.entries(activities).map(([name, fn]) => [
      name,
      async (...args: never[]) => {
        try {
          return await fn(...args);
        } catch (err) {
          if (err instanceof ShopifyUserError || err instanceof ShopifyGraphqlError)
            throw ApplicationFailure.nonRetryable(
              err.message,
              err.name,
              err instanceof ShopifyUserError ? err.userErrors : err.errors,
            );
          if (err instanceof ShopifyTransientError && err.retryAfterMs)
            throw ApplicationFailure.create({
              message: err.message,
              type: err.name,
              nextRetryDelay: Math.ceil(err.retryAfterMs),
            });
          // Amazon: a 4xx other than 429 cannot succeed on retry; a 429/5xx waits what the connector computed.
          if (err instanceof AmazonApiError)
            throw err.retryable
              ? ApplicationFailure.create({ message: err.message, type: err.name, nextRetryDelay: err.retryAfterMs })
              : ApplicationFailure.nonRetryable(err.message, err.name, err.errors);
          throw err;
        }
      },
    ]),
  ) as T;
}
