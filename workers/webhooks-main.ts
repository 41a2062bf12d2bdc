import { Client } from '@temporalio/client';
import { createDynamoClient } from '../lake/dynamo-tables';
import { createS3Client } from '../lake/s3';
import { ConfigError, loadConfig } from './config';
import { connectClient } from './temporal-connection';
import { createWebhookServer, WEBHOOK_PATH } from './webhooks-http';

// Entry point of the webhook receiver on its own (scale-out: several behind a load balancer; they share
// nothing but S3, DynamoDB and Temporal): `tsx workers/webhooks-main.ts`. `npm start` runs it in-process.
try {
  const config = loadConfig();
  const connection = await connectClient(config);
  const server = createWebhookServer({
    secret: config.shopify.webhookSecret,
    shop: config.shopify.shop,
    s3: createS3Client(config.aws),
    archiveBucket: config.aws.buckets.archive,
    dynamo: createDynamoClient(config.aws),
    tablePrefix: config.aws.tablePrefix,
    temporal: new Client({ connection, namespace: config.temporal.namespace }),
    taskQueue: 'shopify',
    maxBodyBytes: config.webhookReceiver.maxBodyBytes,
  });
  const { host } = config.webhookReceiver;
  server.listen(config.ports.webhook, host, () =>
    console.log(`webhook receiver on ${host}:${config.ports.webhook}${WEBHOOK_PATH} (shop ${config.shopify.shop})`),
  );
  const stop = () => server.close(() => void connection.close().then(() => process.exit(0)));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}
