import fs from 'node:fs';
import path from 'node:path';
import { createIncomingFileActivities } from '../activities/platform/incoming-files';
import { customersImportRun } from '../domain/customers/run-summaries';
import { loyaltyConvertRun } from '../domain/loyalty/run-summaries';
import { customersImportWorkflowId, isIncomingKey, loyaltyConvertWorkflowId } from '../domain/platform/file-workflows';
import { scanIncomingRun } from '../domain/platform/run-summaries';
import type { RunSummary } from '../domain/platform/run-summary';
import { createS3Client, uploadFile } from '../lake/s3';
import { incomingKey, type FileDomain } from '../lake/layout';
import { required, type Command, type CommandContext } from './commands';

/** A local path is uploaded to incoming/<domain>/manual/ first; anything else is taken as a key in the archive bucket. */
async function resolveFile(ctx: CommandContext, domain: FileDomain, arg: string) {
  const s3 = createS3Client(ctx.config.aws);
  const bucket = ctx.config.aws.buckets.archive;
  try {
    let key = arg;
    if (fs.existsSync(arg)) {
      key = incomingKey(domain, `manual/${path.basename(arg)}`);
      // Streamed in parts: a local export may be larger than this process should hold.
      await uploadFile(s3, { Bucket: bucket, Key: key, ContentType: 'text/csv' }, arg);
      console.log(`uploaded ${arg} → s3://${bucket}/${key}`);
    }
    return await createIncomingFileActivities({ s3, archiveBucket: bucket }).describeIncomingFile(domain, key);
  } finally {
    s3.destroy();
  }
}

async function startAndReport(
  ctx: CommandContext,
  workflowType: string,
  workflowId: string,
  args: unknown[],
  summary: RunSummary,
) {
  const handle = await ctx.client.workflow.start(workflowType, { taskQueue: 'data', workflowId, args, ...summary });
  console.log(`started ${workflowId}`);
  if (ctx.options['no-wait']) return;
  console.log(JSON.stringify(await handle.result(), null, 2));
}

/** Customer import, loyalty conversion and the incoming/ scan, by hand. */
export const FILE_COMMANDS: Record<string, Command> = {
  'import-customers': {
    summary: 'import-customers <local file | incoming key> [--no-wait]',
    async run(ctx) {
      const file = await resolveFile(ctx, 'customers', required(ctx.args[0], 'file'));
      await startAndReport(
        ctx,
        'customersImport',
        customersImportWorkflowId(file.key, file.etag),
        [{ file }],
        customersImportRun(file),
      );
    },
  },
  'convert-loyalty': {
    summary: 'convert-loyalty <local file | key> [--no-wait] (an archive/ key re-runs without moving it)',
    async run(ctx) {
      const file = await resolveFile(ctx, 'loyalty', required(ctx.args[0], 'key'));
      const keepSource = !isIncomingKey(file.key);
      const id = `${loyaltyConvertWorkflowId(file.key, file.etag)}${keepSource ? `/rerun-${Date.now()}` : ''}`;
      await startAndReport(ctx, 'loyaltyConvert', id, [{ file, keepSource }], loyaltyConvertRun(file, keepSource));
    },
  },
  'scan-incoming': {
    summary: 'scan-incoming [customers|loyalty] start a workflow for every new file in incoming/',
    async run(ctx) {
      const domains = ctx.args[0] ? [ctx.args[0]] : ['customers', 'loyalty'];
      const result = await ctx.client.workflow.execute('scanIncomingFiles', {
        taskQueue: 'data',
        workflowId: `scan-incoming/manual-${Date.now()}`,
        args: [{ domains }],
        ...scanIncomingRun({ domains }),
      });
      console.log(JSON.stringify(result, null, 2));
    },
  },
};
