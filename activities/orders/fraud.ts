import { Context } from '@temporalio/activity';
import { eq, inArray } from 'drizzle-orm';
import type { OrdersDb } from '../../db/client';
import { orders, riskAssessments } from '../../db/orders/schema';
import { ORDERS_RISK_PAGE, paginate, type ShopifyClient } from '../../connectors/shopify';
import { numericId, worstRiskLevel } from '../../domain/orders/orders';

type Risky = { risk: { recommendation: string; assessments: { riskLevel: string }[] } };
const worstOf = (o: Risky) => worstRiskLevel(o.risk.assessments);
const isHigh = (o: Risky) => worstOf(o) === 'HIGH' || o.risk.recommendation === 'CANCEL';

/** Shopify risk assessments → orders DB (reconciliation's view of Shopify is in orders-reconcile.ts). */
export function createFraudActivities(deps: { orders: OrdersDb; shopify: ShopifyClient }) {
  return {
    /** Downloads risk for orders created since `since`, stores it, and returns the HIGH / CANCEL ones. */
    async refreshRisk(since: string): Promise<{ checked: number; flagged: number[] }> {
      let checked = 0;
      const flagged: number[] = [];
      for await (const page of paginate(
        deps.shopify,
        ORDERS_RISK_PAGE,
        { first: 100, query: `created_at:>='${since}'` },
        (d) => d.orders,
      )) {
        // One transaction per page: risk rows replaced, order flags set; orders not ingested yet are left to the ingest.
        const ids = page.map((o) => numericId(o.id));
        await deps.orders.transaction(async (tx) => {
          const known = new Set(
            (await tx.select({ id: orders.id }).from(orders).where(inArray(orders.id, ids))).map((r) => r.id),
          );
          const mine = page.filter((o) => known.has(numericId(o.id)));
          if (!mine.length) return;
          await tx.delete(riskAssessments).where(inArray(riskAssessments.orderId, [...known]));
          const assessments = mine.flatMap((o) =>
            o.risk.assessments.map((a) => ({
              orderId: numericId(o.id),
              provider: a.provider?.title ?? 'unknown',
              riskLevel: a.riskLevel,
              recommendation: o.risk.recommendation,
              facts: a.facts,
            })),
          );
          if (assessments.length) await tx.insert(riskAssessments).values(assessments);
          for (const o of mine)
            await tx
              .update(orders)
              .set({ riskLevel: worstOf(o), riskRecommendation: o.risk.recommendation, flaggedHighRisk: isHigh(o) })
              .where(eq(orders.id, numericId(o.id)));
        });
        for (const o of page) if (isHigh(o)) flagged.push(numericId(o.id));
        checked += page.length;
        Context.current().heartbeat(checked);
      }
      return { checked, flagged };
    },
  };
}
