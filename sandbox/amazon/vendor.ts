import { randomUUID } from 'node:crypto';
import { errorReply, iso, type Ctx, type Handler } from './api';
import type { VendorError, VendorTransaction } from './state';

interface InventoryUpdate {
  sellingParty: { partyId: string };
  isFullUpdate: boolean;
  items: {
    buyerProductIdentifier?: string;
    vendorProductIdentifier?: string;
    availableQuantity: { amount?: number; unitOfMeasure: string };
    isObsolete?: boolean;
  }[];
}

/**
 * Vendor Direct Fulfillment Inventory v1 (submitInventoryUpdate) and Vendor Transaction Status (getTransaction):
 * an update is accepted with a transactionId, stays `Processing`, then ends `Success` (applied) or `Failure`
 * (with errors; nothing applied).
 */
export function vendorHandlers(ctx: Ctx): Record<string, Handler> {
  const { state, config } = ctx;

  const check = (warehouseId: string, inv: InventoryUpdate): VendorError[] => {
    const errors: VendorError[] = [];
    if (inv.sellingParty.partyId !== config.vendorPartyId)
      errors.push({ code: 'InvalidInput', message: `Selling party ${inv.sellingParty.partyId} is not this vendor.` });
    if (!config.warehouses.includes(warehouseId))
      errors.push({ code: 'InvalidInput', message: `Warehouse ${warehouseId} is not one of the vendor's warehouses.` });
    inv.items.forEach((item, i) => {
      // "Either buyerProductIdentifier or vendorProductIdentifier should be submitted." (ItemDetails)
      if (!item.buyerProductIdentifier && !item.vendorProductIdentifier)
        errors.push({
          code: 'InvalidInput',
          message: `items[${i}]: either buyerProductIdentifier or vendorProductIdentifier must be submitted.`,
        });
      const amount = item.availableQuantity.amount;
      if (amount !== undefined && amount < 0)
        errors.push({ code: 'InvalidInput', message: `items[${i}]: availableQuantity.amount ${amount} is negative.` });
    });
    return errors;
  };

  const apply = (warehouseId: string, inv: InventoryUpdate) => {
    const stock = state.vendorInventory.get(warehouseId) ?? new Map<string, number>();
    state.vendorInventory.set(warehouseId, stock);
    // isFullUpdate: "Any items not in the full feed are updated as not available." (InventoryUpdate.isFullUpdate)
    if (inv.isFullUpdate) for (const k of stock.keys()) stock.set(k, 0);
    for (const item of inv.items) {
      const id = (item.vendorProductIdentifier ?? item.buyerProductIdentifier)!;
      // isObsolete: "When true, the item is permanently unavailable."
      stock.set(id, item.isObsolete ? 0 : (item.availableQuantity.amount ?? 0));
    }
  };

  return {
    submitInventoryUpdate: (call) => {
      const warehouseId = call.params.warehouseId as string;
      const inv = (call.body as { inventory?: InventoryUpdate }).inventory;
      if (!inv) return errorReply(400, 'InvalidInput', 'inventory is required');
      const t: VendorTransaction = {
        transactionId: randomUUID(),
        warehouseId,
        status: 'Processing',
        submittedAt: iso(ctx.now()),
        isFullUpdate: inv.isFullUpdate,
        items: inv.items.length,
      };
      state.transactions.set(t.transactionId, t);
      const snapshot = structuredClone(inv);
      ctx.later(config.transactionMs, () => {
        const errors = check(warehouseId, snapshot);
        if (
          !errors.length &&
          (ctx.faults.roll('failTransactionRate', 'submitInventoryUpdate') ||
            ctx.faults.take('failNextTransactions', 'submitInventoryUpdate'))
        )
          errors.push({
            code: 'InternalFailure',
            message: 'The transaction could not be processed; submit it again (the sandbox injected this fault).',
          });
        if (errors.length) {
          t.status = 'Failure';
          t.errors = errors;
        } else {
          apply(warehouseId, snapshot);
          t.status = 'Success';
        }
      });
      return { status: 202, body: { payload: { transactionId: t.transactionId } }, commits: true };
    },

    getTransaction: (call) => {
      const t = state.transactions.get(call.params.transactionId as string);
      if (!t) return errorReply(404, 'NotFound', `Transaction ${String(call.params.transactionId)} not found`);
      return {
        status: 200,
        body: {
          payload: {
            transactionStatus: {
              transactionId: t.transactionId,
              status: t.status,
              ...(t.errors ? { errors: t.errors } : {}),
            },
          },
        },
      };
    },
  };
}
