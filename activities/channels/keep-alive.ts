import { Context } from '@temporalio/activity';

/**
 * How often a running activity tells Temporal its worker is alive. The workers send each beat at once (at most one a
 * second, `maxHeartbeatThrottleInterval` in workers/worker-tuning.ts), so a 5 s heartbeat timeout leaves 4 s for a
 * busy event loop before a live attempt is given up.
 */
const BEAT_MS = 1_000;

/**
 * Runs `work` heartbeating every few seconds, so the workflow can give the activity a short heartbeat timeout: a
 * worker killed mid-call (kill -9, OOM, a lost node) is noticed in seconds and the activity retried elsewhere,
 * instead of after its start-to-close timeout (minutes). The connector may wait inside a call for a rate-limit
 * token (searchOrders: one per 180 s after a burst); those waits heartbeat too, since the process is alive.
 */
export async function keepAlive<T>(work: () => Promise<T>): Promise<T> {
  let ctx: Context;
  try {
    ctx = Context.current();
  } catch {
    return work(); // called as a plain function (a script, a test), not as an activity: nothing to tell
  }
  const timer = setInterval(() => ctx.heartbeat(), BEAT_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

/** The same activities, each run under `keepAlive`. */
export function keptAlive<T extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: T): T {
  return Object.fromEntries(
    Object.entries(activities).map(([name, fn]) => [name, (...args: never[]) => keepAlive(() => fn(...args))]),
  ) as T;
}
