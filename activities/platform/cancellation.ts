import { Context } from '@temporalio/activity';

/**
 * The running activity's cancellation signal (a worker shutting down, a workflow that moved on, a heartbeat timeout
 * once the activity heartbeats again); none outside an activity (a CLI, a bench's direct call). Connectors read it
 * per request to stop waiting for a rate-limit token or a backoff.
 */
export function activityCancellation(): AbortSignal | undefined {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return undefined;
  }
}
