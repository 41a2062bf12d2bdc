import { randomUUID } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { Workflow } from '@temporalio/workflow';
import { afterAll, beforeAll } from 'vitest';
import type { IncomingFile } from '../../../activities/platform/incoming-files';
import { incomingKey } from '../../../lake/layout';
import { loadConfig } from '../../../workers/config';
import { createDeps } from '../../../workers/deps';
import { freshTables } from '../customers/customers-fixture';
import { keysUnder, textOf } from './file-outcomes';
import { temporalHarness, type TemporalHarness } from '../temporal';

export const STORES = ['EMERALD', 'C', 'SUNSET', 'OISTINS'];

interface FileActivities {
  describeIncomingFile(kind: 'customers' | 'loyalty', key: string): Promise<IncomingFile>;
}

/**
 * One incoming-file area under hostile input (customers import, loyalty conversion): a Temporal harness, fresh
 * DynamoDB tables, files put under `incoming/<kind>/<run>/`, and a run of the area's file workflow that must end
 * within 60 s (no retrying for ever). Call inside `describe`: it registers its own beforeAll/afterAll.
 */
export function incomingFileHarness<A extends FileActivities, X, R>(opts: {
  kind: 'customers' | 'loyalty';
  /** Prefix of the DynamoDB tables and the Temporal harness name. */
  name: string;
  tablePrefix: string;
  workflow: Workflow & ((input: { file: IncomingFile }) => Promise<R>);
  workflowId: (key: string, etag: string) => string;
  activities: (
    ctx: {
      prefix: string;
      t: TemporalHarness;
      deps: ReturnType<typeof createDeps>;
      config: ReturnType<typeof loadConfig>;
    },
    extra: X,
  ) => A;
}) {
  const config = loadConfig();
  const deps = createDeps(config);
  const run = randomUUID().slice(0, 8);
  const h = {
    config,
    deps,
    run,
    t: undefined as unknown as TemporalHarness,
    prefix: '',
    acts: (extra = {} as X) => opts.activities({ prefix: h.prefix, t: h.t, deps, config }, extra),
    // A Buffer, not a string: the SDK sends no content-length for an empty string and warns about it.
    async put(name: string, body: string | Buffer) {
      const key = incomingKey(opts.kind, `${run}/${name}`);
      await deps.s3.send(
        new PutObjectCommand({ Bucket: config.aws.buckets.archive, Key: key, Body: Buffer.from(body) }),
      );
      return key;
    },
    /** Runs the file workflow for one file, with the area's activities (plus `extra` deps). */
    async process(key: string, extra = {} as X): Promise<R> {
      const activities = h.acts(extra);
      const file = await activities.describeIncomingFile(opts.kind, key);
      return h.t.withWorkers({ data: activities }, () =>
        h.t.client.workflow.execute(opts.workflow, {
          taskQueue: h.t.queue('data'),
          workflowId: `${opts.workflowId(key, file.etag)}/${randomUUID().slice(0, 4)}`,
          args: [{ file }],
          workflowExecutionTimeout: '60 seconds',
        }),
      );
    },
    /** The quarantined rows of this run's file `name` on `day`, all parts joined. */
    async quarantined(day: string, name: string) {
      const parts = await keysUnder(
        deps.s3,
        config.aws.buckets.quarantine,
        `quarantine/${opts.kind}/dt=${day}/${run}__${name}`,
      );
      return (await Promise.all(parts.map((k) => textOf(deps.s3, config.aws.buckets.quarantine, k)))).join('');
    },
  };
  beforeAll(async () => {
    h.t = await temporalHarness(opts.name);
    h.prefix = await freshTables(deps.dynamo, opts.tablePrefix);
  });
  afterAll(async () => {
    await h.t?.close();
    await deps.close();
  });
  return h;
}
