import fs from 'node:fs';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MockActivityEnvironment } from '@temporalio/testing';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listingsStore } from '../../../activities/channels/listings-store';
import { createReconcileActivities } from '../../../activities/channels/reconcile';
import { createRulesActivities } from '../../../activities/channels/rules-activities';
import { currentRules } from '../../../activities/channels/rules-store';
import { withTemporalFailures } from '../../../activities/platform/failures';
import { channelsDb, createPool } from '../../../db/client';
import { createS3Client } from '../../../lake/s3';
import { startOpsServer } from '../../../ops/server';
import { loadConfig } from '../../../workers/config';
import { freshDatabases, type FreshDatabases } from '../../support/db';
import { temporalHarness, type TemporalHarness } from '../../support/temporal';

// The Debian chromium driven by playwright-core (no browser download), as scripts/screenshot-ui.ts does.
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// #13: "Rules are data (a table and a CLI / console form), validated, versioned, and a change of rules re-syncs the
// SKUs it affects"; the reconcile report goes "to the lake and the ops console".
describe('ops console: allocation rules form and the latest channel reconcile', () => {
  let dbs: FreshDatabases;
  let channels: ReturnType<typeof createPool>;
  let inventory: ReturnType<typeof createPool>;
  let pim: ReturnType<typeof createPool>;
  let orders: ReturnType<typeof createPool>;
  let t: TemporalHarness;
  let server: http.Server;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    expect(fs.existsSync(executablePath), `no Chromium at ${executablePath} (apt-get install chromium)`).toBe(true);
    dbs = await freshDatabases();
    channels = createPool(dbs.channels);
    inventory = createPool(dbs.inventory);
    pim = createPool(dbs.pim);
    orders = createPool(dbs.orders);
    t = await temporalHarness('ops-channel-rules');
    server = await startOpsServer(
      { client: t.client, pim, orders, channels, benchDir: '/nonexistent', rulesTaskQueue: t.queue('data') },
      0,
    );
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((r) => (server ? (server.closeAllConnections(), server.close(() => r())) : r()));
    await t?.close();
    await Promise.all([channels, inventory, pim, orders].map((p) => p?.end()));
    await dbs?.drop();
  });

  it('shows the rules, refuses a bad document with every problem, saves a good one as a new version and re-syncs', async () => {
    const acts = withTemporalFailures(createRulesActivities({ channels, inventory, temporal: async () => t.client }));
    await t.withWorkers({ data: acts }, async () => {
      const page = await browser.newPage();
      await page.goto(`${base}/channels/rules`);
      await expect(page.locator('#version').textContent()).resolves.toBe('version 0');

      // A percent above 100 and a channel that does not exist: nothing is stored, the text stays for editing.
      const bad = '{"channels": {"amazon": {"percent": 120}, "ebay": {}}}';
      await page.fill('#doc', bad);
      await page.click('button[type=submit]');
      const alert = page.getByRole('alert');
      await expect(alert.textContent()).resolves.toMatch(/channels\.amazon\.percent/);
      await expect(alert.textContent()).resolves.toMatch(/ebay/);
      await expect(page.inputValue('#doc')).resolves.toBe(bad);
      expect((await currentRules(channelsDb(channels))).version).toBe(0);

      // YAML, as `channels rules set` takes it.
      await page.fill(
        '#doc',
        'channels:\n  shopify: { percent: 60, priority: 1 }\n  amazon: { percent: 40, buffer: 1 }\n',
      );
      await page.fill('input[name=note]', 'Amazon 40 % for the launch');
      await page.click('button[type=submit]');
      await expect(page.getByRole('status').textContent()).resolves.toMatch(/Saved version 1; re-syncing every SKU/);
      await expect(page.locator('#version').textContent()).resolves.toBe('version 1');
      await expect(page.locator('#history').textContent()).resolves.toMatch(/ops-console.*Amazon 40 % for the launch/);
      const now = await currentRules(channelsDb(channels));
      expect(now.set.channels.amazon).toEqual({ percent: 40, buffer: 1 });
      // The change re-synced every channel: the Amazon channels' sync was signalled on this file's queue.
      for (const c of ['amazon', 'amazon-vendor']) {
        const h = t.client.workflow.getHandle(`channel-sync/${c}@${t.queue('amazon')}`);
        expect((await h.describe()).taskQueue).toBe(t.queue('amazon'));
        await h.terminate();
      }
      // A post without the form's CSRF token (another site's page, a script) is refused and stores nothing.
      const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
      const forged = await fetch(`${base}/channels/rules`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        body: `doc=${encodeURIComponent('{"channels": {"amazon": {"percent": 100}}}')}`,
        redirect: 'manual',
      });
      expect(forged.status).toBe(403);
      expect((await currentRules(channelsDb(channels))).version).toBe(1);
      await page.close();
    });
  }, 120_000);

  it('the front page shows the latest reconcile of each channel', async () => {
    // A Vendor Central listing whose accepted quantity is not its allocation: the reconcile finds it drifted.
    await listingsStore(channels).enroll('amazon-vendor', ['VC-DRIFT-1'], null);
    await channels.query(
      "UPDATE channel_listings SET allocated = 4, sent = 6, confirmed = 6, status = 'accepted' WHERE sku = 'VC-DRIFT-1'",
    );
    const config = loadConfig();
    const s3 = createS3Client(config.aws);
    const reconcile = createReconcileActivities({ channels, s3, lakeBucket: config.aws.buckets.lake });
    await new MockActivityEnvironment().run(reconcile.reconcileChannel, {
      channel: 'amazon-vendor' as const,
      runId: `ops-${Date.now()}`,
    });
    s3.destroy();
    const page = await browser.newPage();
    await page.goto(base);
    const row = page.locator('#channel-reconcile tr', { hasText: 'amazon-vendor' });
    // channel, checked 1, drifted 1, corrected 1, failed 0, units at risk 2
    await expect(row.locator('td').allTextContents()).resolves.toEqual(
      expect.arrayContaining(['amazon-vendor', '1', '1', '1', '0', '2']),
    );
    await page.click('text=Allocation rules');
    await expect(page.locator('h1').textContent()).resolves.toBe('Allocation rules');
    await page.close();
  }, 60_000);
});
