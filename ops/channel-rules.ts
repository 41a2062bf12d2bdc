import { createHash } from 'node:crypto';
import type http from 'node:http';
import type { Client } from '@temporalio/client';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import { parse as parseYaml } from 'yaml';
import { currentRules } from '../activities/channels/rules-store';
import { channelsDb } from '../db/client';
import { channelRulesRun } from '../domain/channels/run-summaries';
import { InvalidRules, parseRuleSet } from '../domain/channels/rules';
import { readForm, type Csrf } from './csrf';

export interface RulesPageDeps {
  client: Client;
  channels: Pool;
  /** Where `channelRulesChange` runs (the data queue, as `channels rules set` starts it). */
  taskQueue: string;
  /** The console's forgery check (ops/csrf.ts): the form carries its token, a post is refused without it. */
  csrf: Csrf;
}

/** The latest reconcile of each channel (`channel_reconcile_runs`), for the console's front page. */
export async function latestChannelReconciles(channels: Pool | undefined): Promise<Record<string, unknown>[]> {
  if (!channels) return [];
  try {
    const [rows] = await channels.query<RowDataPacket[]>(
      'SELECT r.channel, r.checked, r.drifted, r.corrected, r.failed, r.units_at_risk AS unitsAtRisk, r.report_key AS reportKey, r.created_at AS at ' +
        'FROM channel_reconcile_runs r JOIN (SELECT channel, MAX(created_at) AS m FROM channel_reconcile_runs GROUP BY channel) l ' +
        'ON l.channel = r.channel AND l.m = r.created_at ORDER BY r.channel',
    );
    return rows;
  } catch {
    return []; // the channels database unreachable: the page still renders the rest
  }
}

const esc = (v: unknown) =>
  String(v ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

async function renderRulesPage(
  deps: RulesPageDeps,
  state: { text?: string; note?: string; problems?: string[]; saved?: string; token: string },
): Promise<string> {
  const db = channelsDb(deps.channels);
  const now = await currentRules(db);
  const [history] = await deps.channels.query<RowDataPacket[]>(
    'SELECT version, author, note, created_at AS at FROM allocation_rule_versions ORDER BY version DESC LIMIT 10',
  );
  const text = state.text ?? JSON.stringify(now.set, null, 2);
  const problems = state.problems?.length
    ? `<div class="problems" role="alert"><b>Not saved: the rules do not validate</b><ul>${state.problems
        .map((p) => `<li>${esc(p)}</li>`)
        .join('')}</ul></div>`
    : '';
  const saved = state.saved ? `<p class="saved" role="status">${esc(state.saved)}</p>` : '';
  const rows = history
    .map(
      (h) =>
        `<tr><td>${h.version}</td><td>${esc(h.author)}</td><td>${esc(h.note)}</td><td>${esc((h.at as Date).toISOString?.() ?? h.at)}</td></tr>`,
    )
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Allocation rules — ops</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem;color:#222}textarea{width:100%;max-width:60rem;height:24rem;font:13px monospace}
.problems{border:1px solid #c33;background:#fee;padding:8px 16px}.saved{border:1px solid #3a3;background:#efe;padding:8px 16px}
td,th{padding:2px 8px;text-align:left}</style></head>
<body><h1>Allocation rules</h1><p><a href="/">← ops console</a></p>
<p>In force: <b id="version">version ${now.version}</b>${now.version ? '' : ' (none set: Shopify offers everything, Amazon nothing)'}.
A change is validated, stored as a new version and re-syncs the SKUs it affects on every channel (as <code>channels rules set</code>).</p>
${saved}${problems}
<form method="post" action="/channels/rules">${deps.csrf.field(state.token)}
<p><label for="doc">Rules (JSON or YAML): a rule per channel (<code>shopify</code>, <code>amazon</code>, <code>amazon-vendor</code>) with
<code>percent</code>, <code>buffer</code>, <code>minListed</code>, <code>maxListed</code>, <code>stopBelow</code>, <code>priority</code>, <code>enabled</code>; <code>overrides</code> per SKU.</label></p>
<textarea id="doc" name="doc" spellcheck="false">${esc(text)}</textarea>
<p><label>Note <input name="note" size="60" value="${esc(state.note ?? '')}"></label></p>
<p><button type="submit">Save as a new version</button></p>
</form>
<h2>Versions</h2><table id="history"><tr><th>version</th><th>author</th><th>note</th><th>at</th></tr>${rows || '<tr><td colspan="4">none yet</td></tr>'}</table>
</body></html>`;
}

/**
 * GET /channels/rules: the rules in force and their history, in a form. POST: the edited document is parsed
 * (YAML, so JSON too) and validated here, so a bad document comes back with every problem and nothing is stored;
 * a good one goes through `channelRulesChange` like the CLI's, which stores the version and re-syncs.
 */
export async function handleRulesPage(
  deps: RulesPageDeps,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  const send = (status: number, html: string) => {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
  };
  const token = deps.csrf.token(req, res);
  if (req.method === 'GET') {
    const saved = new URL(req.url ?? '/', 'http://ops').searchParams.get('saved');
    return send(200, await renderRulesPage(deps, { saved: saved ?? undefined, token }));
  }
  if (req.method !== 'POST') return send(405, 'GET or POST');
  const form = await readForm(req, 256 * 1024);
  const refused = deps.csrf.refusal(req, form);
  if (refused) return send(403, esc(refused));
  const text = form.get('doc') ?? '';
  const note = (form.get('note') ?? '').slice(0, 500);
  let doc: unknown;
  try {
    doc = parseYaml(text);
    parseRuleSet(doc);
  } catch (err) {
    const problems = err instanceof InvalidRules ? err.problems : [`not YAML or JSON: ${(err as Error).message}`];
    return send(400, await renderRulesPage(deps, { text, note, problems, token }));
  }
  const author = 'ops-console';
  const result = (await deps.client.workflow.execute('channelRulesChange', {
    taskQueue: deps.taskQueue,
    workflowId: `channel-rules/${createHash('sha256').update(text).digest('hex').slice(0, 16)}-${Date.now()}`,
    args: [{ doc, author, note: note || undefined }],
    ...channelRulesRun(author),
  })) as { version: number; affected: number | 'all' };
  const msg = `Saved version ${result.version}; re-syncing ${result.affected === 'all' ? 'every SKU' : `${result.affected} SKUs`}.`;
  res.writeHead(303, { location: `/channels/rules?saved=${encodeURIComponent(msg)}` });
  res.end();
}
