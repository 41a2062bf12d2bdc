import { afterEach, describe, expect, it, vi } from 'vitest';
import { bundlerLogger, formatEntry, sdkLogger, sdkLogLevel } from '../../../workers/logging';

describe('workers/logging.ts: the SDK’s log lines in the project’s form', () => {
  afterEach(() => vi.restoreAllMocks());

  it('prints an activity failure as one line naming the run, without task token or stack', () => {
    const error = new Error('bulk operation gid://shopify/BulkOperation/1019 not found');
    const line = formatEntry({
      level: 'WARN',
      message: 'Activity failed',
      meta: {
        sdkComponent: 'worker',
        taskQueue: 'shopify',
        attempt: 5,
        taskToken: 'CiQwMWEyMzE1NS1iZjE1',
        activityType: 'awaitBulkChunk',
        workflowId: 'catalog-backfill/demo',
        workflowType: 'catalogBackfill',
        error,
      },
    });
    expect(line).toBe(
      '[worker] Activity failed (activity awaitBulkChunk, workflow catalog-backfill/demo, attempt 5): ' +
        'bulk operation gid://shopify/BulkOperation/1019 not found',
    );
  });

  it('takes its level from BACKBONE_LOG_LEVEL, WARN unless set or unknown', () => {
    expect(sdkLogLevel({})).toBe('WARN');
    expect(sdkLogLevel({ BACKBONE_LOG_LEVEL: 'debug' })).toBe('DEBUG');
    expect(sdkLogLevel({ BACKBONE_LOG_LEVEL: 'loud' })).toBe('WARN');
  });

  it('puts the bundler’s webpack output at debug level: silent at INFO, shown at DEBUG', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    bundlerLogger('INFO').info('asset workflow-bundle.js 1.81 MiB [emitted]');
    expect(log).not.toHaveBeenCalled();
    bundlerLogger('DEBUG').info('asset workflow-bundle.js 1.81 MiB [emitted]');
    expect(log).toHaveBeenCalledWith('[worker] debug: asset workflow-bundle.js 1.81 MiB [emitted]');
    bundlerLogger('INFO').warn('Module not found');
    expect(err).toHaveBeenCalledWith('[worker] Module not found');
  });

  // Seen on the second npm start: the SDK warned "Task not found when completing" and "Activity not found on
  // completion" for tasks the stopped worker held. Temporal had handed them on; nothing needs a person.
  it('prints what the SDK says about tasks the last worker held at debug level, other warnings as warnings', () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    sdkLogger('WARN').warn("Task not found when completing: code: 'Some requested entity was not found'");
    sdkLogger('WARN').log(
      'WARN',
      'Activity not found on completion. This may happen if the activity has already been cancelled',
    );
    expect(err).not.toHaveBeenCalled();
    expect(log).not.toHaveBeenCalled();
    sdkLogger('DEBUG').warn('Activity not found on completion.');
    expect(log).toHaveBeenCalledWith('[worker] debug: Activity not found on completion.');
    sdkLogger('WARN').warn('Activity failed');
    expect(err).toHaveBeenCalledWith('[worker] Activity failed');
  });
});
