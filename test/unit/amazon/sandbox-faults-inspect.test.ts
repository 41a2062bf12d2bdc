import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { amazonSandbox, eventually, sleep, type AmazonSandboxHarness } from '../../support/amazon-sandbox';

let h: AmazonSandboxHarness | undefined;
afterEach(async () => {
  await h?.sb.close();
  h = undefined;
});

const ROOT = path.resolve(import.meta.dirname, '../../..');
const patch = (quantity: number) => ({
  productType: 'GROCERY',
  patches: [
    {
      op: 'replace',
      path: '/attributes/fulfillment_availability',
      value: [{ fulfillment_channel_code: 'DEFAULT', quantity }],
    },
  ],
});

async function setup(opts: Parameters<typeof amazonSandbox>[0] = {}) {
  h = await amazonSandbox({
    listingDelayMs: 0,
    catalog: [{ sku: 'BUTTER-250G', quantity: 1 }],
    rateLimits: { patchListingsItem: { rate: 100, burst: 100 }, getListingsItem: { rate: 100, burst: 100 } },
    ...opts,
  });
  const { sellerId, marketplaceId } = h.sb.config;
  return { ...h, item: `/listings/2021-08-01/items/${sellerId}/BUTTER-250G?marketplaceIds=${marketplaceId}` };
}

describe('Amazon sandbox: fault injection and the inspection API', () => {
  it('injects 500/503 (ErrorList) at the configured rate, only for the listed operations, replayably by seed', async () => {
    const { sp, item, inspect } = await setup({
      faults: { http5xxRate: 0.5, seed: 3, operations: ['getListingsItem'] },
    });
    const run = async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await sp('GET', item)).status);
      return statuses;
    };
    const first = await run();
    expect(first.filter((s) => s >= 500).length).toBeGreaterThan(3);
    expect(first.filter((s) => s === 200).length).toBeGreaterThan(3);
    expect(new Set(first.filter((s) => s >= 500))).toEqual(new Set([500, 503]));
    await inspect('/faults', { http5xxRate: 0.5, seed: 3, operations: ['getListingsItem'] });
    expect(await run()).toEqual(first);
    expect((await sp('PATCH', item, patch(2))).status).toBe(200); // not listed
  });

  it('throttleNext answers the next calls 429 QuotaExceeded although the bucket has tokens', async () => {
    const { sp, item, inspect } = await setup();
    await inspect('/faults', { throttleNext: 3 });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await sp('GET', item)).status);
    expect(statuses).toEqual([429, 429, 429, 200, 200]);
  });

  it('dropAfterCommitRate applies the patch, then cuts the connection before the reply', async () => {
    const { sp, item, sb } = await setup({ faults: { dropAfterCommitRate: 1, operations: ['patchListingsItem'] } });
    await expect(sp('PATCH', item, patch(9))).rejects.toThrow();
    await eventually(async () => (sb.state.quantity('BUTTER-250G') === 9 ? true : undefined));
    expect(sb.state.counters.dropped).toBe(1);
    expect((await sp('GET', item)).status).toBe(200); // reads are never dropped
  });

  it('latencyMs delays replies; /_sandbox/tokens/revoke makes issued tokens 403', async () => {
    const { sp, item, inspect } = await setup({ faults: { latencyMs: 150 } });
    const t = Date.now();
    expect((await sp('GET', item)).status).toBe(200);
    expect(Date.now() - t).toBeGreaterThanOrEqual(140);
    await inspect('/tokens/revoke', {});
    expect((await sp('GET', item)).status).toBe(403);
  });

  it('inspection shows listings, stats and what shoppers bought; POST listings seeds the catalogue', async () => {
    const { inspect, sp, item } = await setup();
    await inspect('/listings', { listings: [{ sku: 'HONEY-340G', title: 'Honey', price: '5.25', quantity: 2 }] });
    const placed = await inspect<{ placed: number; orderIds: string[] }>('/orders', {
      count: 5,
      skus: ['HONEY-340G'],
      maxUnits: 1,
    });
    expect(placed.placed).toBe(2);
    expect(await inspect('/sold')).toEqual({ 'HONEY-340G': 2 });
    const [honey] = await inspect<{ sku: string; quantity: number; buyable: boolean }[]>('/listings?sku=HONEY-340G');
    expect(honey).toMatchObject({ sku: 'HONEY-340G', quantity: 0, buyable: true });
    await sp('GET', item);
    const stats = await inspect<{
      requests: number;
      responseViolations: number;
      rateLimits: Record<string, { rate: number }>;
    }>('/stats');
    expect(stats.requests).toBe(1);
    expect(stats.responseViolations).toBe(0);
    expect(stats.rateLimits['createFeed@feeds_2021-06-30.json']!.rate).toBe(0.0083);
    await inspect('/marketplace', { ordersPerMinute: 600, skus: ['BUTTER-250G'] });
    await eventually(async () =>
      (await inspect<Record<string, number>>('/sold'))['BUTTER-250G'] === 1 ? true : undefined,
    );
    await sleep(300);
    expect((await inspect<Record<string, number>>('/sold'))['BUTTER-250G']).toBe(1); // sold out: never more
  });

  it('sandbox/amazon/main.ts serves on the given port, prints its URLs and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'sandbox/amazon/main.ts', '--port', '0'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('\n')) resolve(out);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}`)));
    });
    const url = /SP-API (http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1];
    expect(url).toBeDefined();
    expect(line).toContain(`${url}/auth/o2/token`);
    expect((await fetch(`${url}/_sandbox/stats`)).status).toBe(200);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
