import { randomUUID } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIncomingFileActivities } from '../../../activities/platform/incoming-files';
import { incomingKey } from '../../../lake/layout';
import { renderOpsPage } from '../../../ops/page';
import { snapshot } from '../../../ops/server';
import { loadConfig } from '../../../workers/config';
import { createDeps } from '../../../workers/deps';

const config = loadConfig();
const deps = createDeps(config);

describe('ops console: rejected files', () => {
  let connection: Connection;
  beforeAll(async () => {
    connection = await Connection.connect({ address: config.temporal.address });
  });
  afterAll(async () => {
    await connection?.close();
    await deps.close();
  });

  it('lists a file moved to rejected/ with its reason, newest first, in the page and the JSON', async () => {
    const bucket = config.aws.buckets.archive;
    const files = createIncomingFileActivities({ s3: deps.s3, archiveBucket: bucket });
    const key = incomingKey('loyalty', `ops-${randomUUID().slice(0, 8)}/broken <b>.csv`);
    await deps.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'not,a,loyalty,file\r\n' }));
    const file = await files.describeIncomingFile('loyalty', key);
    const reason = 'header lacks transaction_id, card_number';
    await files.rejectIncomingFile('loyalty', file, { reason, type: 'InvalidFileHeader' });

    const snap = await snapshot({
      client: new Client({ connection, namespace: config.temporal.namespace }),
      pim: deps.pools.pim,
      orders: deps.pools.orders,
      benchDir: '/nonexistent',
      s3: deps.s3,
      archiveBucket: bucket,
    });
    expect(snap.rejectedFiles[0]).toMatchObject({ domain: 'loyalty', key, reason, type: 'InvalidFileHeader' });
    const html = renderOpsPage(snap);
    expect(html).toContain('Rejected files');
    expect(html).toContain('broken &lt;b&gt;.csv');
    expect(html).toContain(reason);
  });
});
