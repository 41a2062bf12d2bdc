import { createPool, pimDb, storeDb } from '../db/client';
import { isDemoDataPresent, seedDemoData } from '../db/seed';
import type { Config } from '../workers/config';

/** Seeds the demo grocery chain if the PIM is empty; returns a line for the ready banner. */
export async function prepareDemo(
  config: Config,
  products = Number(process.env.DEMO_PRODUCTS ?? 2000),
): Promise<string> {
  const pimPool = createPool(config.databases.pim, 4);
  const storePool = createPool(config.databases.store, 4);
  try {
    const pim = pimDb(pimPool);
    if (await isDemoDataPresent(pim)) return 'already present (delete .local/ to start over)';
    const summary = await seedDemoData({ pim, store: storeDb(storePool) }, { products });
    return `seeded ${summary.products} products, ${summary.variants} variants, ${summary.stores} stores, ${summary.stockRows} stock rows`;
  } finally {
    await Promise.all([pimPool.end(), storePool.end()]);
  }
}
