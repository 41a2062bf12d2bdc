import { createHash } from 'node:crypto';
import { GraphQLError, type GraphQLResolveInfo, valueFromASTUntyped } from 'graphql';
import { nowIso, type ShopState } from '../state';
import { inventoryItemView, locationView } from '../views';
import type { WebhookDispatcher } from '../webhooks';

const REASONS = new Set([
  'correction',
  'cycle_count_available',
  'damaged',
  'movement_created',
  'movement_updated',
  'movement_received',
  'movement_canceled',
  'other',
  'promotion',
  'quality_control',
  'received',
  'reservation_created',
  'reservation_deleted',
  'reservation_updated',
  'restock',
  'safety_stock',
  'shrinkage',
]);
const NAMES = new Set(['available', 'on_hand']);

interface QuantityInput {
  inventoryItemId: string;
  locationId: string;
  quantity: number;
  changeFromQuantity?: number | null;
}

/** The key of the `@idempotent(key:)` directive on the field being resolved, if any. */
export function idempotencyKey(info: GraphQLResolveInfo): string | undefined {
  const directive = info.fieldNodes[0]?.directives?.find((d) => d.name.value === 'idempotent');
  const arg = directive?.arguments?.find((a) => a.name.value === 'key');
  return arg ? String(valueFromASTUntyped(arg.value, info.variableValues)) : undefined;
}

export function inventoryResolvers(s: ShopState, hooks: WebhookDispatcher) {
  function apply(input: { name: string; reason: string; quantities: QuantityInput[] }) {
    const errors: { field: string[]; message: string; code: string | null }[] = [];
    if (!NAMES.has(input.name))
      errors.push({
        field: ['input', 'name'],
        message: "The quantity name must be either 'available' or 'on_hand'.",
        code: 'INVALID_NAME',
      });
    if (!REASONS.has(input.reason))
      errors.push({ field: ['input', 'reason'], message: 'The specified reason is invalid.', code: 'INVALID_REASON' });
    input.quantities.forEach((q, i) => {
      const item = s.inventoryItems.get(q.inventoryItemId);
      if (!item)
        errors.push({
          field: ['input', 'quantities', String(i), 'inventoryItemId'],
          message: 'The specified inventory item could not be found.',
          code: 'INVALID_INVENTORY_ITEM',
        });
      if (!s.locations.has(q.locationId))
        errors.push({
          field: ['input', 'quantities', String(i), 'locationId'],
          message: 'The specified location could not be found.',
          code: 'INVALID_LOCATION',
        });
      // From 2026-04 every quantity must say changeFromQuantity; an explicit null opts out of compare-and-set.
      if (!('changeFromQuantity' in q))
        errors.push({
          field: ['input', 'quantities', String(i), 'changeFromQuantity'],
          message: 'changeFromQuantity is required. Pass null to opt out of the compare-and-set check.',
          code: null,
        });
      if (Math.abs(q.quantity) > 1_000_000_000)
        errors.push({
          field: ['input', 'quantities', String(i), 'quantity'],
          message: `The quantity can't be ${q.quantity > 0 ? 'higher' : 'lower'} than ${q.quantity > 0 ? '' : '-'}1,000,000,000.`,
          code: q.quantity > 0 ? 'INVALID_QUANTITY_TOO_HIGH' : 'INVALID_QUANTITY_TOO_LOW',
        });
      const current = item?.levels.get(q.locationId)?.get(input.name) ?? 0;
      if (item && q.changeFromQuantity != null && q.changeFromQuantity !== current)
        errors.push({
          field: ['input', 'quantities', String(i), 'changeFromQuantity'],
          message: `The specified compare quantity does not match the current quantity (${current}).`,
          code: 'CHANGE_FROM_QUANTITY_STALE',
        });
    });
    // All or nothing, as Shopify applies one adjustment group.
    if (errors.length) return { inventoryAdjustmentGroup: null, userErrors: errors };
    const changes = input.quantities.map((q) => {
      const item = s.inventoryItems.get(q.inventoryItemId)!;
      const level = item.levels.get(q.locationId) ?? new Map<string, number>();
      item.levels.set(q.locationId, level);
      const before = level.get(input.name) ?? 0;
      level.set(input.name, q.quantity);
      if (input.name === 'available') level.set('on_hand', (level.get('on_hand') ?? before) + (q.quantity - before));
      hooks.emit('INVENTORY_LEVELS_UPDATE', {
        admin_graphql_api_id: `gid://shopify/InventoryLevel/${q.locationId.split('/').pop()}?inventory_item_id=${item.id.split('/').pop()}`,
        inventory_item_id: Number(item.id.split('/').pop()),
        location_id: Number(q.locationId.split('/').pop()),
        available: level.get('available') ?? 0,
        updated_at: nowIso(),
      });
      return {
        name: input.name,
        delta: q.quantity - before,
        quantityAfterChange: q.quantity,
        item: inventoryItemView(item, s),
        location: locationView(s.locations.get(q.locationId)!),
      };
    });
    return {
      inventoryAdjustmentGroup: {
        id: s.gid('InventoryAdjustmentGroup'),
        reason: input.reason,
        createdAt: nowIso(),
        changes: () => changes,
      },
      userErrors: [],
    };
  }

  return {
    mutation: {
      inventorySetQuantities: (
        { input }: { input: { name: string; reason: string; quantities: QuantityInput[] } },
        _ctx: unknown,
        info: GraphQLResolveInfo,
      ) => {
        const key = idempotencyKey(info);
        if (!key)
          throw new GraphQLError('The @idempotent directive is required for this mutation but was not provided.', {
            extensions: { code: 'BAD_REQUEST' },
          });
        const digest = createHash('sha256').update(JSON.stringify(input)).digest('hex');
        const prior = s.idempotency.get(key);
        if (prior) {
          if (prior.argsDigest !== digest)
            return {
              inventoryAdjustmentGroup: null,
              userErrors: [
                {
                  field: ['input'],
                  message: 'The same idempotency key was used with different parameters.',
                  code: 'IDEMPOTENCY_KEY_PARAMETER_MISMATCH',
                },
              ],
            };
          return prior.result;
        }
        const result = apply(input);
        // Only an applied adjustment is remembered: a rejected attempt may be retried under the same key.
        if (!result.userErrors.length) s.idempotency.set(key, { argsDigest: digest, result });
        return result;
      },
    },
  };
}
