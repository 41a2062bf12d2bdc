import { allHandlersFinished, condition, setHandler, workflowInfo, type SignalDefinition } from '@temporalio/workflow';

/**
 * The coalescing loop of a per-entity push workflow (`product-publish/<id>`, `inventory-sync/<sku>`): push, and
 * push once more if a signal arrived meanwhile, so a burst of changes costs one or two pushes; then return, and
 * the next change starts the workflow again (signalWithStart). When the history is long and more is pending it
 * continues as new (after its handlers finished) through `restart`, which carries the workflow's own state.
 */
export async function pushUntilQuiet<A extends unknown[]>(opts: {
  signal: SignalDefinition<A>;
  /** What a signal adds besides "push again" (a force flag, the store that moved). */
  onSignal?: (...args: A) => void;
  /** One push; `changedAgain()` tells whether a signal arrived since it began. */
  push: (changedAgain: () => boolean) => Promise<void>;
  restart: () => Promise<never>;
}): Promise<void> {
  let dirty = true;
  setHandler(opts.signal, (...args: A) => {
    dirty = true;
    opts.onSignal?.(...args);
  });
  do {
    dirty = false;
    await opts.push(() => dirty);
    if (dirty && workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await opts.restart();
    }
  } while (dirty);
}
