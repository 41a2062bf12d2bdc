import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killAllServices, spawnService, stopAllServices, STOP_DEADLINE_MS } from '../../../stack/process';
import { isRunning, lineIn } from '../../support/platform/processes';

// A service that ignores SIGTERM, as a wedged one does, with a child of its own that ignores it too.
const STUBBORN = ['-c', 'trap "" TERM; sleep 600 & echo "ready $$ $!"; wait'];

describe('stack/process.ts: a service stops within its deadline', () => {
  let logDir: string;
  afterEach(() => {
    killAllServices();
    fs.rmSync(logDir, { recursive: true, force: true });
  });

  it('stop() kills a service that ignores SIGTERM, and its children, once the deadline has passed', async () => {
    logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-process-'));
    const service = spawnService('stubborn', 'bash', STUBBORN, { logDir, stopDeadlineMs: 1000 });
    const [, shell, child] = (await lineIn(service.logFile, /ready (\d+) (\d+)/)).map(Number);
    const started = Date.now();
    await service.stop();
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(1000); // it was given its chance
    expect(took).toBeLessThan(3000);
    expect(isRunning(shell!)).toBe(false);
    expect(isRunning(child!)).toBe(false);
  });

  it('gives a service a few seconds by default, not minutes', () => {
    expect(STOP_DEADLINE_MS).toBeGreaterThanOrEqual(2000);
    expect(STOP_DEADLINE_MS).toBeLessThanOrEqual(5000);
  });

  it('stopAllServices() reaches every service spawned, also one not handed to a stack yet', async () => {
    logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-process-'));
    const a = spawnService('a', 'bash', STUBBORN, { logDir, stopDeadlineMs: 500 });
    const b = spawnService('b', 'sleep', ['600'], { logDir });
    await lineIn(a.logFile, /ready/);
    const started = Date.now();
    await stopAllServices();
    expect(Date.now() - started).toBeLessThan(2500);
    expect(isRunning(a.pid)).toBe(false);
    expect(isRunning(b.pid)).toBe(false);
  });
});
