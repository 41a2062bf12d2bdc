import fs from 'node:fs';
import path from 'node:path';
import {
  customIdentifier,
  ensureCustomIdDefinition,
  inventorySetQuantities,
  listLocations,
  productByCustomId,
  productSet,
  ShopifyClient,
} from '../../connectors/shopify';
import { startShopifySandbox } from '../../sandbox/shopify';

// 32 concurrent callers share the process-wide budget of one shop against the sandbox on the Plus plan, with a
// publish-like mix: 80 % productSet (1-4 variants), 10 % lookups by customId, 5 % inventory compare-and-set
// under an idempotency key, 5 % location listings. Targets: points/s >= 90 % of the restore rate once the
// initial bucket is spent, THROTTLED replies < 1 % of requests.
const seconds = Number(process.env.BENCH_SECONDS ?? 60);
const callers = Number(process.env.BENCH_CALLERS ?? 32);
const sandbox = await startShopifySandbox({ port: 0, plan: 'plus' });
const client = new ShopifyClient({
  shop: 'bench.myshopify.com',
  accessToken: sandbox.accessToken,
  adminUrl: sandbox.adminGraphqlUrl,
});
await ensureCustomIdDefinition(client);
const [location] = await listLocations(client);
const warm = (await (await fetch(`${sandbox.url}/_sandbox/stats`)).json()) as { throttleStatus: Bucket };
interface Bucket {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}
const { restoreRate, maximumAvailable } = warm.throttleStatus;
const baseline = { ...client.stats };

const mix = { productSet: 0, lookup: 0, inventory: 0, locations: 0 };
const errorKinds: Record<string, number> = {};
let errors = 0;
let nextProduct = 0;
const started = performance.now();
const deadline = started + seconds * 1000;

const variantsFor = (n: number) =>
  Array.from({ length: 1 + (n % 4) }, (_, v) => ({
    sku: `B-${n}-${v}`,
    price: `${2 + v}.99`,
    optionValues: [{ optionName: 'Size', name: `S${v}` }],
  }));

async function caller(id: number): Promise<void> {
  // Each caller owns the stock of its own items, so its compare-and-set always knows the current quantity.
  const stock = new Map<string, number>();
  for (let i = 0; performance.now() < deadline; i++) {
    const slot = i % 20;
    try {
      if (slot < 16 || stock.size === 0) {
        const n = nextProduct++;
        const variants = variantsFor(n);
        const product = await productSet(
          client,
          {
            title: `Bench product ${n}`,
            vendor: 'Bench',
            productOptions: [{ name: 'Size', values: variants.map((_, v) => ({ name: `S${v}` })) }],
            variants,
          },
          customIdentifier(n % 20_000),
        );
        const item = product.variants.nodes[0]?.inventoryItem.id;
        if (item && n < 20_000) stock.set(item, stock.get(item) ?? 0);
        mix.productSet++;
      } else if (slot < 18) {
        await productByCustomId(client, Math.floor(Math.random() * Math.max(1, Math.min(nextProduct, 20_000))));
        mix.lookup++;
      } else if (slot < 19) {
        const [item, current] = [...stock][i % stock.size]!;
        await inventorySetQuantities(
          client,
          [{ inventoryItemId: item, locationId: location!.id, quantity: current + 5, changeFromQuantity: current }],
          `bench-${id}-${i}`,
        );
        stock.set(item, current + 5);
        mix.inventory++;
      } else {
        await listLocations(client);
        mix.locations++;
      }
    } catch (err) {
      errors++;
      const kind = (err as Error).name;
      errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
    }
  }
}
await Promise.all(Array.from({ length: callers }, (_, i) => caller(i)));
const elapsed = (performance.now() - started) / 1000;
const server = (await (await fetch(`${sandbox.url}/_sandbox/stats`)).json()) as {
  requests: number;
  throttled: number;
  throttleStatus: Bucket;
};
const requests = client.stats.requests - baseline.requests;
const pointsSpent = client.stats.pointsSpent - baseline.pointsSpent;
// The bucket that was full at the start is a one-off allowance: only spending funded by the restore rate counts.
const initialBucketUsed = Math.max(
  0,
  warm.throttleStatus.currentlyAvailable - server.throttleStatus.currentlyAvailable,
);
const sustained = (pointsSpent - initialBucketUsed) / elapsed;
const throttled = client.stats.throttled - baseline.throttled;
const result = {
  benchmark: 'shopify-client-throughput',
  plan: 'plus',
  callers,
  seconds: Number(elapsed.toFixed(1)),
  requests,
  mix,
  errors,
  errorKinds,
  pointsSpent,
  pointsPerSecond: Number((pointsSpent / elapsed).toFixed(1)),
  initialBucketUsed: Math.round(initialBucketUsed),
  sustainedPointsPerSecond: Number(sustained.toFixed(1)),
  restoreRate,
  maximumAvailable,
  utilisationOfRestoreRate: Number((sustained / restoreRate).toFixed(3)),
  throttledReplies: throttled,
  throttledRepliesSeenBySandbox: server.throttled,
  throttledShareOfRequests: Number((throttled / Math.max(1, requests)).toFixed(4)),
  retries: client.stats.retries - baseline.retries,
  targets: { utilisationOfRestoreRate: '>= 0.90', throttledShareOfRequests: '< 0.01' },
  pass: sustained / restoreRate >= 0.9 && throttled / Math.max(1, requests) < 0.01 && errors === 0,
};
fs.mkdirSync(path.resolve(import.meta.dirname, '../results'), { recursive: true });
fs.writeFileSync(
  path.resolve(import.meta.dirname, '../results/shopify-client-throughput.json'),
  `${JSON.stringify(result, null, 2)}\n`,
);
console.log(result);
await sandbox.close();
