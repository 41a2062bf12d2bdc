import { pimDb } from '../../db/client';
import type { AreaRegistration } from './area';
import { createHealthActivities } from './health';
import { createOutboxActivities } from './outbox';
import { createWorkflowStatusActivities } from './workflow-status';

/** Health, the change outbox, workflow status and the incoming-file scan. */
export const platformArea: AreaRegistration = {
  name: 'platform',
  activities: (deps) => ({
    data: {
      ...createHealthActivities({
        mysql: deps.pools.orders,
        s3: deps.s3,
        dynamo: deps.dynamo,
        lakeBucket: deps.config.aws.buckets.lake,
        tablePrefix: deps.config.aws.tablePrefix,
      }),
      ...createOutboxActivities({ pim: pimDb(deps.pools.pim), temporal: deps.temporal }),
      ...createWorkflowStatusActivities({ temporal: deps.temporal }),
    },
  }),
  schedules: [],
};
