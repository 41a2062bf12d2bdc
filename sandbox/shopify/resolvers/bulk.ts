import { parse, validate, Kind, type ExecutionResult } from 'graphql';
import { bulkQueryProblem } from '../bulk-query-rules';
import { bulkRunner, flattenBulkResult, type RunnerOptions } from '../bulk-runner';
import { connection, type ConnectionArgs, type SandboxContext } from '../connection';
import { sandboxSchema } from '../schema';
import { searchFilter } from '../search';
import { nowIso, numericId, type ShopState, type SbBulkOperation } from '../state';
import { bulkOperationView as view } from '../views';
import type { WebhookDispatcher } from '../webhooks';

export { flattenBulkResult } from '../bulk-runner';

export type Executor = (
  document: string,
  variables: Record<string, unknown>,
  bulk: boolean,
) => Promise<ExecutionResult>;

const LIMIT_PER_TYPE = 5;
const active = (op: SbBulkOperation) => op.status === 'CREATED' || op.status === 'RUNNING' || op.status === 'CANCELING';

const opFilter = (query: string | undefined) =>
  searchFilter<SbBulkOperation>(query, {
    status: (o) => o.status,
    operation_type: (o) => o.type,
    created_at: (o) => o.createdAt,
    id: (o) => numericId(o.id),
  });

function mutationProblem(mutation: string): string | undefined {
  try {
    const doc = parse(mutation);
    const ops = doc.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
    if (ops.length !== 1 || ops[0]!.operation !== 'mutation') return 'The document must contain exactly one mutation.';
    const errors = validate(sandboxSchema, doc);
    return errors.length ? errors.map((e) => e.message).join('; ') : undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

export function bulkResolvers(s: ShopState, hooks: WebhookDispatcher, opts: RunnerOptions & { execute: Executor }) {
  const runner = bulkRunner(s, hooks, opts);

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

  function runMutation({ mutation, stagedUploadPath }: { mutation: string; stagedUploadPath: string }) {
    const file = s.files.get(stagedUploadPath);
    const fail = (field: string[] | null, message: string, code: string) => ({
      bulkOperation: null,
      userErrors: [{ field, message, code }],
    });
    if (!file)
      return fail(
        ['stagedUploadPath'],
        'The JSONL file could not be found. Try uploading the file again.',
        'NO_SUCH_FILE',
      );
    const problem = mutationProblem(mutation);
    if (problem) return fail(['mutation'], `Invalid mutation: ${problem}`, 'INVALID_MUTATION');
    const op = start('MUTATION', mutation);
    if (typeof op === 'string') return fail(null, op, 'LIMIT_REACHED');
    const lines = file
      .toString('utf8')
      .split('\n')
      .filter((l) => l.trim());
    void runner.run(op, lines.length, async (i) => {
      let variables: Record<string, unknown>;
      try {
        variables = JSON.parse(lines[i]!) as Record<string, unknown>;
      } catch {
        return {
          line: `${JSON.stringify({ errors: [{ message: `Line ${i} is not valid JSON` }], __lineNumber: i })}\n`,
          root: true,
        };
      }
      const result = await opts.execute(mutation, variables, true);
      const out = {
        ...(result.data ? { data: result.data } : {}),
        ...(result.errors ? { errors: result.errors.map((e) => ({ message: e.message, path: e.path })) } : {}),
        __lineNumber: i,
      };
      return { line: `${JSON.stringify(out)}\n`, root: true };
    });
    return { bulkOperation: view(op), userErrors: [] };
  }

  function runQuery({ query }: { query: string; groupObjects?: boolean }) {
    const problem = bulkQueryProblem(query);
    if (problem) return { bulkOperation: null, userErrors: [{ field: ['query'], message: problem, code: 'INVALID' }] };
    const op = start('QUERY', query);
    if (typeof op === 'string')
      return { bulkOperation: null, userErrors: [{ field: null, message: op, code: 'LIMIT_REACHED' }] };
    void (async () => {
      const result = await opts.execute(query, {}, true);
      if (result.errors?.length || !result.data) return runner.finish(op, [], 'FAILED', 'INTERNAL_SERVER_ERROR');
      const lines = flattenBulkResult(result.data as Record<string, unknown>);
      await runner.run(op, lines.length, async (i) => ({
        line: `${JSON.stringify(lines[i])}\n`,
        root: !('__parentId' in lines[i]!),
      }));
    })();
    return { bulkOperation: view(op), userErrors: [] };
  }

  return {
    query: {
      bulkOperation: ({ id }: { id: string }) => {
        const op = s.bulkOperations.get(id);
        return op ? view(op) : null;
      },
      bulkOperations: (a: ConnectionArgs & { query?: string; sortKey?: string }, ctx: SandboxContext) => {
        const list = [...s.bulkOperations.values()].filter(opFilter(a.query));
        const key =
          a.sortKey === 'COMPLETED_AT'
            ? (o: SbBulkOperation) => o.completedAt ?? ''
            : (o: SbBulkOperation) => o.createdAt;
        list.sort((x, y) => key(x).localeCompare(key(y)) || numericId(x.id) - numericId(y.id));
        return connection(list.map(view), a, ctx);
      },
      currentBulkOperation: ({ type }: { type?: 'MUTATION' | 'QUERY' }) => {
        const ops = [...s.bulkOperations.values()].filter((o) => o.type === (type ?? 'QUERY'));
        return ops.length ? view(ops.at(-1)!) : null;
      },
    },
    mutation: {
      bulkOperationRunMutation: runMutation,
      bulkOperationRunQuery: runQuery,
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
