export { LightspeedClient, type LightspeedClientOptions, type LightspeedPage, type AccessTokens } from './client';
export { LightspeedCredentials, type CredentialHooks } from './credentials';
export { tokenEndpoint, InvalidGrant, type TokenSet } from './token-endpoint';
export { parseTokenKey } from './token-crypto';
export { BucketPacer, pacerFor } from './pacer';
export * from './errors';
export * from './values';
