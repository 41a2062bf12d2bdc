import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLightspeedSalesActivities } from '../../../activities/extraction/lightspeed-sales';
import { createShopifyExtractActivities } from '../../../activities/extraction/shopify-extract';
import { BucketPacer, LightspeedClient } from '../../../connectors/lightspeed';
import { ShopifyClient } from '../../../connectors/shopify';
import { lakeTable } from '../../../domain/extraction/lake-tables';
import { definePageParser, pageParser } from '../../../domain/extraction/page-parsers';
import '../../../domain/extraction/tables';
import { replayDeadLetter } from '../../../lake/dead-letter-replay';
import { listDeadLetters, readDeadLetter } from '../../../lake/dead-letters';
import { openLakeQuery } from '../../../lake/lake-query';
import type { Lake } from '../../../lake/lake-writer';
import { createS3Client, ensureBuckets } from '../../../lake/s3';
import { startLightspeedSandbox, type LightspeedSandbox } from '../../../sandbox/lightspeed';
import { startShopifySandbox, type ShopifySandbox } from '../../../sandbox/shopify';
import { loadConfig } from '../../../workers/config';

const config = loadConfig();
const s3 = createS3Client(config.aws);
afterAll(() => s3.destroy());

async function freshLake(tag: string): Promise<Lake> {
  const p = `${tag}-${randomUUID().slice(0, 8)}`;
  const lake = { s3, bucket: `${p}-lake`, quarantineBucket: `${p}-q` };
  await ensureBuckets(s3, [lake.bucket, lake.quarantineBucket]);
  return lake;
}
async function query(lake: Lake, sql: string): Promise<Record<string, number>[]> {
  const q = await openLakeQuery({ aws: config.aws, s3, bucket: lake.bucket, cacheDir: os.tmpdir() });
  try {
    return (await q.query(sql)) as Record<string, number>[];
  } finally {
    q.close();
  }
}

/**
 * The code as it was before a fix: the named page parser fails on pages holding `bad` (as a parser meets a shape
 * it doesn't know), and reads every other page as the real one does. `fix()` puts the real parser back.
 */
function breakParser(name: string, bad: (page: unknown) => boolean) {
  const real = pageParser(name)!;
  definePageParser(name, (page) => {
    if (bad(page)) throw new Error('unexpected shape: a field this parser does not know');
    return real(page);
  });
  return { fix: () => definePageParser(name, real), real };
}

describe('page dead letters: an unreadable page is kept (request, reply, reason), extraction goes on, replay after a fix', () => {
  let restore: (() => void) | undefined;
  afterEach(() => restore?.());

  describe('Shopify', () => {
    let sb: ShopifySandbox;
    beforeAll(async () => {
      sb = await startShopifySandbox({ plan: 'plus' });
    });
    afterAll(() => sb?.close());

    it('a page of orders the parser refuses is a dead letter; the window moves on; replay writes all five tables', async () => {
      const lake = await freshLake('pdl-s');
      sb.storefront.placeOrders({ count: 9, refundRate: 0.5, spreadDays: 0 });
      const shopify = new ShopifyClient({ shop: sb.shop, accessToken: sb.accessToken, adminUrl: sb.adminGraphqlUrl });
      const acts = createShopifyExtractActivities({ shopify, lake, shop: sb.shop, lagMs: 0 });
      const victim = [...sb.state.orders.values()][4]!.id;
      const broken = breakParser('shopify/orders', (page) =>
        ((page as { nodes: { id: string }[] }).nodes ?? []).some((n) => n.id === victim),
      );
      restore = broken.fix;
      const env = new MockActivityEnvironment();
      const until = new Date(Date.now() + 1000).toISOString();
      const r = (await env.run(acts.extractShopifyWindow, { entity: 'orders' as const, until })) as Awaited<
        ReturnType<typeof acts.extractShopifyWindow>
      >;
      // Three pages of three orders: the middle one refused, the others written, the cursor moved to the end.
      expect(r).toMatchObject({ pages: 3, deadLetters: [expect.stringMatching(/^dead-letters\/shopify\/orders\//)] });
      expect(await query(lake, 'SELECT count(*)::INT AS n FROM shopify.orders')).toEqual([{ n: 6 }]);
      const letter = await readDeadLetter(lake, r.deadLetters![0]!);
      expect(letter).toMatchObject({
        kind: 'page',
        parser: 'shopify/orders',
        reason: 'unexpected shape: a field this parser does not know',
        request: { entity: 'orders', window: [expect.any(String), until] },
        response: { status: 200 },
      });
      expect(JSON.parse(letter.response!.body).nodes.map((n: { id: string }) => n.id)).toContain(victim);
      // Still broken: the replay fails and the letter stays.
      await expect(replayDeadLetter(lake, r.deadLetters![0]!, lakeTable)).rejects.toThrow(/unexpected shape/);
      expect(await listDeadLetters(lake, 'shopify/orders')).toEqual(r.deadLetters);
      broken.fix();
      const replay = await replayDeadLetter(lake, r.deadLetters![0]!, lakeTable);
      expect(replay.tables).toEqual([
        'shopify/orders',
        'shopify/line_items',
        'shopify/refunds',
        'shopify/refund_lines',
        'shopify/tax_lines',
      ]);
      expect(await listDeadLetters(lake, 'shopify/orders')).toEqual([]);
      const all = [...sb.state.orders.values()];
      expect(
        await query(
          lake,
          `SELECT (SELECT count(*) FROM shopify.orders)::INT AS orders, (SELECT count(*) FROM shopify.line_items)::INT AS lines`,
        ),
      ).toEqual([{ orders: 9, lines: all.reduce((n, o) => n + o.lineItems.length, 0) }]);
    });
  });

  describe('Lightspeed', () => {
    let sb: LightspeedSandbox;
    const window = { kind: 'completed' as const, from: '2026-11-30T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' };
    beforeAll(async () => {
      sb = await startLightspeedSandbox({
        shops: 1,
        days: 1,
        salesPerShopDay: 250,
        items: 200,
        bucket: { size: 90, drip: 40 },
      });
    });
    afterAll(() => sb?.close());
    /** Tokens straight from the sandbox's token endpoint (the DB-backed store has its own test). */
    let refresh: string | undefined;
    let access: string | undefined;
    function client() {
      refresh ??= sb.initialRefreshToken;
      const credentials = {
        async accessToken() {
          if (access) return access;
          const r = (await (
            await fetch(sb.tokenUrl, {
              method: 'POST',
              body: new URLSearchParams({
                grant_type: 'refresh_token',
                refresh_token: refresh!,
                client_id: sb.clientId,
                client_secret: sb.clientSecret,
              }),
            })
          ).json()) as { access_token: string; refresh_token: string };
          refresh = r.refresh_token;
          return (access = r.access_token);
        },
        invalidate: () => (access = undefined),
      };
      const c = new LightspeedClient({
        apiUrl: sb.apiUrl,
        accountId: String(sb.accountID),
        credentials,
        pacer: new BucketPacer(),
        attempts: 2,
      });
      return async () => c;
    }
    const counts = (lake: Lake) =>
      query(
        lake,
        `SELECT (SELECT count(*) FROM lightspeed.sales)::INT AS sales, (SELECT count(*) FROM lightspeed.sale_lines)::INT AS lines,
           (SELECT count(*) FROM lightspeed.payments)::INT AS payments, (SELECT count(*) FROM lightspeed.tax_lines)::INT AS taxes`,
      );

    it('a sale page the parser refuses is a dead letter, the next pages are read; replay writes sales, lines, payments and tax lines', async () => {
      const get = client();
      const control = await freshLake('pdl-c');
      await createLightspeedSalesActivities({ client: get, lake: control }).lightspeedExtractSales({
        shopId: 1,
        window,
      });
      const [whole] = await counts(control);
      expect(whole!.sales).toBeGreaterThan(200);

      const lake = await freshLake('pdl-l');
      let pages = 0;
      const broken = breakParser('lightspeed/sales', () => ++pages === 2);
      restore = broken.fix;
      const r = await createLightspeedSalesActivities({ client: get, lake }).lightspeedExtractSales({
        shopId: 1,
        window,
      });
      expect(r.deadLetters).toHaveLength(1);
      expect(r.incomplete).toBeUndefined();
      const [partial] = await counts(lake);
      expect(partial!.sales).toBe(whole!.sales! - 100); // page 2 of 100 sales kept aside, pages 1 and 3 written
      const letter = await readDeadLetter(lake, r.deadLetters[0]!);
      expect(letter).toMatchObject({ kind: 'page', parser: 'lightspeed/sales', response: { status: 200 } });
      expect((letter.request as { url: string }).url).toMatch(/^\/.*\/Sale\.json\?/);
      expect(JSON.stringify(letter)).not.toContain('Bearer');
      broken.fix();
      const replay = await replayDeadLetter(lake, r.deadLetters[0]!, lakeTable);
      expect(replay.tables).toEqual([
        'lightspeed/sales',
        'lightspeed/sale_lines',
        'lightspeed/payments',
        'lightspeed/tax_lines',
      ]);
      expect(await counts(lake)).toEqual([whole]);
    });

    it('a reply that is not JSON (after the client’s retries) is a dead letter and the window ends there without failing', async () => {
      const lake = await freshLake('pdl-t');
      sb.faults.set({ truncatedPageRate: 1 });
      try {
        const r = await createLightspeedSalesActivities({ client: client(), lake }).lightspeedExtractSales({
          shopId: 1,
          window,
        });
        expect(r.incomplete).toMatch(/^dead-letters\/lightspeed\/sales\//);
        const letter = await readDeadLetter(lake, r.incomplete!);
        expect(letter.reason).toMatch(/^invalid JSON/);
        expect(letter.response!.body.length).toBeGreaterThan(10);
      } finally {
        sb.faults.set({});
      }
    });
  });
});
