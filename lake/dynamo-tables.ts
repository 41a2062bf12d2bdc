import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { awsRequestHandler, type AwsConnection } from './s3';

export function createDynamoClient(aws: AwsConnection): DynamoDBClient {
  return new DynamoDBClient({
    region: aws.region,
    credentials: aws.credentials,
    endpoint: aws.dynamodbEndpoint,
    requestHandler: awsRequestHandler(aws.http),
  });
}

/** Logical table → physical name (`${prefix}${logical}`). */
export const TABLES = {
  orders: 'orders',
  customers: 'customers',
  loyaltyBalances: 'loyalty-balances',
  webhookEvents: 'webhook-events',
  shopifyTokens: 'shopify-tokens',
} as const;
export type TableName = keyof typeof TABLES;

export function tableName(prefix: string, table: TableName): string {
  return `${prefix}${TABLES[table]}`;
}

const S = 'S' as const;
const gsi = (IndexName: string, hash: string, range: string) => ({
  IndexName,
  KeySchema: [
    { AttributeName: hash, KeyType: 'HASH' as const },
    { AttributeName: range, KeyType: 'RANGE' as const },
  ],
  Projection: { ProjectionType: 'ALL' as const },
});

/**
 * The project's DynamoDB tables. Orders: by id, by customer (GSI byCustomer), by status and date
 * (GSI byStatusDate, range key `createdAt`), by UTC day (GSI byDay, `createdDay`). Customers: by id, by loyalty card. Loyalty balances: by card.
 * Webhook events: dedupe keys with a TTL. Shopify tokens: the shared client-credentials token per shop.
 */
export function tableDefinitions(prefix: string): (CreateTableCommandInput & { ttlAttribute?: string })[] {
  return [
    {
      TableName: tableName(prefix, 'orders'),
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'orderId', AttributeType: S },
        { AttributeName: 'customerId', AttributeType: S },
        { AttributeName: 'status', AttributeType: S },
        { AttributeName: 'createdAt', AttributeType: S },
        { AttributeName: 'createdDay', AttributeType: S },
      ],
      KeySchema: [{ AttributeName: 'orderId', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        gsi('byCustomer', 'customerId', 'createdAt'),
        gsi('byStatusDate', 'status', 'createdAt'),
        // One UTC day's orders (reconciliation queries a day instead of scanning the table).
        gsi('byDay', 'createdDay', 'orderId'),
      ],
    },
    {
      TableName: tableName(prefix, 'customers'),
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'customerId', AttributeType: S },
        { AttributeName: 'loyaltyCard', AttributeType: S },
      ],
      KeySchema: [{ AttributeName: 'customerId', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byLoyaltyCard',
          KeySchema: [{ AttributeName: 'loyaltyCard', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    },
    {
      TableName: tableName(prefix, 'loyaltyBalances'),
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'cardNumber', AttributeType: S }],
      KeySchema: [{ AttributeName: 'cardNumber', KeyType: 'HASH' }],
    },
    {
      TableName: tableName(prefix, 'webhookEvents'),
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'dedupeKey', AttributeType: S }],
      KeySchema: [{ AttributeName: 'dedupeKey', KeyType: 'HASH' }],
      ttlAttribute: 'expiresAt',
    },
    {
      // One item per shop: the client-credentials token all workers share, and the lease of its refresh.
      TableName: tableName(prefix, 'shopifyTokens'),
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'shop', AttributeType: S }],
      KeySchema: [{ AttributeName: 'shop', KeyType: 'HASH' }],
    },
  ];
}

/** Creates missing tables (and their TTL settings); existing tables are left as they are. */
export async function ensureTables(dynamo: DynamoDBClient, prefix: string): Promise<string[]> {
  const created: string[] = [];
  for (const { ttlAttribute, ...def } of tableDefinitions(prefix)) {
    try {
      const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: def.TableName }));
      await addMissingIndexes(dynamo, def, Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName!) ?? []);
      continue;
    } catch (err) {
      if ((err as { name?: string }).name !== 'ResourceNotFoundException') throw err;
    }
    await dynamo.send(new CreateTableCommand(def));
    if (ttlAttribute)
      await dynamo.send(
        new UpdateTimeToLiveCommand({
          TableName: def.TableName,
          TimeToLiveSpecification: { AttributeName: ttlAttribute, Enabled: true },
        }),
      );
    created.push(def.TableName!);
  }
  return created;
}

/** A table created before an index was added gets it (DynamoDB backfills it; queries work once it is ACTIVE). */
async function addMissingIndexes(dynamo: DynamoDBClient, def: CreateTableCommandInput, existing: string[]) {
  for (const index of def.GlobalSecondaryIndexes ?? []) {
    if (existing.includes(index.IndexName!)) continue;
    const names = new Set(index.KeySchema!.map((k) => k.AttributeName));
    await dynamo.send(
      new UpdateTableCommand({
        TableName: def.TableName,
        AttributeDefinitions: def.AttributeDefinitions!.filter((a) => names.has(a.AttributeName)),
        GlobalSecondaryIndexUpdates: [{ Create: index }],
      }),
    );
  }
}
