export interface OpsSnapshot {
  pipelines: Record<string, number>;
  statuses: Record<string, number>;
  syncErrors: Record<string, unknown>[];
  /** Files moved out of incoming/ as unusable, newest first, with why. */
  rejectedFiles: {
    domain: string;
    key: string;
    reason: string;
    type: string;
    rejectedAt: string;
    rejectedKey: string;
  }[];
  /** Open dead letters of the extraction lake (pages or rows that could not go in), newest first. */
  deadLetters: { key: string; table: string; kind: 'page' | 'rows'; at: string; reason: string; rows: number | null }[];
  counts: Record<string, number | null>;
  /** The latest completed `stockReconcile` (store DB × ledger × Shopify), as its workflow returned it. */
  stockReconcile?: {
    workflowId: string;
    runId: string;
    day: string;
    counts: {
      compared: number;
      inSync: number;
      differences: number;
      byClass: Record<string, { rows: number; units: number; value: number }>;
    };
    corrections: Record<string, number>;
    rejected: { read: number; rejected: number };
    keys: { differences: string };
  } | null;
  /** The latest `channel-reconcile` run of each channel (checked, drifted, corrected, failed, units at risk). */
  channelReconcile?: Record<string, unknown>[];
  benches: { name: string; result: unknown }[];
}

const esc = (v: unknown) =>
  String(v ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

function bars(title: string, data: Record<string, number>, link?: (key: string) => string): string {
  const max = Math.max(1, ...Object.values(data));
  const rows = Object.entries(data)
    .sort((a, b) => b[1] - a[1])
    .map(
      ([k, n]) =>
        `<tr><td>${link ? `<a href="${esc(link(k))}">${esc(k)}</a>` : esc(k)}</td><td class="bar"><span style="width:${(100 * n) / max}%"></span></td><td>${n}</td></tr>`,
    )
    .join('');
  return `<section><h2>${esc(title)}</h2><table>${rows || '<tr><td>none yet</td></tr>'}</table></section>`;
}

/**
 * Server-rendered HTML, no scripts: readable without a front-end build. `formField` is the hidden input each form
 * carries (the session's CSRF token, ops/csrf.ts); without it the server refuses the form.
 */
export function renderOpsPage(s: OpsSnapshot, temporalUi?: string, notice?: string, formField = ''): string {
  const ui = temporalUi ?? 'http://127.0.0.1:8233';
  const search = (attr: string) => (value: string) =>
    `${ui}/namespaces/default/workflows?query=${encodeURIComponent(`${attr}="${value}"`)}`;
  const counts = Object.entries(s.counts)
    .map(([k, v]) => `<div class="tile"><b>${v ?? '–'}</b><span>${esc(k)}</span></div>`)
    .join('');
  const errors = s.syncErrors
    .map(
      (e) =>
        `<tr><td>${esc(e.channel)}</td><td>${esc(e.productId)}</td><td>${esc(e.reason)}</td><td>${esc(e.lastSeen)}</td></tr>`,
    )
    .join('');
  const rejected = s.rejectedFiles
    .map(
      (r) =>
        `<tr><td>${esc(r.domain)}</td><td>${esc(r.key)}</td><td>${esc(r.reason)}</td><td>${esc(r.rejectedAt)}</td><td>${esc(r.rejectedKey)}</td></tr>`,
    )
    .join('');
  // A plain form per letter: the replay is a POST, answered with a redirect back here and what came of it.
  const letters = s.deadLetters
    .map(
      (d) =>
        `<tr><td>${esc(d.table)}</td><td>${esc(d.kind)}${d.rows != null ? ` (${d.rows} rows)` : ''}</td><td>${esc(d.reason)}</td><td>${esc(d.at)}</td><td><code>${esc(d.key)}</code></td><td><form method="post" action="/dead-letters/replay">${formField}<input type="hidden" name="key" value="${esc(d.key)}"><button type="submit">Replay</button></form></td></tr>`,
    )
    .join('');
  const r = s.stockReconcile;
  const recon = r
    ? `<p>${esc(r.day)} · ${r.counts.compared} compared · ${r.counts.inSync} in sync · ${r.counts.differences} differ · corrections ${esc(
        Object.entries(r.corrections)
          .map(([k, v]) => `${k} ${v}`)
          .join(', '),
      )} · ${r.rejected.rejected} rows rejected · report <code>${esc(r.keys.differences)}</code></p><table><tr><th>class</th><th>rows</th><th>units</th><th>value at shelf price</th></tr>${Object.entries(
        r.counts.byClass,
      )
        .map(
          ([c, b]) => `<tr><td>${esc(c)}</td><td>${b.rows}</td><td>${b.units}</td><td>${b.value.toFixed(2)}</td></tr>`,
        )
        .join('')}</table>`
    : 'none completed yet';
  const channelRecon = (s.channelReconcile ?? [])
    .map(
      (c) =>
        `<tr><td>${esc(c.channel)}</td><td>${esc(c.checked)}</td><td>${esc(c.drifted)}</td><td>${esc(c.corrected)}</td><td>${esc(c.failed)}</td><td>${esc(c.unitsAtRisk)}</td><td>${esc(c.at instanceof Date ? c.at.toISOString() : c.at)}</td><td><code>${esc(c.reportKey)}</code></td></tr>`,
    )
    .join('');
  const benches = s.benches
    .map(
      (b) => `<details><summary>${esc(b.name)}</summary><pre>${esc(JSON.stringify(b.result, null, 2))}</pre></details>`,
    )
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Commerce Backbone — ops</title>
<meta http-equiv="refresh" content="10">
<style>body{font:14px system-ui,sans-serif;margin:2rem;color:#222}h1{font-size:1.4rem}section{margin:1.5rem 0}
table{border-collapse:collapse}td{padding:2px 8px}.bar{width:300px}.bar span{display:block;height:12px;background:#4a7}
.tile{display:inline-block;border:1px solid #ddd;padding:8px 16px;margin-right:8px;border-radius:6px}.tile b{display:block;font-size:1.4rem}</style></head>
<body><h1>Commerce Backbone — ops console</h1>
<p>Temporal UI: <a href="${esc(ui)}">${esc(ui)}</a> · JSON: <a href="/api/status">/api/status</a> · refreshes every 10 s</p>
<section>${counts}</section>
${bars('Workflows by pipeline', s.pipelines, search('Pipeline'))}
${bars('Workflows by sync status', s.statuses, search('SyncStatus'))}
<section><h2>Open sync errors</h2><table><tr><th>channel</th><th>product</th><th>reason</th><th>last seen</th></tr>${errors || '<tr><td colspan="4">none</td></tr>'}</table></section>
<section><h2>Rejected files</h2><p>Moved out of incoming/ as unusable; the reason object is beside each in the archive bucket.</p><table><tr><th>source</th><th>file</th><th>reason</th><th>rejected at</th><th>now at</th></tr>${rejected || '<tr><td colspan="5">none</td></tr>'}</table></section>
<section id="dead-letters"><h2>Dead letters</h2><p>Source pages or rows the lake could not take, kept with the request, the reply and the reason. Replay after the fix (or <code>backbone lake replay &lt;key&gt;</code>).</p>${notice ? `<p class="notice" role="status">${esc(notice)}</p>` : ''}<table><tr><th>table</th><th>kind</th><th>reason</th><th>at</th><th>key</th><th></th></tr>${letters || '<tr><td colspan="6">none</td></tr>'}</table></section>
<section><h2>Stock reconciliation (latest)</h2>${recon}</section>
<section id="channel-reconcile"><h2>Channel reconciliation (latest per channel)</h2><p>What each channel offers against its allocation; drift is re-sent. <a href="/channels/rules">Allocation rules</a></p><table><tr><th>channel</th><th>checked</th><th>drifted</th><th>corrected</th><th>failed</th><th>units at risk</th><th>at</th><th>report</th></tr>${channelRecon || '<tr><td colspan="8">none yet</td></tr>'}</table></section>
<section><h2>Benchmarks</h2>${benches || 'none run yet (npm run bench)'}</section>
</body></html>`;
}
