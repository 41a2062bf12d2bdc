import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface RunningService {
  name: string;
  pid: number;
  logFile: string;
  stop(): Promise<void>;
}

/**
 * Starts a long-running service in its own process group, output to a log file, so stop() ends it and
 * every child it forked, and nothing else.
 */
export function spawnService(
  name: string,
  command: string,
  args: string[],
  { logDir, env, cwd }: { logDir: string; env?: NodeJS.ProcessEnv; cwd?: string },
): RunningService & { child: ChildProcess } {
  fs.mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, `${name}.log`);
  const out = fs.openSync(logFile, 'a');
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', out, out],
    detached: true,
  });
  fs.closeSync(out);
  if (child.pid === undefined) throw new Error(`could not start ${name} (${command}); see ${logFile}`);
  const pid = child.pid;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stopping: Promise<void> | undefined;
  return {
    name,
    pid,
    logFile,
    child,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        killGroup(pid, 'SIGTERM');
        const timedOut = await Promise.race([exited.then(() => false), sleep(8000).then(() => true)]);
        if (timedOut) {
          killGroup(pid, 'SIGKILL');
          await exited;
        }
      })();
      return stopping;
    },
  };
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function tailLog(file: string, lines = 20): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
