import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { loyaltyIntakeRun, loyaltyStoreExportRun } from '../domain/loyalty/run-summaries';
import { LOYALTY_INTAKE_WORKFLOW_ID } from '../domain/platform/file-workflows';
import type { ConvertFileRecord, ConvertFileRequest } from '../workflows/loyalty/loyalty-intake';
import { required, type Command } from './commands';

const SETTLED: ConvertFileRecord['outcome'][] = ['converted', 'already-converted', 'not-found', 'failed'];

/** Loyalty from the store DB, and "convert this file" requests to the intake workflow. */
export const LOYALTY_COMMANDS: Record<string, Command> = {
  'export-loyalty': {
    summary:
      "export-loyalty [YYYY-MM-DD | --lookback N] [--no-wait] the store DB's loyalty_transactions of a UTC day (default: " +
      'each of the last 3 days) not exported before → converted',
    async run(ctx) {
      const lookback = ctx.options.lookback;
      const day = ctx.args[0];
      if (day !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error(`expected YYYY-MM-DD, got ${day}`);
      if (lookback !== undefined && (day !== undefined || !/^\d+$/.test(String(lookback))))
        throw new Error(`expected either a day or --lookback N (days), got ${day ?? ''} --lookback ${lookback}`);
      const lookbackDays = lookback === undefined ? undefined : Number(lookback);
      // One id per day (or per lookback and start day): a second export while the first still runs is refused.
      const today = new Date().toISOString().slice(0, 10);
      const workflowId = day
        ? `loyalty-store-export/${day}`
        : `loyalty-store-export/${today}-last-${lookbackDays ?? 'default'}`;
      const input = day ? { day } : { lookbackDays };
      const handle = await ctx.client.workflow.start('loyaltyStoreExport', {
        taskQueue: 'data',
        workflowId,
        args: [input],
        ...loyaltyStoreExportRun(input),
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
        ...loyaltyIntakeRun(),
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
