import { runSummary, type RunSummary } from './run-summary';

export const healthCheckRun = (): RunSummary => runSummary(['health check · MariaDB, S3, DynamoDB']);

export const outboxRelayRun = (): RunSummary =>
  runSummary(['outbox relay · PIM edits → product publish'], { source: 'pim.change_outbox' });

export const scanIncomingRun = (input: { domains: string[]; under?: string; limit?: number }): RunSummary =>
  runSummary([`scan incoming ${input.domains.join(', ')}`, input.under && `under ${input.under}`], {
    'files per run': input.limit,
  });
