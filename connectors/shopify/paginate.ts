import type { ShopifyClient } from './client';
import type { Connection, Document } from './documents/define';

/** Pages through a cursor connection, yielding one page of nodes at a time. */
export async function* paginate<TData, TVariables extends { after?: string | null }, TNode>(
  client: ShopifyClient,
  doc: Document<TData, TVariables>,
  variables: TVariables,
  connectionOf: (data: TData) => Connection<TNode>,
): AsyncGenerator<TNode[]> {
  let after = variables.after ?? null;
  for (;;) {
    const page = connectionOf(await client.request(doc, { ...variables, after }));
    yield page.nodes;
    if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return;
    after = page.pageInfo.endCursor;
  }
}
