export { AmazonClient, type AmazonClientOptions, type ListingSubmission, type VendorTransaction } from './client';
export { AmazonApiError, type AmazonErrorEntry } from './errors';
export { LwaTokens, LWA_TOKEN_URL } from './lwa-tokens';
export { OPERATIONS, operationOf, type Operation } from './operations';
export { OperationRateLimiter } from './rate-limiter';
export * from './listings-feed';
