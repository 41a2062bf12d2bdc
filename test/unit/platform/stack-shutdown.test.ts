import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isRunning } from '../../support/platform/processes';

const FIXTURE = path.resolve(import.meta.dirname, '../../support/platform/shutdown-fixture.ts');

interface Run {
  child: ChildProcess;
  servicePid: number;
  output: () => string;
  exit: Promise<{ code: number | null; at: number }>;
}

async function start(stepDeadlineMs: number): Promise<Run> {
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-shutdown-'));
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, logDir, String(stepDeadlineMs)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exit = new Promise<{ code: number | null; at: number }>((r) =>
    child.once('exit', (code) => {
      fs.rmSync(logDir, { recursive: true, force: true });
      r({ code, at: Date.now() });
    }),
  );
  const until = Date.now() + 20_000;
  while (!/ready \d+/.test(out)) {
    if (Date.now() > until || child.exitCode !== null) throw new Error(`fixture did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, servicePid: Number(/ready (\d+)/.exec(out)![1]), output: () => out, exit };
}

describe('stack/shutdown.ts: Ctrl-C of a command running a stack', () => {
  const runs: Run[] = [];
  afterEach(() => {
    for (const r of runs.splice(0)) {
      r.child.kill('SIGKILL');
      if (isRunning(r.servicePid)) process.kill(-r.servicePid, 'SIGKILL');
    }
  });

  it('one Ctrl-C stops everything within the deadlines although a piece hangs and a service ignores SIGTERM', async () => {
    const run = await start(1000);
    runs.push(run);
    const sent = Date.now();
    run.child.kill('SIGINT');
    const { code, at } = await run.exit;
    // hung piece: its 1 s deadline; stubborn service: its 1 s stop deadline, then SIGKILL
    expect(at - sent).toBeLessThan(4000);
    expect(code).toBe(0);
    expect(run.output()).toContain('[fixture] hung server did not stop within 1 s; going on');
    expect(run.output()).toContain('[fixture] finished');
    expect(isRunning(run.servicePid)).toBe(false);
  });

  it('the same Ctrl-C relayed several times (terminal, npm, ensure.mjs, tsx) is still one', async () => {
    const run = await start(1000);
    runs.push(run);
    for (let i = 0; i < 3; i++) {
      run.child.kill('SIGINT');
      await new Promise((r) => setTimeout(r, 20));
    }
    const { code } = await run.exit;
    expect(code).toBe(0);
    expect(run.output()).not.toContain('killing everything');
  });

  it('stops everything also when its output is gone (`npm start | tee`, the tee ended by the same Ctrl-C)', async () => {
    const run = await start(1000);
    runs.push(run);
    run.child.stdout!.destroy();
    run.child.stderr!.destroy();
    run.child.kill('SIGINT');
    const { code } = await run.exit;
    expect(code).toBe(0);
    expect(isRunning(run.servicePid)).toBe(false);
  });

  it('a second Ctrl-C kills everything at once and exits', async () => {
    const run = await start(60_000); // the graceful stop alone would take a minute
    runs.push(run);
    run.child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 800));
    const second = Date.now();
    run.child.kill('SIGINT');
    const { code, at } = await run.exit;
    expect(at - second).toBeLessThan(1000);
    expect(code).toBe(130);
    expect(run.output()).toContain('[fixture] killing everything this command started.');
    expect(run.output()).toContain('[fixture] finished');
    await new Promise((r) => setTimeout(r, 200));
    expect(isRunning(run.servicePid)).toBe(false);
  });
});
