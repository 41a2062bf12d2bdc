import { nowIso, type ShopState, type SbBulkOperation } from './state';
import type { WebhookDispatcher } from './webhooks';

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

export interface RunnerOptions {
  baseUrl: () => string;
  rowsPerSecond: number;
  /** Fault injection: the operation fails (INTERNAL_SERVER_ERROR) after this many objects, keeping partial data. */
  failAfterObjects: () => number | undefined;
}

/** Runs bulk operations at a bounded rate, writes their JSONL and fires bulk_operations/finish. */
export function bulkRunner(s: ShopState, hooks: WebhookDispatcher, opts: RunnerOptions) {
  function finish(
    op: SbBulkOperation,
    out: string[],
    status: SbBulkOperation['status'],
    errorCode: string | null = null,
  ) {
    const body = Buffer.from(out.join(''));
    const key = `bulk/${op.id.split('/').pop()}.jsonl`;
    s.files.set(key, body);
    op.status = status;
    op.errorCode = errorCode;
    op.completedAt = nowIso();
    op.fileSize = out.length ? body.length : null;
    const url = out.length ? `${opts.baseUrl()}/_files/${key}` : null;
    if (status === 'COMPLETED') op.url = url;
    else op.partialDataUrl = url;
    hooks.emit('BULK_OPERATIONS_FINISH', {
      admin_graphql_api_id: op.id,
      completed_at: op.completedAt,
      created_at: op.createdAt,
      error_code: errorCode?.toLowerCase() ?? null,
      status: status.toLowerCase(),
      type: op.type.toLowerCase(),
    });
  }

  // Rows are processed at the configured rate in short slices (at most ~10 ms of work each), so a client can
  // observe (and die during) RUNNING and ordinary API requests are served between slices.
  async function run(
    op: SbBulkOperation,
    total: number,
    row: (i: number) => Promise<{ line: string; root: boolean }>,
  ): Promise<void> {
    op.status = 'RUNNING';
    const out: string[] = [];
    const failAfter = opts.failAfterObjects();
    // A token bucket holding at most 50 ms of rows: a slow (loaded) process falls behind the rate instead of
    // bursting to catch up, so operations never finish sooner than rowsPerSecond allows.
    const burst = Math.max(1, opts.rowsPerSecond / 20);
    let credit = 1;
    let last = performance.now();
    for (let i = 0; i < total;) {
      if ((op.status as SbBulkOperation['status']) === 'CANCELING') return finish(op, out, 'CANCELED');
      const now = performance.now();
      credit = Math.min(burst, credit + ((now - last) / 1000) * opts.rowsPerSecond);
      last = now;
      while (i < total && credit >= 1 && performance.now() - now < 10) {
        if (failAfter !== undefined && op.objectCount >= failAfter)
          return finish(op, out, 'FAILED', 'INTERNAL_SERVER_ERROR');
        const { line, root } = await row(i++);
        credit--;
        out.push(line);
        op.objectCount++;
        if (root) op.rootObjectCount++;
      }
      // Out of credit: sleep until the next row is due; otherwise just let the event loop breathe.
      const dueIn = credit >= 1 ? 0 : ((1 - credit) / opts.rowsPerSecond) * 1000;
      await new Promise((r) => (dueIn > 1 ? setTimeout(r, Math.min(dueIn, 50)) : setImmediate(r)));
    }
    finish(op, out, 'COMPLETED');
  }

  return { run, finish };
}
