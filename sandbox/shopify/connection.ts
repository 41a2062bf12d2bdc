import { GraphQLError } from 'graphql';

export interface ConnectionArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
  reverse?: boolean | null;
}

export interface SandboxContext {
  /** Bulk queries may select connections without first/last; ordinary requests must page. */
  bulk: boolean;
}

const encode = (i: number) => Buffer.from(`i:${i}`).toString('base64url');
const decode = (c: string) => Number(Buffer.from(c, 'base64url').toString().slice(2));

/** A Relay connection over an ordered list, paged like Shopify's (first/after, last/before, reverse). */
export function connection<T>(all: T[], args: ConnectionArgs, ctx?: SandboxContext) {
  if (!ctx?.bulk && args.first == null && args.last == null)
    throw new GraphQLError('you must provide one of first or last', { extensions: { code: 'BAD_REQUEST' } });
  if ((args.first ?? 0) > 250 || (args.last ?? 0) > 250)
    throw new GraphQLError('The first or last argument cannot exceed 250.', { extensions: { code: 'BAD_REQUEST' } });
  const items = args.reverse ? [...all].reverse() : all;
  let start = args.after ? decode(args.after) + 1 : 0;
  let end = args.before ? decode(args.before) : items.length;
  if (args.first != null) end = Math.min(end, start + args.first);
  if (args.last != null) start = Math.max(start, end - args.last);
  const slice = items.slice(start, end).map((node, k) => ({ node, cursor: encode(start + k) }));
  return {
    edges: slice,
    nodes: slice.map((e) => e.node),
    pageInfo: {
      hasNextPage: end < items.length,
      hasPreviousPage: start > 0,
      startCursor: slice[0]?.cursor ?? null,
      endCursor: slice.at(-1)?.cursor ?? null,
    },
  };
}
