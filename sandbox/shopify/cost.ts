import {
  getNamedType,
  isAbstractType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  valueFromASTUntyped,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/** Shopify's single-query ceiling. */
export const MAX_QUERY_COST = 1000;
const MUTATION_COST = 10;

type Vars = Record<string, unknown>;
interface Walk {
  schema: GraphQLSchema;
  vars: Vars;
  fragments: Record<string, FragmentDefinitionNode>;
}

function args(field: FieldNode, vars: Vars): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const a of field.arguments ?? []) out[a.name.value] = valueFromASTUntyped(a.value, vars);
  return out;
}

function fields(set: SelectionSetNode, w: Walk): FieldNode[] {
  return set.selections.flatMap((s) =>
    s.kind === Kind.FIELD
      ? [s]
      : s.kind === Kind.INLINE_FRAGMENT
        ? fields(s.selectionSet, w)
        : w.fragments[s.name.value]
          ? fields(w.fragments[s.name.value]!.selectionSet, w)
          : [],
  );
}

const unwrap = (t: GraphQLOutputType): GraphQLOutputType => (isNonNullType(t) ? t.ofType : t);

/**
 * Cost of a selection by Shopify's documented rules: scalars and enums 0, objects 1, connections
 * 2 + (first|last) × the cost of one node. With `data`, connections are sized by what was returned
 * (the actual cost) instead of what was asked for (the requested cost).
 */
function selectionCost(set: SelectionSetNode, type: GraphQLObjectType, w: Walk, data?: unknown): number {
  let total = 0;
  for (const field of fields(set, w)) {
    if (field.name.value.startsWith('__')) continue;
    const def = type.getFields()[field.name.value];
    if (!def || !field.selectionSet) continue;
    const named = getNamedType(def.type);
    const child =
      data && typeof data === 'object'
        ? (data as Record<string, unknown>)[field.alias?.value ?? field.name.value]
        : undefined;
    if (named.name.endsWith('Connection') && isObjectType(named)) {
      const a = args(field, w.vars);
      const asked = Number(a.first ?? a.last ?? 0);
      const returned =
        child && typeof child === 'object' ? connectionLength(child as Record<string, unknown>) : undefined;
      const n = data === undefined ? asked : (returned ?? 0);
      total += 2 + n * nodeCost(field.selectionSet, named, w);
      continue;
    }
    const objectType = isObjectType(named) ? named : isAbstractType(named) ? undefined : undefined;
    if (!objectType) {
      total += 1;
      continue;
    }
    const list = isListType(unwrap(def.type));
    if (data !== undefined) {
      if (child == null) continue; // a null object costs nothing when returned
      // Actual cost: what each returned object selected, sized by what it returned (nested connections too).
      const items = Array.isArray(child) ? child : [child];
      for (const item of items) total += 1 + selectionCost(field.selectionSet, objectType, w, item);
      if (Array.isArray(child) && !child.length) total += 1;
      continue;
    }
    const perItem = 1 + selectionCost(field.selectionSet, objectType, w);
    const count = list ? Math.max(1, Number(args(field, w.vars).first ?? 1)) : 1;
    total += perItem * count;
  }
  return total;
}

function connectionLength(conn: Record<string, unknown>): number {
  const edges = conn.edges as unknown[] | undefined;
  const nodes = conn.nodes as unknown[] | undefined;
  return Math.max(edges?.length ?? 0, nodes?.length ?? 0);
}

/** One node of a connection: the object (1) plus whatever it selects under edges.node or nodes. */
function nodeCost(set: SelectionSetNode, conn: GraphQLObjectType, w: Walk): number {
  let per = 0;
  for (const f of fields(set, w)) {
    const def = conn.getFields()[f.name.value];
    if (!def || !f.selectionSet) continue;
    if (f.name.value === 'nodes')
      per = Math.max(per, 1 + selectionCost(f.selectionSet, getNamedType(def.type) as GraphQLObjectType, w));
    if (f.name.value === 'edges') {
      const edge = getNamedType(def.type) as GraphQLObjectType;
      for (const ef of fields(f.selectionSet, w))
        if (ef.name.value === 'node' && ef.selectionSet)
          per = Math.max(
            per,
            1 + selectionCost(ef.selectionSet, getNamedType(edge.getFields().node!.type) as GraphQLObjectType, w),
          );
    }
  }
  return per;
}

/** productSet's dynamic cost (Shopify, from 2025-10): 10 + 0.2/variant + 0.6/variant file + 0.4/variant metafield + 0.4/product metafield + 1.9/product file. */
export function productSetCost(input: Record<string, unknown> | undefined): number {
  const variants = (input?.variants as Record<string, unknown>[] | undefined) ?? [];
  const variantFiles = variants.filter((v) => v.file).length;
  const variantMetafields = variants.reduce((n, v) => n + ((v.metafields as unknown[] | undefined)?.length ?? 0), 0);
  const productMetafields = (input?.metafields as unknown[] | undefined)?.length ?? 0;
  const productFiles = (input?.files as unknown[] | undefined)?.length ?? 0;
  return Math.ceil(
    10 +
      0.2 * variants.length +
      0.6 * variantFiles +
      0.4 * variantMetafields +
      0.4 * productMetafields +
      1.9 * productFiles -
      1e-9,
  );
}

/** productCreate/productUpdate (2025-10): 10 + 0.4/product metafield + 1.9/media, rounded up like productSet. */
export function productUpdateCost(args: Record<string, unknown>): number {
  const product = (args.product ?? args.input) as Record<string, unknown> | undefined;
  const metafields = (product?.metafields as unknown[] | undefined)?.length ?? 0;
  const media = (args.media as unknown[] | undefined)?.length ?? 0;
  return Math.ceil(10 + 0.4 * metafields + 1.9 * media - 1e-9);
}

// Mutations whose cost depends on their input; every other mutation costs MUTATION_COST.
const DYNAMIC: Record<string, (args: Record<string, unknown>) => number> = {
  productSet: (a) => productSetCost(a.input as Record<string, unknown>),
  productUpdate: productUpdateCost,
  productCreate: productUpdateCost,
};

export interface CostInput {
  schema: GraphQLSchema;
  operation: OperationDefinitionNode;
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Vars;
}

/** The cost Shopify computes before running a document (requested) or after (actual, from the result data). */
export function queryCost({ schema, operation, fragments, variables }: CostInput, data?: unknown): number {
  const w: Walk = { schema, vars: variables, fragments };
  if (operation.operation === 'mutation') {
    let total = 0;
    for (const f of fields(operation.selectionSet, w)) {
      const dynamic = DYNAMIC[f.name.value];
      total += dynamic ? dynamic(args(f, variables)) : MUTATION_COST;
    }
    return total;
  }
  const root = schema.getQueryType()!;
  return selectionCost(operation.selectionSet, root, w, data);
}
