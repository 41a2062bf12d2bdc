import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { and, eq, sql } from 'drizzle-orm';
import type { PimDb } from '../../db/client';
import { channelMappings } from '../../db/pim/schema';
import { archiveProduct, PRODUCTS_PAGE, type ShopifyClient } from '../../connectors/shopify';
import { gidNumber, shopifyDrift } from '../../domain/catalog/product-drift';
import { CHANNEL, mappingHashes, prepareProducts, recordSyncError } from './catalog';
import { signalProductChanged } from '../platform/outbox';
import { populationPage } from './pim-reads';

export interface ShopifyPageOutcome {
  scanned: number;
  archived: string[];
  /** PIM ids whose Shopify product differs from what we last published (edited on Shopify's side). */
  drifted: number[];
  /** PIM ids whose mapping names a Shopify product that no longer exists. */
  missing: number[];
  next: string | null;
  /** The highest Shopify product number seen so far: the merge position against the mappings. */
  lastNumber: number;
}

/** The daily diff: PIM content vs the last pushed hash, and Shopify's products vs the PIM. */
export function createCatalogSyncActivities(deps: {
  pim: PimDb;
  shopify: ShopifyClient;
  temporal: () => Promise<Client>;
}) {
  /** Mappings whose Shopify product number lies in (after, upTo]: the products a page in ID order must show. */
  async function mappingsInRange(after: number, upTo: number | null) {
    const num = sql`cast(substring_index(${channelMappings.externalId}, '/', -1) as unsigned)`;
    return deps.pim
      .select({ pimId: channelMappings.pimProductId, externalId: channelMappings.externalId })
      .from(channelMappings)
      .where(
        and(
          eq(channelMappings.channel, CHANNEL),
          sql`${num} > ${after}`,
          upTo === null ? undefined : sql`${num} <= ${upTo}`,
        ),
      );
  }

  /**
   * The mapping stops claiming what Shopify no longer holds: a drifted product's hash, and a lost product's Shopify
   * ids and hash. A republish then needs no `force`: the diff by hash (a backfill's included) picks these products,
   * and a lost product is sent without the variant ids of variants Shopify no longer has (a bulk line naming them
   * fails). Each update is conditional on what was checked, so a publish that landed meanwhile is not undone.
   */
  async function forgetShopifyState(
    lost: { pimId: number; externalId: string }[],
    drifted: { pimId: number; hash: string }[],
  ) {
    const ours = (pimId: number) => and(eq(channelMappings.channel, CHANNEL), eq(channelMappings.pimProductId, pimId));
    for (const m of lost)
      await deps.pim
        .update(channelMappings)
        .set({ externalId: null, externalVariantIds: null, contentHash: null, status: 'PENDING' })
        .where(and(ours(m.pimId), eq(channelMappings.externalId, m.externalId)));
    for (const m of drifted)
      await deps.pim
        .update(channelMappings)
        .set({ contentHash: null })
        .where(and(ours(m.pimId), eq(channelMappings.contentHash, m.hash)));
  }

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

    /** Hands products to their publish workflows (the same path as a PIM edit); `force` bypasses the hash check. */
    async requestPublish(ids: number[], publishQueue: string, force = false): Promise<number> {
      const client = await deps.temporal();
      // Started 32 at a time, not one after another: a shop that lost its catalogue gets thousands of publishes,
      // which then run side by side, paced by the shared cost budget.
      for (let i = 0; i < ids.length; i += 32) {
        await Promise.all(ids.slice(i, i + 32).map((id) => signalProductChanged(client, publishQueue, id, force)));
        Context.current().heartbeat(i);
      }
      return ids.length;
    },

    /**
     * Compares one page of Shopify's catalogue (ID order, every status) with the PIM. Products whose PIM product
     * is gone are archived (never deleted). Products we believe up to date (mapping hash = current hash) but
     * that Shopify shows differently are reported as drifted; mappings in this page's ID range whose product
     * Shopify no longer has are reported as missing. Products with a publish pending are left to it.
     */
    async reconcileShopifyPage(after: string | null, afterNumber: number): Promise<ShopifyPageOutcome> {
      const page = (await deps.shopify.request(PRODUCTS_PAGE, { first: 40, after })).products;
      const next = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      const lastNumber = Math.max(afterNumber, ...page.nodes.map((p) => gidNumber(p.id)));
      const pimIdOf = (p: (typeof page.nodes)[number]) => Number(p.pimId?.value);
      const ours = page.nodes.filter((p) => Number.isInteger(pimIdOf(p)) && pimIdOf(p) > 0);
      const expected = await mappingsInRange(afterNumber, next ? lastNumber : null);
      const ids = [...new Set([...ours.map(pimIdOf), ...expected.map((m) => m.pimId)])];
      const [prepared, hashes] = await Promise.all([prepareProducts(deps.pim, ids), mappingHashes(deps.pim, ids)]);
      const upToDate = (id: number) => {
        const p = prepared.get(id);
        return Boolean(p?.hash && !p.problems.length && hashes.get(id) === p.hash);
      };

      const archived: string[] = [];
      const drifted: number[] = [];
      for (const p of ours) {
        const id = pimIdOf(p);
        if (!prepared.get(id)?.product) {
          if (p.status === 'ARCHIVED') continue;
          await archiveProduct(deps.shopify, p.id);
          archived.push(p.id);
          Context.current().heartbeat(archived.length);
        } else if (upToDate(id)) {
          const shown = { ...p, variants: p.variants.nodes };
          if (shopifyDrift(prepared.get(id)!.input!, shown).length) drifted.push(id);
        }
      }
      const seen = new Set(page.nodes.map((p) => p.id));
      const lost = expected.filter((m) => m.externalId && !seen.has(m.externalId) && upToDate(m.pimId));
      await forgetShopifyState(
        lost.map((m) => ({ pimId: m.pimId, externalId: m.externalId! })),
        drifted.map((id) => ({ pimId: id, hash: hashes.get(id)! })),
      );
      const missing = lost.map((m) => m.pimId);
      return { scanned: page.nodes.length, archived, drifted, missing, next, lastNumber };
    },
  };
}
