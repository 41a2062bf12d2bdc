import { GetItemCommand, PutItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CachedToken, SharedTokenStore } from '../connectors/leased-token-cache';
import { tableName } from './dynamo-tables';

/**
 * The client-credentials token shared by every worker, one DynamoDB item per shop. The refresh lease is a
 * conditional write (no lease, or an expired one), so one process refreshes while the others keep using the token
 * they read. The item holds a live credential: the table is ours alone (IAM), like the secret it is derived from.
 */
export function dynamoTokenStore(dynamo: DynamoDBClient, tablePrefix: string): SharedTokenStore {
  const TableName = tableName(tablePrefix, 'shopifyTokens');
  return {
    async read(shop) {
      const { Item } = await dynamo.send(
        new GetItemCommand({ TableName, Key: { shop: { S: shop } }, ConsistentRead: true }),
      );
      if (!Item?.accessToken?.S || !Item.expiresAt?.N) return undefined;
      return { accessToken: Item.accessToken.S, expiresAt: Number(Item.expiresAt.N) };
    },
    async lease(shop, holder, ms) {
      const now = Date.now();
      try {
        await dynamo.send(
          new UpdateItemCommand({
            TableName,
            Key: { shop: { S: shop } },
            UpdateExpression: 'SET leaseHolder = :h, leaseUntil = :until',
            ConditionExpression: 'attribute_not_exists(leaseUntil) OR leaseUntil < :now',
            ExpressionAttributeValues: {
              ':h': { S: holder },
              ':until': { N: String(now + ms) },
              ':now': { N: String(now) },
            },
          }),
        );
        return true;
      } catch (err) {
        if ((err as { name?: string }).name === 'ConditionalCheckFailedException') return false;
        throw err;
      }
    },
    async write(shop, _holder, token: CachedToken) {
      // Replaces the item: the new token, and no lease.
      await dynamo.send(
        new PutItemCommand({
          TableName,
          Item: {
            shop: { S: shop },
            accessToken: { S: token.accessToken },
            expiresAt: { N: String(token.expiresAt) },
          },
        }),
      );
    },
  };
}
