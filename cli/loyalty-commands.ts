import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { LOYALTY_INTAKE_WORKFLOW_ID } from '../domain/file-workflows';
import type { ConvertFileRecord, ConvertFileRequest } from '../workflows/loyalty-intake';
import { required, type Command } from './commands';

const SETTLED: ConvertFileRecord['outcome'][] = ['converted', 'already-converted', 'not-found', 'failed'];

/** Loyalty from the store DB, and "convert this file" requests to the intake workflow. */
export const LOYALTY_COMMANDS: Record<string, Command> = {
  'export-loyalty': {
    summary:
      "export-loyalty [YYYY-MM-DD] [--no-wait] a UTC day (default yesterday) of the store DB's loyalty_transactions",
    async run(ctx) {
      const day = ctx.args[0] ?? new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error(`expected YYYY-MM-DD, got ${day}`);
      // One id per day: a second export of a day while the first still runs is refused by Temporal.
      const workflowId = `loyalty-store-export/${day}`;
      const handle = await ctx.client.workflow.start('loyaltyStoreExport', {
        taskQueue: 'data',
        workflowId,
        args: [{ day }],
      });
      console.log(`started ${workflowId}`);
      if (!ctx.options['no-wait']) console.log(JSON.stringify(await handle.result(), null, 2));
    },
  },
  'signal-convert-loyalty': {
    summary: 'signal-convert-loyalty <key> [--bucket b] [--no-wait] ask the loyalty-intake workflow to convert a file',
    async run(ctx) {
      const request: ConvertFileRequest = { key: required(ctx.args[0], 'key'), requestId: randomUUID() };
      if (typeof ctx.options.bucket === 'string') request.bucket = ctx.options.bucket;
      // signalWithStart: the intake is started if it does not run (first use, or after it was terminated).
      const handle = await ctx.client.workflow.signalWithStart('loyaltyIntake', {
        workflowId: LOYALTY_INTAKE_WORKFLOW_ID,
        taskQueue: 'data',
        args: [{}],
        signal: 'convertFile',
        signalArgs: [request],
      });
      console.log(`signalled ${LOYALTY_INTAKE_WORKFLOW_ID} (request ${request.requestId})`);
      if (ctx.options['no-wait']) return;
      for (;;) {
        const records = await ctx.client.workflow
          .getHandle(handle.workflowId)
          .query<ConvertFileRecord[]>('requests')
          .catch(() => []);
        const mine = records.find((r) => r.requestId === request.requestId);
        if (mine && SETTLED.includes(mine.outcome)) {
          console.log(JSON.stringify(mine, null, 2));
          if (mine.outcome === 'failed' || mine.outcome === 'not-found') process.exitCode = 1;
          return;
        }
        await sleep(1000);
      }
    },
  },
};
