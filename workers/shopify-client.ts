import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ClientCredentialsTokens, ShopifyClient, type ShopifyConfig } from '../connectors/shopify';
import { dynamoTokenStore } from '../lake/shopify-token-store';
import type { Config } from './config';

/**
 * The Admin API client for the configured shop: a static token, or a Dev Dashboard app's client credentials whose
 * tokens are shared by every worker through DynamoDB (one refresh at a time, see lake/shopify-token-store.ts).
 */
export function createShopifyClient(
  config: Config,
  dynamo: DynamoDBClient,
  extra: Partial<ShopifyConfig> = {},
): ShopifyClient {
  const { shop, adminUrl, accessToken, clientCredentials } = config.shopify;
  const tokens = clientCredentials
    ? new ClientCredentialsTokens({
        shop,
        ...clientCredentials,
        // The sandbox grants tokens at its own origin; a real shop at https://{shop}/admin/oauth/access_token.
        tokenUrl: adminUrl ? `${new URL(adminUrl).origin}/admin/oauth/access_token` : undefined,
        store: dynamoTokenStore(dynamo, config.aws.tablePrefix),
      })
    : undefined;
  return new ShopifyClient({ shop, adminUrl, accessToken, tokens, ...extra });
}
