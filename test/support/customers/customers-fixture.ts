import { randomUUID } from 'node:crypto';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTables, tableName } from '../../../lake/dynamo-tables';
import { incomingKey, type FileDomain } from '../../../lake/layout';
import { customersCsv, type CustomersCsvExpectation, type CustomersCsvOptions } from '../../../lake/demo/customers-csv';

/** A table prefix of this test's own, with the project's tables created under it. */
export async function freshTables(dynamo: DynamoDBClient, label: string): Promise<string> {
  const prefix = `t-${label}-${randomUUID().slice(0, 8)}-`;
  await ensureTables(dynamo, prefix);
  return prefix;
}

/** Uploads a generated customer export to incoming/ and returns its key and what it should import as. */
export async function uploadCustomersCsv(
  s3: S3Client,
  bucket: string,
  name: string,
  options: CustomersCsvOptions,
): Promise<{ key: string; body: string; expect: CustomersCsvExpectation }> {
  const expect: Partial<CustomersCsvExpectation> = {};
  const body = [...customersCsv(options, expect)].join('');
  const key = await uploadIncoming(s3, bucket, 'customers', name, body);
  return { key, body, expect: expect as CustomersCsvExpectation };
}

export async function uploadIncoming(s3: S3Client, bucket: string, domain: FileDomain, name: string, body: string) {
  const key = incomingKey(domain, name);
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  return key;
}

/** Every item of a table (a test table holds at most tens of thousands). */
export async function scanAll(dynamo: DynamoDBClient, prefix: string, table: 'customers' | 'loyaltyBalances') {
  const items: Record<string, { S?: string; N?: string }>[] = [];
  let ExclusiveStartKey: Record<string, never> | undefined;
  do {
    const page = await dynamo.send(new ScanCommand({ TableName: tableName(prefix, table), ExclusiveStartKey }));
    items.push(...((page.Items ?? []) as typeof items));
    ExclusiveStartKey = page.LastEvaluatedKey as typeof ExclusiveStartKey;
  } while (ExclusiveStartKey);
  return items;
}
