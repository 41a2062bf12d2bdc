import { parse, type ExecutionResult } from 'graphql';
import { nowIso, type ShopState, type SbBulkOperation } from '../state';
import type { WebhookDispatcher } from '../webhooks';

export type Executor = (
  document: string,
  variables: Record<string, unknown>,
  bulk: boolean,
) => Promise<ExecutionResult>;

const LIMIT_PER_TYPE = 5;
const active = (op: SbBulkOperation) => op.status === 'CREATED' || op.status === 'RUNNING' || op.status === 'CANCELING';

type Json = Record<string, unknown>;
function isConnection(v: unknown): v is { edges?: { node: Json }[]; nodes?: Json[] } {
  return (
    !!v &&
    typeof v === 'object' &&
    !Array.isArray(v) &&
    (Array.isArray((v as Json).edges) || Array.isArray((v as Json).nodes))
  );
}
const nodesOf = (c: { edges?: { node: Json }[]; nodes?: Json[] }) => c.nodes ?? c.edges!.map((e) => e.node);

/** Shopify's JSONL shape for bulk query results: every connection node is a line; nested ones carry __parentId. */
export function flattenBulkResult(data: Json): Json[] {
  const lines: Json[] = [];
  const visit = (node: Json, parentId?: string) => {
    const own: Json = {};
    const children: [Json[], string | undefined][] = [];
    for (const [k, v] of Object.entries(node)) {
      if (isConnection(v)) children.push([nodesOf(v), node.id as string | undefined]);
      else own[k] = v;
    }
    lines.push(parentId ? { ...own, __parentId: parentId } : own);
    for (const [nodes, id] of children) for (const n of nodes) visit(n, id);
  };
  for (const v of Object.values(data)) if (isConnection(v)) for (const n of nodesOf(v)) visit(n);
  return lines;
}

export function bulkResolvers(
  s: ShopState,
  hooks: WebhookDispatcher,
  opts: { baseUrl: () => string; rowsPerSecond: number; execute: Executor },
) {
  const view = (op: SbBulkOperation) => ({ ...op });

  function start(type: 'MUTATION' | 'QUERY', query: string): SbBulkOperation | string {
    if ([...s.bulkOperations.values()].filter((o) => o.type === type && active(o)).length >= LIMIT_PER_TYPE)
      return `A maximum of ${LIMIT_PER_TYPE} bulk ${type === 'QUERY' ? 'queries' : 'mutations'} can run at the same time for this shop.`;
    const op: SbBulkOperation = {
      id: s.gid('BulkOperation'),
      type,
      status: 'CREATED',
      errorCode: null,
      query,
      createdAt: nowIso(),
      completedAt: null,
      objectCount: 0,
      rootObjectCount: 0,
      fileSize: null,
      url: null,
      partialDataUrl: null,
    };
    s.bulkOperations.set(op.id, op);
    return op;
  }

  function finish(
    op: SbBulkOperation,
    out: string[],
    status: SbBulkOperation['status'],
    errorCode: string | null = null,
  ): void {
    const body = Buffer.from(out.join(''));
    const key = `bulk/${op.id.split('/').pop()}.jsonl`;
    s.files.set(key, body);
    op.status = status;
    op.errorCode = errorCode;
    op.completedAt = nowIso();
    op.fileSize = body.length;
    if (status === 'COMPLETED') op.url = out.length ? `${opts.baseUrl()}/_files/${key}` : null;
    else op.partialDataUrl = out.length ? `${opts.baseUrl()}/_files/${key}` : null;
    hooks.emit('BULK_OPERATIONS_FINISH', {
      admin_graphql_api_id: op.id,
      completed_at: op.completedAt,
      created_at: op.createdAt,
      error_code: errorCode?.toLowerCase() ?? null,
      status: status.toLowerCase(),
      type: op.type.toLowerCase(),
    });
  }

  // Rows are processed at a bounded rate, in small slices, so a client can observe (and die during) RUNNING.
  async function run(op: SbBulkOperation, total: number, row: (i: number) => Promise<string>): Promise<void> {
    op.status = 'RUNNING';
    const out: string[] = [];
    const perTick = Math.max(1, Math.round(opts.rowsPerSecond / 20));
    for (let i = 0; i < total;) {
      if ((op.status as SbBulkOperation['status']) === 'CANCELING') return finish(op, out, 'CANCELED');
      const started = performance.now();
      for (const end = Math.min(total, i + perTick); i < end; i++) {
        out.push(await row(i));
        op.objectCount++;
      }
      op.rootObjectCount = op.objectCount;
      await new Promise((r) => setTimeout(r, Math.max(0, 50 - (performance.now() - started))));
    }
    finish(op, out, 'COMPLETED');
  }

  return {
    query: {
      bulkOperation: ({ id }: { id: string }) => {
        const op = s.bulkOperations.get(id);
        return op ? view(op) : null;
      },
      currentBulkOperation: ({ type }: { type?: 'MUTATION' | 'QUERY' }) => {
        const ops = [...s.bulkOperations.values()].filter((o) => o.type === (type ?? 'QUERY'));
        return ops.length ? view(ops.at(-1)!) : null;
      },
    },
    mutation: {
      bulkOperationRunMutation: ({ mutation, stagedUploadPath }: { mutation: string; stagedUploadPath: string }) => {
        const file = s.files.get(stagedUploadPath);
        if (!file)
          return {
            bulkOperation: null,
            userErrors: [
              { field: ['stagedUploadPath'], message: 'The JSONL file could not be found.', code: 'NO_SUCH_FILE' },
            ],
          };
        try {
          const doc = parse(mutation);
          if (!doc.definitions.some((d) => d.kind === 'OperationDefinition' && d.operation === 'mutation'))
            throw new Error('not a mutation');
        } catch (err) {
          return {
            bulkOperation: null,
            userErrors: [
              { field: ['mutation'], message: `Invalid mutation: ${(err as Error).message}`, code: 'INVALID_MUTATION' },
            ],
          };
        }
        const op = start('MUTATION', mutation);
        if (typeof op === 'string')
          return { bulkOperation: null, userErrors: [{ field: null, message: op, code: 'LIMIT_REACHED' }] };
        const lines = file
          .toString('utf8')
          .split('\n')
          .filter((l) => l.trim());
        void run(op, lines.length, async (i) => {
          let variables: Record<string, unknown>;
          try {
            variables = JSON.parse(lines[i]!) as Record<string, unknown>;
          } catch {
            return `${JSON.stringify({ errors: [{ message: `Line ${i} is not valid JSON` }], __lineNumber: i })}\n`;
          }
          const result = await opts.execute(mutation, variables, true);
          return `${JSON.stringify({ ...(result.data ? { data: result.data } : {}), ...(result.errors ? { errors: result.errors.map((e) => ({ message: e.message })) } : {}), __lineNumber: i })}\n`;
        });
        return { bulkOperation: view(op), userErrors: [] };
      },
      bulkOperationRunQuery: ({ query }: { query: string }) => {
        const op = start('QUERY', query);
        if (typeof op === 'string')
          return { bulkOperation: null, userErrors: [{ field: null, message: op, code: 'LIMIT_REACHED' }] };
        void (async () => {
          const result = await opts.execute(query, {}, true);
          if (result.errors?.length || !result.data) return finish(op, [], 'FAILED', 'INTERNAL_SERVER_ERROR');
          const lines = flattenBulkResult(result.data as Json);
          await run(op, lines.length, async (i) => `${JSON.stringify(lines[i])}\n`);
        })();
        return { bulkOperation: view(op), userErrors: [] };
      },
      bulkOperationCancel: ({ id }: { id: string }) => {
        const op = s.bulkOperations.get(id);
        if (!op)
          return { bulkOperation: null, userErrors: [{ field: ['id'], message: 'Bulk operation does not exist' }] };
        if (!active(op))
          return {
            bulkOperation: view(op),
            userErrors: [
              { field: ['id'], message: `A bulk operation cannot be canceled when it is ${op.status.toLowerCase()}` },
            ],
          };
        op.status = 'CANCELING';
        return { bulkOperation: view(op), userErrors: [] };
      },
      stagedUploadsCreate: ({
        input,
      }: {
        input: { filename: string; mimeType: string; resource: string; httpMethod?: string }[];
      }) => ({
        stagedTargets: input.map((i) => {
          const key = `tmp/bulk/${s.nextId()}/${i.filename}`;
          return {
            url: `${opts.baseUrl()}/_staged/upload`,
            resourceUrl: `${opts.baseUrl()}/_staged/${key}`,
            parameters: [
              { name: 'key', value: key },
              { name: 'Content-Type', value: i.mimeType },
              { name: 'success_action_status', value: '201' },
              { name: 'acl', value: 'private' },
            ],
          };
        }),
        userErrors: [],
      }),
    },
  };
}
