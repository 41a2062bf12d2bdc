#!/usr/bin/env -S node --import tsx
import path from 'node:path';
import { Client } from '@temporalio/client';
import { ConfigError, loadConfig } from '../workers/config';
import { connectClient } from '../workers/temporal-connection';
import { healthCheckRun } from '../domain/platform/run-summaries';
import { applySchedules, SCHEDULES } from './schedules';
import { COMMANDS, parseCommandLine, registerCommands, required, type CommandContext } from './commands';
import { CATALOG_COMMANDS } from './catalog-commands';
import { INVENTORY_COMMANDS } from './inventory-commands';
import { CHANNELS_COMMANDS } from './channels-commands';
import { FILE_COMMANDS } from './file-commands';
import { LOYALTY_COMMANDS } from './loyalty-commands';
import { ORDERS_COMMANDS } from './orders-commands';
import { LAKE_COMMANDS } from './lake-commands';
import { loadStackEnv } from '../stack/env-file';

registerCommands(CATALOG_COMMANDS);
registerCommands(FILE_COMMANDS);
registerCommands(LOYALTY_COMMANDS);
registerCommands(ORDERS_COMMANDS);
registerCommands(LAKE_COMMANDS);
registerCommands(CHANNELS_COMMANDS);
registerCommands(INVENTORY_COMMANDS);

const USAGE = `backbone <command> [options]

Commands:
  schedules apply          create or update every declared Temporal Schedule
  schedules list           list the declared schedules
  health                   run the health-check workflow (writes to and reads back MySQL, S3, DynamoDB)
  status <workflowId>      a workflow's status, search attributes and progress query (if it has one)
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(24)} ${c.summary}`)
  .join('\n')}`;

async function main(argv: string[]): Promise<void> {
  const { positionals, options: values } = parseCommandLine(argv);
  const [command, ...rest] = positionals;
  if (!command || values.help) {
    console.log(USAGE);
    return;
  }
  // With `npm start` running, its endpoints (local S3, DynamoDB, sandbox) fill what the environment leaves unset.
  loadStackEnv(path.resolve(import.meta.dirname, '..'));
  const config = loadConfig();
  const offline = COMMANDS[command]?.offline;
  if (offline) {
    await COMMANDS[command]!.run({ client: undefined as unknown as Client, config, args: rest, options: values });
    return;
  }
  const connection = await connectClient(config);
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const ctx: CommandContext = { client, config, args: rest, options: values };
  try {
    if (command === 'schedules') {
      if (rest[0] === 'apply') console.log(`applied: ${(await applySchedules(client)).join(', ') || '(none)'}`);
      else for (const s of SCHEDULES) console.log(`${s.id}\t${s.workflowType}\t${JSON.stringify(s.spec)}`);
    } else if (command === 'health') {
      console.log(
        await client.workflow.execute('healthCheck', {
          taskQueue: 'data',
          workflowId: `health-check/${Date.now()}`,
          ...healthCheckRun(),
        }),
      );
    } else if (command === 'status') {
      const handle = client.workflow.getHandle(required(rest[0], 'workflowId'));
      const d = await handle.describe();
      const attrs = Object.fromEntries(d.typedSearchAttributes.getAll().map((p) => [p.key.name, p.value]));
      console.log({ workflowId: d.workflowId, type: d.type, status: d.status.name, searchAttributes: attrs });
      const progress = await handle.query('progress').catch(() => undefined);
      if (progress !== undefined) console.log({ progress });
    } else if (COMMANDS[command]) {
      await COMMANDS[command].run(ctx);
    } else {
      console.error(`unknown command '${command}'\n\n${USAGE}`);
      process.exitCode = 2;
    }
  } finally {
    await connection.close();
  }
}

main(process.argv.slice(2)).catch((err) => {
  console.error(err instanceof ConfigError ? err.message : `backbone: ${(err as Error).message}`);
  process.exit(1);
});
