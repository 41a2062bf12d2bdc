import {
  execute,
  GraphQLError,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
} from 'graphql';
import { MAX_QUERY_COST, queryCost } from './cost';
import type { LeakyBucket } from './throttle';
import { sandboxSchema } from './schema';
import { shopifyValidationError } from './validation-errors';

interface Prepared {
  document: DocumentNode;
  errors: readonly GraphQLError[];
  fragments: Record<string, FragmentDefinitionNode>;
}

const cache = new Map<string, Prepared>();

/** Parse + validate once per distinct document string, as a server with a query cache would. */
export function prepare(query: string): Prepared {
  let hit = cache.get(query);
  if (!hit) {
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch (err) {
      return { document: { kind: Kind.DOCUMENT, definitions: [] }, errors: [err as GraphQLError], fragments: {} };
    }
    const errors = validate(sandboxSchema, document);
    const fragments = Object.fromEntries(
      document.definitions
        .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
        .map((d) => [d.name.value, d]),
    );
    hit = { document, errors, fragments };
    if (cache.size > 5000) cache.clear();
    cache.set(query, hit);
  }
  return hit;
}

export interface GraphqlReply {
  body: Record<string, unknown>;
  isMutation: boolean;
  /** The executed operation's top-level field names (for fault injection aimed at one mutation). */
  rootFields?: string[];
  /** The executed operation's name and what it cost (set only when it ran): the inspection API's cost report. */
  cost?: { operation: string | undefined; requested: number; actual: number };
}

/** Runs one Admin API request: cost, leaky bucket, execution, `extensions.cost`, exactly as Shopify replies. */
export async function handleGraphql(
  payload: { query?: string; variables?: Record<string, unknown>; operationName?: string },
  rootValue: Record<string, unknown>,
  bucket: LeakyBucket,
  forceThrottle: boolean,
): Promise<GraphqlReply> {
  const prepared = prepare(payload.query ?? '');
  if (prepared.errors.length)
    return {
      body: {
        errors: prepared.errors.map(shopifyValidationError),
      },
      isMutation: false,
    };
  const operation = prepared.document.definitions.find(
    (d): d is OperationDefinitionNode =>
      d.kind === Kind.OPERATION_DEFINITION && (!payload.operationName || d.name?.value === payload.operationName),
  );
  if (!operation) return { body: { errors: [{ message: 'No operation found' }] }, isMutation: false };
  const variables = payload.variables ?? {};
  const costInput = { schema: sandboxSchema, operation, fragments: prepared.fragments, variables };
  const requested = queryCost(costInput);
  const isMutation = operation.operation === 'mutation';
  if (requested > MAX_QUERY_COST)
    return {
      body: {
        errors: [
          {
            message: `Query cost is ${requested}, which exceeds the single query max cost limit (${MAX_QUERY_COST}).`,
            extensions: {
              code: 'MAX_COST_EXCEEDED',
              cost: requested,
              maxCost: MAX_QUERY_COST,
              documentation: 'https://shopify.dev/api/usage/limits#rate-limits',
            },
          },
        ],
        extensions: { cost: { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: bucket.status() } },
      },
      isMutation: false,
    };
  if (forceThrottle || !bucket.take(requested)) return { body: throttled(requested, bucket), isMutation: false };
  const result: ExecutionResult = await execute({
    schema: sandboxSchema,
    document: prepared.document,
    rootValue,
    variableValues: variables,
    operationName: payload.operationName,
    contextValue: { bulk: false },
  });
  const actual = isMutation ? requested : queryCost(costInput, result.data ?? {});
  bucket.refund(requested - actual);
  return {
    body: {
      ...(result.errors
        ? {
            errors: result.errors.map((e) => ({
              message: e.message,
              locations: e.locations,
              path: e.path,
              extensions: e.extensions,
            })),
          }
        : {}),
      data: result.data ?? null,
      extensions: { cost: { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: bucket.status() } },
    },
    isMutation,
    cost: { operation: operation.name?.value, requested, actual },
    rootFields: operation.selectionSet.selections.flatMap((sel) => (sel.kind === Kind.FIELD ? [sel.name.value] : [])),
  };
}

export function throttled(requested: number, bucket: LeakyBucket): Record<string, unknown> {
  return {
    errors: [
      {
        message: 'Throttled',
        extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' },
      },
    ],
    extensions: { cost: { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: bucket.status() } },
  };
}

/** In-process execution for bulk operations: no cost, no throttle, connections unpaged. */
export async function executeInternal(
  query: string,
  variables: Record<string, unknown>,
  rootValue: Record<string, unknown>,
  bulk: boolean,
): Promise<ExecutionResult> {
  const prepared = prepare(query);
  if (prepared.errors.length) return { errors: prepared.errors };
  return execute({
    schema: sandboxSchema,
    document: prepared.document,
    rootValue,
    variableValues: variables,
    contextValue: { bulk },
  });
}
