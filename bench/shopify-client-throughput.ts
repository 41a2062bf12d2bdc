import fs from 'node:fs';
import path from 'node:path';
import { customIdentifier, ensureCustomIdDefinition, productSet, ShopifyClient } from '../connectors/shopify';
import { startShopifySandbox } from '../sandbox/shopify';
import { PLANS } from '../sandbox/shopify/throttle';

// 32 concurrent callers share one client (one process-wide budget) against the sandbox on the Plus plan.
// Target: points/s spent >= 90 % of the restore rate after the initial bucket is used up; THROTTLED < 1 %.
const seconds = Number(process.env.BENCH_SECONDS ?? 60);
const callers = Number(process.env.BENCH_CALLERS ?? 32);
const sandbox = await startShopifySandbox({ plan: 'plus' });
const client = new ShopifyClient({
  shop: 'bench.myshopify.com',
  accessToken: sandbox.accessToken,
  adminUrl: sandbox.adminGraphqlUrl,
});
await ensureCustomIdDefinition(client);
const { restoreRate, maximumAvailable } = PLANS.plus;

let next = 0;
let errors = 0;
const started = performance.now();
const deadline = started + seconds * 1000;
const variantsFor = (n: number) =>
  Array.from({ length: 1 + (n % 4) }, (_, v) => ({
    sku: `B-${n}-${v}`,
    price: `${2 + v}.99`,
    optionValues: [{ optionName: 'Size', name: `S${v}` }],
  }));
async function caller(): Promise<void> {
  while (performance.now() < deadline) {
    const n = next++;
    const variants = variantsFor(n);
    try {
      await productSet(
        client,
        {
          title: `Bench product ${n}`,
          vendor: 'Bench',
          productOptions: [{ name: 'Size', values: variants.map((_, v) => ({ name: `S${v}` })) }],
          variants,
        },
        customIdentifier(n % 20_000),
      );
    } catch {
      errors++;
    }
  }
}
await Promise.all(Array.from({ length: callers }, caller));
const elapsed = (performance.now() - started) / 1000;
const stats = sandbox.state.stats();
const server = (await (await fetch(`${sandbox.url}/_sandbox/stats`)).json()) as {
  throttleStatus: { currentlyAvailable: number };
};
// The full bucket at the start is a one-off burst allowance: only spending funded by the restore rate counts.
const burst = maximumAvailable - server.throttleStatus.currentlyAvailable;
const sustainedPointsPerSecond = (client.stats.pointsSpent - Math.max(0, burst)) / elapsed;
const result = {
  benchmark: 'shopify-client-throughput',
  plan: 'plus',
  callers,
  seconds: Number(elapsed.toFixed(1)),
  requests: client.stats.requests,
  productSets: next,
  errors,
  pointsSpent: client.stats.pointsSpent,
  pointsPerSecond: Number((client.stats.pointsSpent / elapsed).toFixed(1)),
  sustainedPointsPerSecond: Number(sustainedPointsPerSecond.toFixed(1)),
  initialBucketUsed: Math.max(0, burst),
  restoreRate,
  utilisationOfRestoreRate: Number((sustainedPointsPerSecond / restoreRate).toFixed(3)),
  throttledReplies: stats.throttled,
  throttledShareOfRequests: Number((stats.throttled / Math.max(1, stats.requests)).toFixed(4)),
  targets: { utilisationOfRestoreRate: '>= 0.90', throttledShareOfRequests: '< 0.01' },
};
fs.mkdirSync(path.resolve(import.meta.dirname, 'results'), { recursive: true });
fs.writeFileSync(
  path.resolve(import.meta.dirname, 'results/shopify-client-throughput.json'),
  `${JSON.stringify(result, null, 2)}\n`,
);
console.log(result);
await sandbox.close();
