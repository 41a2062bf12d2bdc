import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Pool } from 'mysql2/promise';
import type { S3Client } from '@aws-sdk/client-s3';
import { listRejectedFiles, type RejectedFileRecord } from '../lake/rejected-files';
import '../domain/extraction/tables';
import { lakeTable } from '../domain/extraction/lake-tables';
import { replayDeadLetter } from '../lake/dead-letter-replay';
import { listDeadLetters, readDeadLetter } from '../lake/dead-letters';
import type { Lake } from '../lake/lake-writer';
import { handleRulesPage, latestChannelReconciles } from './channel-rules';
import { createCsrf, readForm, type Csrf } from './csrf';
import { renderOpsPage, type OpsSnapshot } from './page';

export interface OpsDeps {
  client: Client;
  pim: Pool;
  orders: Pool;
  /** The channels database: SKUs Amazon refused or could not take, allocation rules, reconcile runs. */
  channels?: Pool;
  /** Where the rules form starts `channelRulesChange` (default `data`, as the CLI does). */
  rulesTaskQueue?: string;
  temporalUiUrl?: string;
  benchDir: string;
  /** Where rejected incoming files and their reasons are (the archive bucket). */
  s3?: S3Client;
  archiveBucket?: string;
  /** The extraction lake: its open dead letters are listed, each with a replay button. */
  lake?: Lake;
  /** The forms' forgery check (default: one with a key of its own, new each start). */
  csrf?: Csrf;
}

/** The ops console: one page of pipeline health for people who run the catalogue, plus its JSON. */
export function startOpsServer(deps: OpsDeps, port: number): Promise<http.Server> {
  const csrf = deps.csrf ?? createCsrf();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://ops');
    if (req.method === 'POST' && url.pathname === '/dead-letters/replay') {
      void readForm(req, 10_000)
        .then(async (form) => {
          const refused = csrf.refusal(req, form);
          if (refused) {
            res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' });
            return res.end(refused);
          }
          const notice = await replayFromForm(deps, form);
          // Post/redirect/get: a reload of the page does not replay again.
          res.writeHead(303, { location: `/?notice=${encodeURIComponent(notice)}#dead-letters` });
          res.end();
        })
        .catch((err: Error) => {
          res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
          res.end(`ops console: ${err.message}`);
        });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD' && url.pathname !== '/channels/rules') {
      res.writeHead(405, { 'content-type': 'text/plain', allow: 'GET' });
      return res.end('GET only');
    }
    if (url.pathname === '/channels/rules' && deps.channels) {
      const rules = { client: deps.client, channels: deps.channels, taskQueue: deps.rulesTaskQueue ?? 'data', csrf };
      handleRulesPage(rules, req, res).catch((err: Error) => {
        if (res.headersSent) return res.end();
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`ops console error: ${err.message}`);
      });
      return;
    }
    snapshot(deps)
      .then((snap) => {
        if (url.pathname.startsWith('/api/status')) {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(snap));
        } else {
          const field = csrf.field(csrf.token(req, res));
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          res.end(renderOpsPage(snap, deps.temporalUiUrl, url.searchParams.get('notice') ?? undefined, field));
        }
      })
      .catch((err: Error) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`ops console error: ${err.message}`);
      });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** The replay button: replays one dead letter (as `backbone lake replay`) and says what came of it. */
async function replayFromForm(deps: OpsDeps, form: URLSearchParams): Promise<string> {
  const key = form.get('key') ?? '';
  if (!deps.lake) return 'no lake configured: nothing to replay';
  // Only open dead letters can be replayed from here (never an arbitrary object of the bucket).
  if (!/^dead-letters\/[\w./=-]+\.json$/.test(key)) return `not a dead letter: ${key}`;
  try {
    const r = await replayDeadLetter(deps.lake, key, lakeTable);
    return (
      `replayed ${key}: ${r.result.written} row(s) written to ${r.tables.join(', ')}, ${r.result.quarantined} still refused` +
      (r.result.deadLetter ? ` (now ${r.result.deadLetter})` : '')
    );
  } catch (err) {
    return `replay of ${key} failed: ${(err as Error).message}`;
  }
}

/** Open dead letters, newest first (at most 50), with what each holds. */
async function deadLetters(deps: OpsDeps): Promise<OpsSnapshot['deadLetters']> {
  if (!deps.lake) return [];
  try {
    const keys = (await listDeadLetters(deps.lake)).reverse().slice(0, 50);
    const letters = await Promise.all(keys.map((key) => readDeadLetter(deps.lake!, key).then((l) => ({ key, l }))));
    return letters
      .map(({ key, l }) => ({
        key,
        table: `${l.source}/${l.entity}`,
        kind: l.kind,
        at: l.at,
        reason: l.reason,
        rows: l.rows?.length ?? null,
      }))
      .sort((a, b) => b.at.localeCompare(a.at));
  } catch {
    return []; // S3 unreachable: the page still renders the rest
  }
}

export async function snapshot(deps: OpsDeps): Promise<OpsSnapshot> {
  const [pipelines, statuses] = await Promise.all([
    countBy(deps.client, 'Pipeline'),
    countBy(deps.client, 'SyncStatus'),
  ]);
  const [syncErrors, counts, rejectedFiles, stockReconcile, letters, channelReconcile] = await Promise.all([
    Promise.all([
      safeRows(
        deps.pim,
        'SELECT channel, pim_product_id AS productId, reason, last_seen AS lastSeen FROM sync_errors WHERE resolved_at IS NULL ORDER BY last_seen DESC LIMIT 50',
      ),
      // Order writes refused (or flagged) because they would take another order's ids: a source that reused ids.
      safeRows(
        deps.orders,
        "SELECT 'shopify-orders' AS channel, order_id AS productId, reason, last_seen AS lastSeen FROM order_write_conflicts WHERE resolved_at IS NULL ORDER BY last_seen DESC LIMIT 50",
      ),
      deps.channels
        ? safeRows(
            deps.channels,
            "SELECT channel, sku AS productId, CONCAT(code, ': ', message) AS reason, last_seen AS lastSeen FROM channel_sync_errors WHERE resolved_at IS NULL ORDER BY last_seen DESC LIMIT 50",
          )
        : Promise.resolve([]),
    ]).then(([products, orders, channels]) => [...products, ...orders, ...channels]),
    Promise.all([
      safeCount(deps.pim, 'SELECT COUNT(*) AS n FROM products'),
      safeCount(deps.pim, "SELECT COUNT(*) AS n FROM channel_mappings WHERE channel = 'shopify'"),
      safeCount(deps.orders, 'SELECT COUNT(*) AS n FROM orders'),
      safeCount(deps.orders, "SELECT COUNT(*) AS n FROM orders WHERE risk_level = 'HIGH'"),
    ]),
    rejected(deps),
    latestStockReconcile(deps.client),
    deadLetters(deps),
    latestChannelReconciles(deps.channels),
  ]);
  const [products, published, orders, highRisk] = counts;
  return {
    pipelines,
    statuses,
    syncErrors,
    rejectedFiles,
    deadLetters: letters,
    counts: { products, published, orders, highRisk },
    stockReconcile,
    channelReconcile,
    benches: benches(deps.benchDir),
  };
}

/** The result of the latest completed stock reconciliation: its summary is the workflow's result. */
async function latestStockReconcile(client: Client): Promise<OpsSnapshot['stockReconcile']> {
  try {
    for await (const wf of client.workflow.list({
      query: "WorkflowType = 'stockReconcile' AND ExecutionStatus = 'Completed'",
      pageSize: 1,
    })) {
      const result = (await client.workflow.getHandle(wf.workflowId, wf.runId).result()) as NonNullable<
        OpsSnapshot['stockReconcile']
      >;
      return { ...result, workflowId: wf.workflowId };
    }
  } catch {
    // Temporal unreachable: the page still renders the rest
  }
  return null;
}

async function rejected(deps: OpsDeps): Promise<RejectedFileRecord[]> {
  if (!deps.s3 || !deps.archiveBucket) return [];
  try {
    return await listRejectedFiles(deps.s3, deps.archiveBucket);
  } catch {
    return []; // S3 unreachable: the page still renders the rest
  }
}

// Visibility's GROUP BY only covers ExecutionStatus, so the page groups the most recent runs itself.
async function countBy(client: Client, attribute: string, limit = 1000): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  let seen = 0;
  try {
    for await (const wf of client.workflow.list({ pageSize: 200 })) {
      const value = wf.typedSearchAttributes.getAll().find((p) => p.key.name === attribute)?.value;
      const key = Array.isArray(value) ? String(value[0] ?? '(none)') : String(value ?? '(none)');
      out[key] = (out[key] ?? 0) + 1;
      if (++seen >= limit) break;
    }
  } catch {
    // Temporal unreachable: the page still renders the rest.
  }
  return out;
}

async function safeRows(pool: Pool, sql: string): Promise<Record<string, unknown>[]> {
  try {
    const [rows] = await pool.query(sql);
    return rows as Record<string, unknown>[];
  } catch {
    return [];
  }
}

async function safeCount(pool: Pool, sql: string): Promise<number | null> {
  const rows = await safeRows(pool, sql);
  return rows.length ? Number(rows[0]!.n) : null;
}

function benches(dir: string): { name: string; result: unknown }[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => ({
      name: f.replace(/\.json$/, ''),
      result: JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as unknown,
    }));
}
