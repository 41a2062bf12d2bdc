import { document, type UserError } from './define';

export interface BulkOperationInfo {
  id: string;
  status: 'CREATED' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELING' | 'CANCELED' | 'EXPIRED';
  errorCode: string | null;
  objectCount: string;
  url: string | null;
  partialDataUrl: string | null;
}
const BULK_FIELDS = 'id status errorCode objectCount url partialDataUrl';

export const STAGED_UPLOADS_CREATE = document<
  {
    stagedUploadsCreate: {
      stagedTargets: { url: string; resourceUrl: string | null; parameters: { name: string; value: string }[] }[];
      userErrors: UserError[];
    };
  },
  { filename: string }
>(
  'stagedUploadsCreate',
  `mutation stagedUploadsCreate($filename: String!) {
  stagedUploadsCreate(input: [{ resource: BULK_MUTATION_VARIABLES, filename: $filename, mimeType: "text/jsonl", httpMethod: POST }]) {
    stagedTargets { url resourceUrl parameters { name value } }
    userErrors { field message }
  }
}`,
  10,
);

export const BULK_RUN_MUTATION = document<
  { bulkOperationRunMutation: { bulkOperation: BulkOperationInfo | null; userErrors: UserError[] } },
  { mutation: string; stagedUploadPath: string; clientIdentifier?: string }
>(
  'bulkOperationRunMutation',
  `mutation bulkOperationRunMutation($mutation: String!, $stagedUploadPath: String!, $clientIdentifier: String) {
  bulkOperationRunMutation(mutation: $mutation, stagedUploadPath: $stagedUploadPath, clientIdentifier: $clientIdentifier) {
    bulkOperation { ${BULK_FIELDS} }
    userErrors { field message code }
  }
}`,
  10,
);

export const BULK_RUN_QUERY = document<
  { bulkOperationRunQuery: { bulkOperation: BulkOperationInfo | null; userErrors: UserError[] } },
  { query: string }
>(
  'bulkOperationRunQuery',
  `mutation bulkOperationRunQuery($query: String!) {
  bulkOperationRunQuery(query: $query, groupObjects: false) {
    bulkOperation { ${BULK_FIELDS} }
    userErrors { field message code }
  }
}`,
  10,
);

export const BULK_OPERATION = document<{ bulkOperation: BulkOperationInfo | null }, { id: string }>(
  'bulkOperation',
  `query bulkOperation($id: ID!) { bulkOperation(id: $id) { ${BULK_FIELDS} } }`,
  1,
);

export const BULK_CANCEL = document<
  { bulkOperationCancel: { bulkOperation: BulkOperationInfo | null; userErrors: UserError[] } },
  { id: string }
>(
  'bulkOperationCancel',
  `mutation bulkOperationCancel($id: ID!) { bulkOperationCancel(id: $id) { bulkOperation { ${BULK_FIELDS} } userErrors { field message } } }`,
  10,
);

/** Bulk operations matching a search (e.g. created since a time), with their documents: how a retried start finds its own. */
export const BULK_OPERATIONS_RECENT = document<
  {
    bulkOperations: {
      nodes: { id: string; status: BulkOperationInfo['status']; query: string; createdAt: string }[];
    };
  },
  { query: string }
>(
  'bulkOperationsRecent',
  `query bulkOperationsRecent($query: String!) {
  bulkOperations(first: 50, query: $query) { nodes { id status query createdAt } }
}`,
  3,
);
