import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface RunningService {
  name: string;
  pid: number;
  logFile: string;
  /** SIGTERM to its process group, SIGKILL if it has not exited by its stop deadline; resolves when it is gone. */
  stop(): Promise<void>;
  /** SIGKILL to its process group, now. */
  kill(): void;
}

/** How long a service gets to exit after SIGTERM before it is killed. */
export const STOP_DEADLINE_MS = 5000;
/** How long to wait for the exit of a process after SIGKILL (a process in uninterruptible I/O takes a while). */
const KILL_WAIT_MS = 2000;

/** Every service spawned by this process and not exited yet, so a shutdown reaches those still starting too. */
const live = new Set<RunningService>();

/**
 * Starts a long-running service in its own process group, output to a log file, so stop() ends it and
 * every child it forked, and nothing else. stop() is bounded: a service that ignores SIGTERM or hangs is
 * killed after `stopDeadlineMs`.
 */
export function spawnService(
  name: string,
  command: string,
  args: string[],
  {
    logDir,
    env,
    cwd,
    stopDeadlineMs = STOP_DEADLINE_MS,
  }: { logDir: string; env?: NodeJS.ProcessEnv; cwd?: string; stopDeadlineMs?: number },
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
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  let stopping: Promise<void> | undefined;
  const service = {
    name,
    pid,
    logFile,
    child,
    stop() {
      stopping ??= (async () => {
        if (gone()) return;
        killGroup(pid, 'SIGTERM');
        if (await settlesWithin(exited, stopDeadlineMs)) return;
        killGroup(pid, 'SIGKILL');
        await settlesWithin(exited, KILL_WAIT_MS);
      })();
      return stopping;
    },
    kill() {
      if (!gone()) killGroup(pid, 'SIGKILL');
    },
  };
  live.add(service);
  void exited.then(() => live.delete(service));
  return service;
}

/** Stops every service this process spawned that still runs, in parallel, each within its deadline. */
export async function stopAllServices(): Promise<void> {
  // Until none is left: a service whose start was under way when this began may be spawned meanwhile.
  const tried = new Set<RunningService>();
  for (let next = [...live]; next.length; next = [...live].filter((s) => !tried.has(s))) {
    for (const s of next) tried.add(s);
    await Promise.all(next.map((s) => s.stop()));
  }
}

/** SIGKILLs every service this process spawned that still runs. */
export function killAllServices(): void {
  for (const s of live) s.kill();
}

/** Whether `promise` settles within `ms` (its outcome is the caller's business). */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
  }
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
