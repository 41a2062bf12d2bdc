import { Context } from '@temporalio/activity';
import { readCursor } from '../../lake/lake-cursors';
import type { Lake } from '../../lake/lake-writer';

/**
 * What the incremental extractions (Shopify entities, transfers, deletions; Lightspeed sales) share: where a window
 * starts and ends, the cursor names, and heartbeated progress that a retried attempt resumes from.
 */

/** Rows committed late are read again (default overlap); the window stays behind Shopify's search index (lag). */
export const DEFAULT_OVERLAP_MS = 5 * 60_000;
export const DEFAULT_LAG_MS = 30_000;

/** A saved cursor: everything before `through` is in the lake. */
export interface ThroughCursor {
  through: string;
}

/** The shop's domain as it stands in cursor and checkpoint names. */
export const shopKey = (shop: string) => shop.replace(/[^a-z0-9.-]+/gi, '_');

/**
 * The next window, [cursor − overlap, until ?? now − lag), from the cursor saved under `name` (a first run starts at
 * `since`, else the epoch); the saved cursor comes back too (its other fields, e.g. open transfers).
 */
export async function nextWindow<C extends ThroughCursor>(
  lake: Lake,
  name: string,
  o: { overlapMs?: number; lagMs?: number; since?: string; until?: string },
): Promise<{ from: string; to: string; saved: C | undefined }> {
  const saved = await readCursor<C>(lake, name);
  return {
    from: saved
      ? new Date(Date.parse(saved.through) - (o.overlapMs ?? DEFAULT_OVERLAP_MS)).toISOString()
      : (o.since ?? new Date(0).toISOString()),
    to: o.until ?? new Date(Date.now() - (o.lagMs ?? DEFAULT_LAG_MS)).toISOString(),
    saved: saved ?? undefined,
  };
}

/** Reports progress when run as an activity; outside one (benches, tests calling the function) there is no one to tell. */
export function heartbeat(details: unknown): void {
  try {
    Context.current().heartbeat(details);
  } catch {
    /* outside an activity: nothing to report to */
  }
}

/** The progress the last attempt heartbeated (a retry resumes there); undefined on a first attempt or outside one. */
export function resumedProgress<T>(): T | undefined {
  try {
    return Context.current().info.heartbeatDetails as T | undefined;
  } catch {
    return undefined;
  }
}
