import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CardContribution } from '../../domain/loyalty/loyalty';

/**
 * Adds one file's contribution to a card's balance exactly once. The item keeps the set of files already applied
 * (`appliedFiles`); the add is conditional on this file not being in it, so re-running a file, or retrying after a
 * crash, leaves the balance as it was. `lastActivityAt` only moves forward. Trade-off: the set grows by one id per
 * file that touches the card (≈60 bytes); at one file a day that is years before DynamoDB's 400 KB item limit.
 */
export function createBalanceWriter(dynamo: DynamoDBClient, table: string) {
  const doc = DynamoDBDocumentClient.from(dynamo);
  return async function apply(fileId: string, c: CardContribution): Promise<'applied' | 'already-applied'> {
    let outcome: 'applied' | 'already-applied' = 'applied';
    try {
      await doc.send(
        new UpdateCommand({
          TableName: table,
          Key: { cardNumber: c.cardNumber },
          UpdateExpression: 'ADD balance :p, transactions :n, appliedFiles :f',
          ConditionExpression: 'attribute_not_exists(appliedFiles) OR NOT contains(appliedFiles, :id)',
          ExpressionAttributeValues: { ':p': c.points, ':n': c.transactions, ':f': new Set([fileId]), ':id': fileId },
        }),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      outcome = 'already-applied';
    }
    try {
      await doc.send(
        new UpdateCommand({
          TableName: table,
          Key: { cardNumber: c.cardNumber },
          UpdateExpression: 'SET lastActivityAt = :t',
          ConditionExpression: 'attribute_not_exists(lastActivityAt) OR lastActivityAt < :t',
          ExpressionAttributeValues: { ':t': c.lastActivityAt },
        }),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
    return outcome;
  };
}
