import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShopifyExtractActivities } from '../../../activities/extraction/shopify-extract';
import { ShopifyClient } from '../../../connectors/shopify';
import { definePageParser, pageParser } from '../../../domain/extraction/page-parsers';
import '../../../domain/extraction/tables';
import { listDeadLetters } from '../../../lake/dead-letters';
import { openLakeQuery } from '../../../lake/lake-query';
import type { Lake } from '../../../lake/lake-writer';
import { ensureBuckets } from '../../../lake/s3';
import { startOpsServer } from '../../../ops/server';
import { startShopifySandbox, type ShopifySandbox } from '../../../sandbox/shopify';
import { loadConfig } from '../../../workers/config';
import { createDeps } from '../../../workers/deps';
import { importStockySample } from '../../support/extraction/stock-locations';

const config = loadConfig();
const deps = createDeps(config);
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// The ops console in a real browser: the dead letters of the extraction lake, and the replay button.
describe('ops console: dead letters with a replay action (Chromium via playwright-core)', () => {
  const prefix = `opsdl-${randomUUID().slice(0, 8)}`;
  const lake: Lake = { s3: deps.s3, bucket: `${prefix}-lake`, quarantineBucket: `${prefix}-q` };
  let connection: Connection;
  let server: http.Server;
  let browser: Browser;
  let sb: ShopifySandbox;
  let base: string;

  beforeAll(async () => {
    await ensureBuckets(deps.s3, [lake.bucket, lake.quarantineBucket]);
    connection = await Connection.connect({ address: config.temporal.address });
    server = await startOpsServer(
      {
        client: new Client({ connection, namespace: config.temporal.namespace }),
        pim: deps.pools.pim,
        orders: deps.pools.orders,
        benchDir: '/nonexistent',
        lake,
      },
      0,
    );
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath, headless: true });
    sb = await startShopifySandbox({ plan: 'plus' });
  });
  afterAll(async () => {
    await browser?.close();
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    await sb?.close();
    await connection?.close();
    await deps.close();
  });

  it('lists a page the parser refused and a file’s refused rows; Replay after the fix writes the page’s rows', async () => {
    // A Stocky export with bad rows: one rows letter (three rows refused, each with its reason).
    await importStockySample(lake, 'adjustments');
    // A Shopify orders page this code could not read (as before a fix): kept, the extraction went on.
    sb.storefront.placeOrders({ count: 4, spreadDays: 0 });
    const victim = [...sb.state.orders.values()][3]!.id;
    const real = pageParser('shopify/orders')!;
    definePageParser('shopify/orders', (page) => {
      if ((page as { nodes: { id: string }[] }).nodes.some((n) => n.id === victim))
        throw new Error('unexpected <shape> in order');
      return real(page);
    });
    const shopify = new ShopifyClient({ shop: sb.shop, accessToken: sb.accessToken, adminUrl: sb.adminGraphqlUrl });
    const acts = createShopifyExtractActivities({ shopify, lake, shop: sb.shop, lagMs: 0 });
    try {
      await new MockActivityEnvironment().run(acts.extractShopifyWindow, {
        entity: 'orders' as const,
        until: new Date(Date.now() + 1000).toISOString(),
      });
    } finally {
      definePageParser('shopify/orders', real); // the fix
    }
    const [pageKey] = await listDeadLetters(lake, 'shopify/orders');
    expect(pageKey).toBeDefined();

    const page = await browser.newPage();
    await page.goto(base);
    const section = page.locator('#dead-letters');
    const rows = section.locator('tr', { has: page.locator('form') });
    await expect.poll(() => rows.count()).toBe(2);
    const pageRow = section.locator('tr', { hasText: 'shopify/orders' });
    // The reason shown as text (escaped), the key, the kind.
    expect(await pageRow.locator('td').nth(2).textContent()).toBe('unexpected <shape> in order');
    expect(await pageRow.locator('code').textContent()).toBe(pageKey);
    expect(await section.locator('tr', { hasText: 'stock/adjustments' }).locator('td').nth(1).textContent()).toBe(
      'rows (3 rows)',
    );

    await pageRow.getByRole('button', { name: 'Replay' }).click();
    await page.waitForURL(/notice=/);
    const notice = await section.getByRole('status').textContent();
    expect(notice).toMatch(
      new RegExp(`^replayed ${pageKey}: \\d+ row\\(s\\) written to shopify/orders, shopify/line_items`),
    );
    expect(await section.locator('tr', { hasText: 'shopify/orders' }).count()).toBe(0);
    expect(await listDeadLetters(lake, 'shopify/orders')).toEqual([]);
    const q = await openLakeQuery({ aws: config.aws, s3: deps.s3, bucket: lake.bucket, cacheDir: os.tmpdir() });
    try {
      expect(await q.query('SELECT count(*)::INT AS n FROM shopify.orders')).toEqual([{ n: 4 }]);
    } finally {
      q.close();
    }

    // Rows still refused by the same schema: the console says so and the letter is replaced, not lost.
    await section.locator('tr', { hasText: 'stock/adjustments' }).getByRole('button', { name: 'Replay' }).click();
    await page.waitForURL(/notice=replayed/);
    expect(await section.getByRole('status').textContent()).toMatch(
      /0 row\(s\) written to stock\/adjustments, 3 still refused \(now dead-letters\/stock\/adjustments\//,
    );
    // Forms are guarded against cross-site forgery: a post without the session's token (cookie and form field) is
    // refused, and so is one another site's page sends, token or not; the letter stays where it is.
    const [stockKey] = await listDeadLetters(lake, 'stock/adjustments');
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(`${base}/dead-letters/replay`, {
        method: 'POST',
        body,
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      });
    const form = (t: string, key = stockKey!) => `key=${encodeURIComponent(key)}&csrf=${encodeURIComponent(t)}`;
    const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    expect((await post(`key=${encodeURIComponent(stockKey!)}`)).status).toBe(403);
    expect((await post(`key=${encodeURIComponent(stockKey!)}`, { cookie })).status).toBe(403);
    const token = await section.locator('input[name=csrf]').first().inputValue();
    expect((await post(form(token))).status).toBe(403); // the field without its cookie
    expect((await post(form(`${token.slice(0, -2)}xx`), { cookie })).status).toBe(403);
    expect((await post(form(token), { cookie, origin: 'http://attacker.example' })).status).toBe(403);
    expect((await post(form(token), { cookie, 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    // The same form on another site's page, submitted in the browser (its SameSite=Strict cookie is not sent).
    const other = await browser.newPage();
    await other.route('http://attacker.example/', (r) =>
      r.fulfill({
        contentType: 'text/html',
        body: `<form method="post" action="${base}/dead-letters/replay"><input name="key" value="${stockKey}"><input name="csrf" value="${token}"><button>go</button></form>`,
      }),
    );
    await other.goto('http://attacker.example/');
    const [forged] = await Promise.all([
      other.waitForResponse((r) => r.url().startsWith(`${base}/dead-letters/replay`)),
      other.getByRole('button', { name: 'go' }).click(),
    ]);
    expect(forged.status()).toBe(403);
    await other.close();
    expect(await listDeadLetters(lake, 'stock/adjustments')).toEqual([stockKey]);

    // A key that is not a dead letter is refused without touching the bucket.
    const res = await post(form(token, '_cursors/x.json'), { cookie });
    expect(decodeURIComponent(res.headers.get('location') ?? '')).toContain('not a dead letter: _cursors/x.json');
    await page.close();
  });
});
