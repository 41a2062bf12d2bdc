/** A GraphQL document with its result and variable types, and a cost estimate used before the first reply. */
export interface Document<TData, TVariables> {
  readonly name: string;
  readonly query: string;
  readonly estimatedCost: number;
  /** Phantom fields: carry the types only. */
  readonly __data?: TData;
  readonly __variables?: TVariables;
}

// Every document built with document(), wherever it is declared: the schema test validates them all.
const registry = new Set<Document<unknown, unknown>>();

/** Declares a typed document; `estimatedCost` is used until Shopify has reported the real requested cost. */
export function document<TData, TVariables = Record<string, never>>(
  name: string,
  query: string,
  estimatedCost: number,
): Document<TData, TVariables> {
  const doc = { name, query, estimatedCost };
  registry.add(doc);
  return doc;
}

/** Documents declared so far in this process (in modules that have been imported). */
export function registeredDocuments(): readonly Document<unknown, unknown>[] {
  return [...registry];
}

export interface UserError {
  field: string[] | null;
  message: string;
  code?: string | null;
}
export interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}
export interface Connection<T> {
  nodes: T[];
  pageInfo: PageInfo;
}
