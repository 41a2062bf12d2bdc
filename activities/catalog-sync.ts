import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { inArray, isNull, and } from 'drizzle-orm';
import type { PimDb } from '../db/client';
import { products } from '../db/pim/schema';
import { archiveProduct, PRODUCTS_PAGE, type ShopifyClient } from '../connectors/shopify';
import { mappingHashes, prepareProducts, recordSyncError } from './catalog';
import { signalProductChanged } from './outbox';
import { populationPage } from './pim-reads';

/** The daily diff: PIM content vs the last pushed hash, and Shopify's products vs the PIM. */
export function createCatalogSyncActivities(deps: {
  pim: PimDb;
  shopify: ShopifyClient;
  temporal: () => Promise<Client>;
}) {
  return {
    /** Checks one page of the catalogue; returns the ids whose content differs from what Shopify last got. */
    async diffPage(
      afterId: number,
      limit: number,
    ): Promise<{ lastId: number; checked: number; changed: number[]; invalid: number }> {
      const ids = await populationPage(deps.pim, {}, afterId, limit);
      const [prepared, hashes] = await Promise.all([prepareProducts(deps.pim, ids), mappingHashes(deps.pim, ids)]);
      const changed: number[] = [];
      let invalid = 0;
      for (const id of ids) {
        const p = prepared.get(id)!;
        if (p.problems.length) {
          invalid++;
          await recordSyncError(deps.pim, id, p.problems);
        } else if (p.hash && hashes.get(id) !== p.hash) changed.push(id);
      }
      return { lastId: ids.at(-1) ?? afterId, checked: ids.length, changed, invalid };
    },

    /** Hands changed products to their publish workflows (the same path as a PIM edit). */
    async requestPublish(ids: number[], publishQueue: string): Promise<number> {
      const client = await deps.temporal();
      for (const id of ids) await signalProductChanged(client, publishQueue, id);
      return ids.length;
    },

    /**
     * Archives (never deletes) Shopify products whose PIM product is gone, one page of Shopify's catalogue
     * per call; returns the ids archived and the cursor for the next page.
     */
    async archiveOrphans(after: string | null): Promise<{ archived: string[]; next: string | null; scanned: number }> {
      const page = (await deps.shopify.request(PRODUCTS_PAGE, { first: 40, after, query: 'status:active' })).products;
      const pimIds = page.nodes.map((p) => Number(p.pimId?.value)).filter((n) => Number.isFinite(n) && n > 0);
      const live = new Set(
        (
          await deps.pim
            .select({ id: products.id })
            .from(products)
            .where(and(inArray(products.id, pimIds.length ? pimIds : [0]), isNull(products.deletedAt)))
        ).map((r) => r.id),
      );
      const archived: string[] = [];
      for (const p of page.nodes) {
        const pimId = Number(p.pimId?.value);
        if (p.status === 'ARCHIVED' || !p.pimId || live.has(pimId)) continue;
        await archiveProduct(deps.shopify, p.id);
        archived.push(p.id);
        Context.current().heartbeat(archived.length);
      }
      return { archived, next: page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null, scanned: page.nodes.length };
    },
  };
}
