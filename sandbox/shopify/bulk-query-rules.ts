import {
  getNamedType,
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { prepare } from './graphql-endpoint';
import { sandboxSchema } from './schema';

const MAX_CONNECTIONS = 5;
const MAX_DEPTH = 2;

/**
 * Checks a bulk query the way Shopify does before accepting it: it must be a valid query with at least one
 * connection, at most five connections, nested at most two levels deep, and every node holding a nested
 * connection must select `id` (the JSONL lines link to their parent through it). Returns the problem, if any.
 */
export function bulkQueryProblem(query: string): string | undefined {
  const prepared = prepare(query);
  if (prepared.errors.length) return prepared.errors.map((e) => e.message).join('; ');
  const ops = prepared.document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  if (ops.length !== 1 || ops[0]!.operation !== 'query')
    return 'Bulk queries must contain exactly one query operation.';
  const found = { count: 0, problem: undefined as string | undefined };
  walk(ops[0]!.selectionSet, sandboxSchema.getQueryType()!, 0, prepared.fragments, found);
  if (found.problem) return found.problem;
  if (found.count === 0) return 'Bulk queries must contain at least one connection.';
  if (found.count > MAX_CONNECTIONS) return `Bulk queries cannot contain more than ${MAX_CONNECTIONS} connections.`;
  return undefined;
}

function fieldsOf(set: SelectionSetNode, fragments: Record<string, FragmentDefinitionNode>): FieldNode[] {
  return set.selections.flatMap((s) =>
    s.kind === Kind.FIELD
      ? [s]
      : s.kind === Kind.INLINE_FRAGMENT
        ? fieldsOf(s.selectionSet, fragments)
        : fragments[s.name.value]
          ? fieldsOf(fragments[s.name.value]!.selectionSet, fragments)
          : [],
  );
}

function walk(
  set: SelectionSetNode,
  type: GraphQLObjectType,
  depth: number,
  fragments: Record<string, FragmentDefinitionNode>,
  found: { count: number; problem?: string },
): void {
  for (const field of fieldsOf(set, fragments)) {
    const def = type.getFields()[field.name.value];
    if (!def || !field.selectionSet) continue;
    const named = getNamedType(def.type) as GraphQLObjectType;
    if (!named.name.endsWith('Connection')) {
      if ('getFields' in named) walk(field.selectionSet, named, depth, fragments, found);
      continue;
    }
    found.count++;
    if (depth + 1 > MAX_DEPTH)
      found.problem ??= `Bulk queries cannot contain connections nested more than ${MAX_DEPTH} levels deep.`;
    const node = getNamedType(named.getFields().nodes!.type) as GraphQLObjectType;
    for (const part of fieldsOf(field.selectionSet, fragments)) {
      const nodeSets =
        part.name.value === 'nodes'
          ? [part.selectionSet]
          : part.name.value === 'edges'
            ? fieldsOf(part.selectionSet!, fragments)
                .filter((f) => f.name.value === 'node')
                .map((f) => f.selectionSet)
            : [];
      for (const nodeSet of nodeSets) {
        if (!nodeSet) continue;
        const before = found.count;
        walk(nodeSet, node, depth + 1, fragments, found);
        const hasId = fieldsOf(nodeSet, fragments).some((f) => f.name.value === 'id');
        if (found.count > before && !hasId)
          found.problem ??= `The parent 'node' field for a nested connection must select the 'id' field. Connection fields without 'id': ${field.name.value}.`;
      }
    }
  }
}
