import { spawn } from 'node:child_process';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../workers/config';

const ROOT = path.resolve(import.meta.dirname, '../../..');
// A namespace of its own, so the production `data` queue polled here takes no other test file's tasks.
const NAMESPACE = 'worker-output-test';

describe('workers/main.ts prints only the project’s own lines', () => {
  let connection: Connection;
  beforeAll(async () => {
    connection = await Connection.connect({ address: loadConfig().temporal.address });
    await connection.workflowService
      .registerNamespace({ namespace: NAMESPACE, workflowExecutionRetentionPeriod: msToTs('1 day') })
      .catch((e: Error) => {
        if (!/already exists/i.test(e.message)) throw e;
      });
  });
  afterAll(() => connection?.close());

  it('bundles the workflows, polls and stops with no SDK state changes, webpack output or warnings', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, TEMPORAL_NAMESPACE: NAMESPACE, BACKBONE_LOG_LEVEL: '' };
    delete env.BACKBONE_WORKFLOW_BUNDLE; // bundle from the sources, as `npm start` does
    const child = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts', 'data'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const until = Date.now() + 90_000;
    // Namespace registration takes a moment to reach the server's cache; the worker exits if it came too soon.
    while (!out.includes('[worker] polling task queues: data')) {
      if (Date.now() > until || child.exitCode !== null) throw new Error(`worker did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const lines = out.split('\n').filter((l) => l.trim());
    expect(lines.filter((l) => !l.startsWith('[worker] '))).toEqual([]);
    expect(out).not.toMatch(/warn|webpack|Worker state changed/i);
  }, 120_000);
});
