import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthCheck } from '../../../workflows';
import { SEARCH_ATTRIBUTE_CLI_TYPES } from '../../../domain/platform/search-attributes';
import { productionActivities, temporalHarness, type TemporalHarness } from '../../support/temporal';

describe('local stack', () => {
  let t: TemporalHarness;
  const { deps, activities } = productionActivities('data');
  beforeAll(async () => {
    t = await temporalHarness('health');
  });
  afterAll(async () => {
    await t.close();
    await deps.close();
  });

  it('runs a workflow on the real dev server whose activity writes to MariaDB, S3 and DynamoDB and reads back', async () => {
    const workflowId = `health-check/${Date.now()}`;
    const result = await t.withWorkers({ data: activities }, () =>
      t.client.workflow.execute(healthCheck, { taskQueue: t.queue('data'), workflowId }),
    );
    expect(result.ok).toBe(true);
    for (const body of [result.mysql, result.s3, result.dynamodb])
      expect(JSON.parse(body).probeId).toContain('health-check');

    const description = await t.client.workflow.getHandle(workflowId).describe();
    expect(description.typedSearchAttributes.getAll().map((p) => [p.key.name, p.value])).toEqual(
      expect.arrayContaining([
        ['Pipeline', 'health-check'],
        ['SyncStatus', 'Completed'],
      ]),
    );
  });

  it('registers every custom search attribute on the server', async () => {
    const { customAttributes } = await t.client.connection.operatorService.listSearchAttributes({
      namespace: 'default',
    });
    expect(Object.keys(customAttributes ?? {})).toEqual(
      expect.arrayContaining(Object.keys(SEARCH_ATTRIBUTE_CLI_TYPES)),
    );
  });
});
