import { bundleWorkflowCode } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { WORKFLOW_BUNDLE_SOURCES } from '../../../workers/workflow-bundle';

describe('workflow bundle', () => {
  it('bundles workflows/ with no warnings (no Node builtins, drivers or environment in workflow code)', async () => {
    const warnings: string[] = [];
    const logger = {
      log: () => undefined,
      trace: () => undefined,
      debug: () => undefined,
      info: () => undefined,
      warn: (m: string) => warnings.push(m),
      error: (m: string) => warnings.push(m),
    };
    const { code } = await bundleWorkflowCode({
      ...WORKFLOW_BUNDLE_SOURCES,
      logger,
    });
    expect(warnings).toEqual([]);
    expect(code.length).toBeGreaterThan(1000);
  }, 120_000);
});
