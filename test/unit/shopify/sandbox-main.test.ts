import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');

describe('sandbox/shopify/main.ts', () => {
  it('serves on the given port, prints its URL and stops on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'sandbox/shopify/main.ts', '--port', '0', '--plan', 'advanced'],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('\n')) resolve(out);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}`)));
    });
    const url = /(http:\/\/127\.0\.0\.1:\d+)\/admin\/api\/2026-10\/graphql\.json/.exec(line)?.[1];
    expect(url).toBeDefined();
    const stats = (await (await fetch(`${url}/_sandbox/stats`)).json()) as { throttleStatus: { restoreRate: number } };
    expect(stats.throttleStatus.restoreRate).toBe(200); // --plan advanced
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
