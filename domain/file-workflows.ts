/** Workflow ids of the file pipelines: one run per version (ETag) of one object, so a file is processed once. */
export const customersImportWorkflowId = (key: string, etag: string) =>
  `customers-import/${key}@${etag.replace(/"/g, '')}`;

export const loyaltyConvertWorkflowId = (key: string, etag: string) =>
  `loyalty-convert/${key}@${etag.replace(/"/g, '')}`;
