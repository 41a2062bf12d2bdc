/**
 * Screenshots the Temporal Web UI for the README: the run list filtered by a search attribute, then the newest run's
 * summary / details / current details and its timeline (activity summaries). The UI's list has no summary column
 * (visibility does not return user metadata), so the run's own page shows them.
 *
 *
 *   npm start                      # in one terminal: the local stack with the demo's runs
 *   npx tsx scripts/screenshot-ui.ts [--query 'Pipeline="product-publish"'] [--out-dir docs]
 *
 * Drives the Debian `chromium` (apt-get install chromium fonts-dejavu-core; CHROMIUM_PATH overrides) with
 * playwright-core: no browser download. The UI address comes from TEMPORAL_UI_URL or the running stack's env file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { loadStackEnv } from '../stack/env-file';
import { DEFAULT_PORTS } from '../stack/ports';

const root = path.resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    query: { type: 'string', default: 'Pipeline="product-publish"' },
    'out-dir': { type: 'string', default: 'docs' },
    columns: { type: 'string', default: 'ProductId,Sku,SyncStatus' },
    namespace: { type: 'string', default: process.env.TEMPORAL_NAMESPACE ?? 'default' },
    width: { type: 'string', default: '1600' },
    height: { type: 'string', default: '900' },
  },
});

loadStackEnv(root);
const ui = (process.env.TEMPORAL_UI_URL ?? `http://127.0.0.1:${DEFAULT_PORTS.temporalUi}`).replace(/\/$/, '');
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!fs.existsSync(executablePath)) {
  console.error(
    `no Chromium at ${executablePath}: apt-get install -y chromium fonts-dejavu-core (or set CHROMIUM_PATH)`,
  );
  process.exit(1);
}

const list = `${ui}/namespaces/${encodeURIComponent(values.namespace)}/workflows?query=${encodeURIComponent(values.query)}`;
const outDir = path.resolve(root, values['out-dir']);
fs.mkdirSync(outDir, { recursive: true });
const saved: string[] = [];
const browser = await chromium.launch({ executablePath, headless: true });
try {
  const page = await browser.newPage({ viewport: { width: Number(values.width), height: Number(values.height) } });
  // The run page's sections are tabs (links in some UI versions).
  const tab = (name: string) =>
    page
      .getByRole('tab', { name, exact: true })
      .or(page.getByRole('link', { name, exact: true }))
      .first();
  const shoot = async (name: string) => {
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: path.join(outDir, name) });
    saved.push(path.relative(root, path.join(outDir, name)));
  };
  await page.goto(list, { waitUntil: 'networkidle' });
  // The list renders once the visibility query answered: wait for at least one run's row.
  await page.locator('table tbody tr').first().waitFor({ timeout: 30_000 });
  // Business keys instead of run ids: the same column configuration an operator would pick.
  await page.getByTestId('workflows-summary-table-configuration-button').click();
  for (const column of ['Run ID', 'Type', 'End'])
    await page.getByTestId(`orderable-list-item-${column}-remove-button`).click();
  for (const column of values.columns.split(','))
    await page.getByTestId(`orderable-list-item-${column}-add-button`).click();
  await page.getByRole('button', { name: /close/i }).filter({ visible: true }).first().click();
  await page.getByRole('heading', { name: 'Configure Workflows Table' }).waitFor({ state: 'hidden' });
  await shoot('temporal-ui-runs.png');

  // The newest run of the list: its summary, details and current details, then its activities' summaries.
  await page.locator('table tbody tr').first().locator('a[href*="/workflows/"]').first().click();
  await tab('User Metadata').click();
  await page.getByText('Current Details').waitFor();
  await shoot('temporal-ui-run-metadata.png');
  await tab('Timeline').click();
  await page.getByRole('heading', { name: 'Timeline' }).waitFor();
  // The run page scrolls inside its own container: a taller window shows the whole timeline.
  await page.setViewportSize({ width: Number(values.width), height: Number(values.height) + 250 });
  await shoot('temporal-ui-run-timeline.png');
} finally {
  await browser.close();
}
console.log(`${list}\n→ ${saved.join(', ')}`);
