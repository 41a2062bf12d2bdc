import {
  BatchGetItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { CustomerProfile } from '../../domain/customers/customers';

export type WriteOutcome = 'imported' | 'updated' | 'skippedOlder';

interface Stored {
  updatedAt?: string;
  sourceRef?: string;
  firstSourceRef?: string;
  /** The recent rows that wrote this profile: a retried chunk recognises its own earlier writes even after a later row overwrote them. */
  sourceRefs?: string[];
}

const REMEMBERED_REFS = 20;

type Plan = { kind: 'done'; outcome: WriteOutcome } | { kind: 'put'; outcome: 'imported' | 'updated'; seen?: Stored };

const GET_BATCH = 100;
const TRANSACT_BATCH = 100;

/**
 * Writes a chunk of customer profiles (distinct ids) so that an older row never replaces a newer profile, a
 * re-applied chunk is a no-op with the same outcomes, and every outcome is exact.
 *
 * How: one consistent BatchGetItem per 100 ids reads what is stored; each row is then planned — skip (stored is as new
 * or newer), already done (the stored item was written by this very row: `sourceRef`, so a crash-retry counts it as
 * the first attempt did, via `firstSourceRef`), insert, or replace. Inserts and replaces go out as TransactWriteItems
 * of up to 100 puts, each conditional on what was read (`attribute_not_exists` / `updatedAt = seen`), so a concurrent
 * import of the same customer cancels the transaction and the group is re-read and re-planned instead of losing data.
 *
 * Why not BatchWriteItem: it takes no conditions, so read-then-batch-write would race with other imports. Why not one
 * conditional UpdateItem per row: correct too, but one request per row; on DynamoDB Local it measured ~1.4k rows/s at
 * 32 in flight against ~3.5k rows/s for 100-item transactions. The cost: in real DynamoDB a transactional write uses
 * twice the write units of a plain one (plus a read unit per row for the BatchGet); per-row UpdateItem is the cheaper
 * choice there when throughput is not the constraint — swap `writeGroup` for it and the outcomes stay the same.
 */
export function createProfileWriter(dynamo: DynamoDBClient, table: string, groupsInFlight: number) {
  async function readStored(ids: string[]): Promise<Map<string, Stored>> {
    const stored = new Map<string, Stored>();
    for (let i = 0; i < ids.length; i += GET_BATCH) {
      let keys: Record<string, unknown>[] | undefined = ids
        .slice(i, i + GET_BATCH)
        .map((id) => marshall({ customerId: id }));
      for (let attempt = 0; keys?.length; attempt++) {
        const out = await dynamo.send(
          new BatchGetItemCommand({
            RequestItems: {
              [table]: {
                Keys: keys as never,
                ConsistentRead: true,
                ProjectionExpression: 'customerId, updatedAt, sourceRef, firstSourceRef, sourceRefs',
              },
            },
          }),
        );
        for (const item of out.Responses?.[table] ?? []) {
          const { customerId, ...rest } = unmarshall(item) as Stored & { customerId: string };
          stored.set(customerId, rest);
        }
        keys = out.UnprocessedKeys?.[table]?.Keys as Record<string, unknown>[] | undefined;
        if (keys?.length) await backoff(attempt);
      }
    }
    return stored;
  }

  function plan(profile: CustomerProfile, ref: string, seen: Stored | undefined): Plan {
    if (!seen) return { kind: 'put', outcome: 'imported' };
    if (seen.sourceRef === ref || seen.sourceRefs?.includes(ref))
      return { kind: 'done', outcome: seen.firstSourceRef === ref ? 'imported' : 'updated' };
    if (seen.updatedAt !== undefined && seen.updatedAt >= profile.updatedAt)
      return { kind: 'done', outcome: 'skippedOlder' };
    return { kind: 'put', outcome: 'updated', seen };
  }

  /** Plans and writes one group (≤ 100 rows); re-plans after a cancelled transaction. */
  async function writeGroup(items: { profile: CustomerProfile; sourceRef: string }[]): Promise<WriteOutcome[]> {
    for (let attempt = 0; ; attempt++) {
      const stored = await readStored(items.map((i) => i.profile.customerId));
      const plans = items.map((i) => plan(i.profile, i.sourceRef, stored.get(i.profile.customerId)));
      const puts = items.flatMap((item, n) => {
        const p = plans[n]!;
        if (p.kind !== 'put') return [];
        const Item = marshall(
          {
            ...item.profile,
            sourceRef: item.sourceRef,
            firstSourceRef: p.seen?.firstSourceRef ?? item.sourceRef,
            sourceRefs: [...(p.seen?.sourceRefs ?? []), item.sourceRef].slice(-REMEMBERED_REFS),
          },
          { removeUndefinedValues: true },
        );
        return [
          {
            Put: p.seen
              ? {
                  TableName: table,
                  Item,
                  ConditionExpression:
                    p.seen.updatedAt === undefined ? 'attribute_not_exists(updatedAt)' : 'updatedAt = :seen',
                  ExpressionAttributeValues:
                    p.seen.updatedAt === undefined ? undefined : marshall({ ':seen': p.seen.updatedAt }),
                }
              : { TableName: table, Item, ConditionExpression: 'attribute_not_exists(customerId)' },
          },
        ];
      });
      try {
        if (puts.length) await dynamo.send(new TransactWriteItemsCommand({ TransactItems: puts }));
        return plans.map((p) => p.outcome);
      } catch (err) {
        // Someone else wrote one of these customers since we read it (or a transaction conflict): read again.
        if (!(err instanceof TransactionCanceledException) || attempt >= 8) throw err;
        await backoff(attempt);
      }
    }
  }

  /** Writes every profile (ids distinct within the call); outcomes are in input order. */
  return async function writeAll(items: { profile: CustomerProfile; sourceRef: string }[]): Promise<WriteOutcome[]> {
    const groups: (typeof items)[] = [];
    for (let i = 0; i < items.length; i += TRANSACT_BATCH) groups.push(items.slice(i, i + TRANSACT_BATCH));
    const results: WriteOutcome[][] = new Array(groups.length);
    let next = 0;
    const lane = async () => {
      while (next < groups.length) {
        const g = next++;
        results[g] = await writeGroup(groups[g]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(groupsInFlight, groups.length) }, lane));
    return results.flat();
  };
}

const backoff = (attempt: number) =>
  new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt) * Math.random()));
