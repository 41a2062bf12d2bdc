/** A GraphQL document with its result and variable types, and a cost estimate used before the first reply. */
export interface Document<TData, TVariables> {
  readonly name: string;
  readonly query: string;
  readonly estimatedCost: number;
  /** Phantom fields: carry the types only. */
  readonly __data?: TData;
  readonly __variables?: TVariables;
}

export function document<TData, TVariables = Record<string, never>>(
  name: string,
  query: string,
  estimatedCost: number,
): Document<TData, TVariables> {
  return { name, query, estimatedCost };
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
