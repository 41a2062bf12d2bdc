import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CustomerProfile } from '../domain/customers';

export type WriteOutcome = 'imported' | 'updated' | 'skippedOlder';

const PROFILE_FIELDS = [
  'loyaltyCard',
  'firstName',
  'lastName',
  'email',
  'phone',
  'birthDate',
  'homeStore',
  'createdAt',
  'updatedAt',
] as const satisfies readonly (keyof CustomerProfile)[];

/**
 * Conditional upserts of customer profiles, `concurrency` at a time.
 *
 * Why not BatchWriteItem: it cannot carry a condition, and "an older row never overwrites a newer profile"
 * needs one per item (a read-then-batch-write races with any other import writing the same customer). In
 * real DynamoDB a conditional UpdateItem costs the same write units as a batched put; we pay only in request
 * count, which bounded parallelism hides. Each item remembers the row that last wrote it (`sourceRef`) and the
 * row that created it (`firstSourceRef`), so re-applying a chunk after a crash succeeds on our own earlier
 * writes and reports the same outcome as the first time — the counts stay exact under retries.
 */
export function createProfileWriter(dynamo: DynamoDBClient, table: string, concurrency: number) {
  const doc = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });

  async function write(profile: CustomerProfile, sourceRef: string): Promise<WriteOutcome> {
    const names: Record<string, string> = { '#id': 'customerId', '#u': 'updatedAt' };
    const values: Record<string, unknown> = { ':u': profile.updatedAt, ':ref': sourceRef };
    const sets = ['sourceRef = :ref', 'firstSourceRef = if_not_exists(firstSourceRef, :ref)'];
    const removes: string[] = [];
    for (const [i, field] of PROFILE_FIELDS.entries()) {
      names[`#f${i}`] = field;
      if (profile[field] === undefined) removes.push(`#f${i}`);
      else {
        values[`:f${i}`] = profile[field];
        sets.push(`#f${i} = :f${i}`);
      }
    }
    try {
      const { Attributes: old } = await doc.send(
        new UpdateCommand({
          TableName: table,
          Key: { customerId: profile.customerId },
          UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: 'attribute_not_exists(#id) OR #u < :u OR sourceRef = :ref',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_OLD',
        }),
      );
      if (!old) return 'imported';
      // Our own write, re-applied after a crash: report what the first attempt did.
      if (old.sourceRef === sourceRef) return old.firstSourceRef === sourceRef ? 'imported' : 'updated';
      return 'updated';
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return 'skippedOlder';
      throw err;
    }
  }

  /** Writes every profile; outcomes are in input order. */
  return async function writeAll(items: { profile: CustomerProfile; sourceRef: string }[]): Promise<WriteOutcome[]> {
    const outcomes = new Array<WriteOutcome>(items.length);
    let next = 0;
    const lane = async () => {
      while (next < items.length) {
        const i = next++;
        outcomes[i] = await write(items[i]!.profile, items[i]!.sourceRef);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
    return outcomes;
  };
}
