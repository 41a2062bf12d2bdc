import { eq, sql } from 'drizzle-orm';
import type { OrdersDb } from '../db/client';
import { orders, riskAssessments } from '../db/orders/schema';
import { ORDERS_RISK_PAGE, ORDERS_TOTALS_PAGE, paginate, type ShopifyClient } from '../connectors/shopify';
import { numericId } from '../domain/orders';

const RISK_ORDER = ['NONE', 'PENDING', 'LOW', 'MEDIUM', 'HIGH'];

/** Shopify risk assessments → orders DB; and Shopify's own view of a day for reconciliation. */
export function createFraudActivities(deps: { orders: OrdersDb; shopify: ShopifyClient }) {
  return {
    /** Downloads risk for orders created since `since`, stores it, and returns the HIGH / CANCEL ones. */
    async refreshRisk(since: string): Promise<{ checked: number; flagged: number[] }> {
      let checked = 0;
      const flagged: number[] = [];
      for await (const page of paginate(
        deps.shopify,
        ORDERS_RISK_PAGE,
        { first: 50, query: `created_at:>='${since}'` },
        (d) => d.orders,
      )) {
        for (const o of page) {
          checked++;
          const id = numericId(o.id);
          const worst =
            o.risk.assessments
              .map((a) => a.riskLevel)
              .sort((a, b) => RISK_ORDER.indexOf(b) - RISK_ORDER.indexOf(a))[0] ?? null;
          const high = worst === 'HIGH' || o.risk.recommendation === 'CANCEL';
          for (const a of o.risk.assessments)
            await deps.orders
              .insert(riskAssessments)
              .values({
                orderId: id,
                provider: a.provider?.title ?? 'unknown',
                riskLevel: a.riskLevel,
                recommendation: o.risk.recommendation,
                facts: a.facts,
              })
              .onDuplicateKeyUpdate({
                set: {
                  riskLevel: sql`values(risk_level)`,
                  recommendation: sql`values(recommendation)`,
                  facts: sql`values(facts)`,
                },
              });
          await deps.orders
            .update(orders)
            .set({ riskLevel: worst, riskRecommendation: o.risk.recommendation, flaggedHighRisk: high })
            .where(eq(orders.id, id));
          if (high) flagged.push(id);
        }
      }
      return { checked, flagged };
    },

    /** Shopify's view of a day: order ids and totals created that day (UTC). */
    async shopifyDay(day: string): Promise<Record<string, string>> {
      const next = new Date(new Date(`${day}T00:00:00.000Z`).getTime() + 86_400_000).toISOString();
      const out: Record<string, string> = {};
      const query = `created_at:>='${day}T00:00:00.000Z' AND created_at:<'${next}'`;
      for await (const page of paginate(deps.shopify, ORDERS_TOTALS_PAGE, { first: 250, query }, (d) => d.orders))
        for (const o of page) out[String(numericId(o.id))] = Number(o.totalPriceSet.shopMoney.amount).toFixed(2);
      return out;
    },
  };
}
