import type { ShopifyClient } from './client';
import type { Connection, Document } from './documents/define';

/** Where the connection sits in a reply: a function, or a dotted path such as `'orders'` or `'product.variants'`. */
export type ConnectionPath<TData, TNode> = ((data: TData) => Connection<TNode>) | string;

function connectionAt<TData, TNode>(data: TData, path: ConnectionPath<TData, TNode>): Connection<TNode> {
  if (typeof path === 'function') return path(data);
  const found = path.split('.').reduce<unknown>((at, key) => (at as Record<string, unknown> | null)?.[key], data);
  if (!found || typeof found !== 'object' || !('pageInfo' in found))
    throw new TypeError(`no connection with pageInfo at '${path}' in the reply`);
  return found as Connection<TNode>;
}

/**
 * Pages through a cursor connection, yielding one page of nodes at a time (the document must take `$after`
 * and select `nodes` and `pageInfo { hasNextPage endCursor }`). Start from a saved cursor with `variables.after`.
 */
export async function* paginate<TData, TVariables extends { after?: string | null }, TNode = unknown>(
  client: ShopifyClient,
  doc: Document<TData, TVariables>,
  variables: TVariables,
  connectionOf: ConnectionPath<TData, TNode>,
): AsyncGenerator<TNode[]> {
  let after = variables.after ?? null;
  for (;;) {
    const page = connectionAt(await client.request(doc, { ...variables, after }), connectionOf);
    yield page.nodes;
    if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return;
    after = page.pageInfo.endCursor;
  }
}
