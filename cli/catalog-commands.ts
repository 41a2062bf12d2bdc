import { signalProductChanged } from '../activities/platform/outbox';
import { catalogBackfillRun } from '../domain/catalog/run-summaries';
import { SA } from '../domain/platform/search-attributes';
import type { BackfillInput } from '../workflows/catalog/catalog-backfill';
import { required, type Command } from './commands';

const backfillId = (name: string) => `catalog-backfill/${name}`;
const signalBackfill =
  (signal: string): Command['run'] =>
  async ({ client, args }) => {
    await client.workflow.getHandle(backfillId(required(args[0], 'name'))).signal(signal);
    console.log(`${signal} sent to ${backfillId(args[0]!)}`);
  };

/** Catalogue commands: backfills, their controls, and manual re-syncs of one product. */
export const CATALOG_COMMANDS: Record<string, Command> = {
  backfill: {
    summary: 'backfill <name> [--sub-department X] [--store C] [--created-after ISO] [--ids 1,2] [--bulk-threshold N]',
    async run({ client, args, options }) {
      const name = required(args[0], 'name');
      const input: BackfillInput = {
        name,
        filter: {
          subDepartment: options['sub-department'] as string | undefined,
          storeCode: options.store as string | undefined,
          createdAfter: options['created-after'] as string | undefined,
          ids: typeof options.ids === 'string' ? options.ids.split(',').map(Number) : undefined,
        },
        bulkThreshold: options['bulk-threshold'] ? Number(options['bulk-threshold']) : undefined,
      };
      const handle = await client.workflow.start('catalogBackfill', {
        taskQueue: 'shopify',
        workflowId: backfillId(name),
        args: [input],
        ...catalogBackfillRun(input),
        typedSearchAttributes: [
          { key: SA.Pipeline, value: 'catalog-backfill' },
          { key: SA.Channel, value: 'shopify' },
        ],
      });
      console.log(`started ${handle.workflowId}; follow it with: backbone status ${handle.workflowId}`);
    },
  },
  pause: { summary: 'pause <backfill name>', run: signalBackfill('pause') },
  resume: { summary: 'resume <backfill name>', run: signalBackfill('resume') },
  'cancel-backfill': { summary: 'cancel-backfill <backfill name>', run: signalBackfill('cancel') },
  resync: {
    summary: 'resync <pimProductId> [--force]   re-publish one product (force: even if unchanged)',
    async run({ client, args, options }) {
      const pimId = Number(required(args[0], 'pimProductId'));
      await signalProductChanged(client, 'shopify', pimId, Boolean(options.force));
      console.log(`resync${options.force ? ' (forced)' : ''} sent to product-publish/${pimId}`);
    },
  },
};
