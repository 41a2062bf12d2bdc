/** Workflow ids of the file pipelines: one run per version (ETag) of one object, so a file is processed once. */
export const customersImportWorkflowId = (key: string, etag: string) =>
  `customers-import/${key}@${etag.replace(/"/g, '')}`;

export const loyaltyConvertWorkflowId = (key: string, etag: string) =>
  `loyalty-convert/${key}@${etag.replace(/"/g, '')}`;

/** The one long-running workflow that takes operators' "convert this file" signals. */
export const LOYALTY_INTAKE_WORKFLOW_ID = 'loyalty-intake';

/** A key below incoming/ is consumed (archived) by its run; any other key (archive/, elsewhere) is left in place. */
export const isIncomingKey = (key: string) => key.startsWith('incoming/');
