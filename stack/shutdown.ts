import { killAllServices, settlesWithin, stopAllServices, STOP_DEADLINE_MS } from './process';

export interface Shutdown {
  /** Registers a step of the graceful stop; steps run newest first, each given `deadlineMs` before going on. */
  add(name: string, stop: () => Promise<void>, deadlineMs?: number): void;
  /** Registers what a forced stop does at once (e.g. SIGKILL a child process that is not a stack service). */
  onKill(kill: () => void): void;
  /** The graceful stop: every step within its deadline, then every stack service still running, then exit. */
  stop(code: number): Promise<void>;
}

export interface ShutdownOptions {
  /** Prefix of the lines it prints, e.g. `[start]`. */
  tag: string;
  /** Runs last on either path, synchronously (remove lock files and the like). */
  finish?: () => void;
  /** Default deadline of a step. */
  stepDeadlineMs?: number;
}

/**
 * Ctrl-C for a command that runs a stack: the first SIGINT/SIGTERM/SIGHUP stops what it started, each piece
 * within a deadline, so a hung service cannot keep it waiting; a second one kills everything at once and exits.
 * One Ctrl-C can arrive several times within milliseconds (the terminal signals the whole process group, and
 * npm, scripts/ensure.mjs and tsx each relay it too); repeats within `REPEAT_MS` of the first count as one.
 */
export function handleShutdown({ tag, finish, stepDeadlineMs = 3000 }: ShutdownOptions): Shutdown {
  const steps: { name: string; stop: () => Promise<void>; deadlineMs: number }[] = [];
  const kills: (() => void)[] = [];
  let stoppingSince: number | undefined;

  const force = () => {
    console.log(`\n${tag} killing everything this command started.`);
    for (const kill of kills) tryIt(kill);
    killAllServices();
    finishOnce();
    process.exit(130);
  };
  let finished = false;
  const finishOnce = () => {
    if (!finished && finish) tryIt(finish);
    finished = true;
  };

  const stop = async (code: number) => {
    if (stoppingSince !== undefined) return;
    stoppingSince = Date.now();
    console.log(`\n${tag} stopping everything this command started (Ctrl-C again to kill it all at once)...`);
    for (const step of steps.reverse()) {
      const done = step.stop().catch((e: unknown) => console.error(tag, step.name, (e as Error).message));
      if (!(await settlesWithin(done, step.deadlineMs)))
        console.log(`${tag} ${step.name} did not stop within ${step.deadlineMs / 1000} s; going on`);
    }
    await stopAllServices(); // those still starting when the signal came, not yet handed to a step
    finishOnce();
    console.log(`${tag} stopped.`);
    process.exit(code);
  };

  const onSignal = () => {
    if (stoppingSince === undefined) void stop(0);
    else if (Date.now() - stoppingSince > REPEAT_MS) force();
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  // A closed terminal or pipe (`npm start | tee`, whose tee the same Ctrl-C ends) must not abort the stop
  // half-way with EPIPE; and whatever ends this process, it takes its services with it.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  process.on('exit', () => {
    killAllServices();
    finishOnce();
  });

  return {
    add: (name, fn, deadlineMs = stepDeadlineMs) => {
      // Something that finished starting after the stop began: stopped at once, as it would have been.
      if (stoppingSince !== undefined) void fn().catch(() => undefined);
      else steps.push({ name, stop: fn, deadlineMs });
    },
    onKill: (kill) => void kills.push(kill),
    stop,
  };
}

/** Signals closer together than this are one Ctrl-C delivered by several relays. */
export const REPEAT_MS = 400;

/** A stack step's deadline: its services' own stop deadline, plus time to SIGKILL and reap them. */
export const STACK_STOP_DEADLINE_MS = STOP_DEADLINE_MS + 3000;

function tryIt(fn: () => void): void {
  try {
    fn();
  } catch {
    // a forced stop goes on whatever one piece does
  }
}
