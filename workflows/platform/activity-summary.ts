import type { ActivityFunction, ActivityOptions } from '@temporalio/workflow';
import { oneLine } from '../../domain/platform/run-summary';

type WithOptions = ActivityFunction & {
  executeWithOptions(options: ActivityOptions, args: unknown[]): Promise<unknown>;
};

/** The same activities, each call scheduled with a summary (what `executeWithOptions` takes, per call). */
export type Summarized<P> = {
  [K in keyof P]: P[K] extends (...args: infer A) => infer R ? (...args: A) => R : never;
};

/**
 * `withSummary(a, 'productSet 42').pushProduct(42)` is `a.pushProduct(42)` with a summary the Temporal UI shows on
 * the activity (history: ActivityTaskScheduled → userMetadata.summary). The proxy's own options (timeouts, retry,
 * task queue) still apply: the SDK merges the per-call options into them.
 */
export function withSummary<P extends object>(activities: P, summary: string): Summarized<P> {
  return new Proxy({} as Summarized<P>, {
    get(_, name) {
      const fn = (activities as Record<string | symbol, WithOptions>)[name]!;
      return (...args: unknown[]) => fn.executeWithOptions({ summary: oneLine(summary) }, args);
    },
  });
}
