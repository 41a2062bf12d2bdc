import { createHash } from 'node:crypto';
import { GraphQLError, type GraphQLResolveInfo, valueFromASTUntyped } from 'graphql';
import { nowIso, type ShopState } from '../state';
import { newLevel, setQuantity } from '../inventory-levels';
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
      const level = item?.levels.get(q.locationId);
      // Shopify: an item must be stocked at a location (inventoryActivate) before its quantities there can be set.
      if (item && s.locations.has(q.locationId) && !level)
        errors.push({
          field: ['input', 'quantities', String(i), 'locationId'],
          message: 'The specified inventory item is not stocked at the location.',
          code: null,
        });
      const current = level?.get(input.name) ?? 0;
      if (level && q.changeFromQuantity != null && q.changeFromQuantity !== current)
        errors.push({
          field: ['input', 'quantities', String(i), 'changeFromQuantity'],
          message: `The specified compare quantity does not match the current quantity (${current}).`,
          code: 'CHANGE_FROM_QUANTITY_STALE',
        });
    });
    // All or nothing, as Shopify applies one adjustment group.
    if (errors.length) return { inventoryAdjustmentGroup: null, userErrors: errors };
    s.counters.inventoryAdjustments++;
    const changes = input.quantities.map((q) => {
      const item = s.inventoryItems.get(q.inventoryItemId)!;
      const level = item.levels.get(q.locationId)!;
      const before = setQuantity(level, input.name as 'available' | 'on_hand', q.quantity);
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
        location: locationView(s.locations.get(q.locationId)!, s),
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

  /**
   * `@idempotent(key:)` as Shopify documents it for inventory mutations: required (from 2026-04); a retry with
   * the same key and arguments gets the first result without a second application; the same key with other
   * arguments is IDEMPOTENCY_KEY_PARAMETER_MISMATCH; a key whose first attempt failed is
   * IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED ("Retry with a new idempotency key."); keys are forgotten after the
   * retention window.
   */
  function idempotent<R extends { userErrors: unknown[] }>(
    info: GraphQLResolveInfo,
    args: unknown,
    empty: Record<string, null>,
    run: () => R,
  ): R {
    const key = idempotencyKey(info);
    if (!key?.trim())
      throw new GraphQLError('The @idempotent directive is required for this mutation but was not provided.', {
        extensions: { code: 'BAD_REQUEST' },
      });
    const digest = createHash('sha256')
      .update(`${info.fieldName}|${JSON.stringify(args)}`)
      .digest('hex');
    const prior = s.idempotency.get(key);
    if (prior && Date.now() - prior.at <= s.idempotencyRetentionMs) {
      const error = (code: string, message: string) =>
        ({ ...empty, userErrors: [{ field: null, message, code }] }) as unknown as R;
      if (prior.argsDigest !== digest)
        return error(
          'IDEMPOTENCY_KEY_PARAMETER_MISMATCH',
          'The same idempotency key cannot be used with different operation parameters.',
        );
      if (prior.failed)
        return error(
          'IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED',
          'A previous request with this idempotency key failed. Retry with a new idempotency key.',
        );
      return prior.result as R;
    }
    const result = run();
    s.idempotency.set(key, { argsDigest: digest, result, failed: result.userErrors.length > 0, at: Date.now() });
    return result;
  }

  function activate(a: {
    inventoryItemId: string;
    locationId: string;
    available?: number | null;
    onHand?: number | null;
  }) {
    const item = s.inventoryItems.get(a.inventoryItemId);
    const location = s.locations.get(a.locationId);
    const fail = (field: string, message: string) => ({
      inventoryLevel: null,
      userErrors: [{ field: [field], message }],
    });
    if (!item) return fail('inventoryItemId', 'The specified inventory item could not be found.');
    if (!location || !location.isActive) return fail('locationId', 'The specified location could not be found.');
    if (!item.levels.has(a.locationId)) item.levels.set(a.locationId, newLevel(a));
    const view = inventoryItemView(item, s) as { inventoryLevel: (x: { locationId: string }) => unknown };
    return { inventoryLevel: view.inventoryLevel({ locationId: a.locationId }), userErrors: [] };
  }

  return {
    mutation: {
      inventorySetQuantities: (
        { input }: { input: { name: string; reason: string; quantities: QuantityInput[] } },
        _ctx: unknown,
        info: GraphQLResolveInfo,
      ) => idempotent(info, input, { inventoryAdjustmentGroup: null }, () => apply(input)),
      inventoryActivate: (
        args: { inventoryItemId: string; locationId: string; available?: number | null; onHand?: number | null },
        _ctx: unknown,
        info: GraphQLResolveInfo,
      ) => idempotent(info, args, { inventoryLevel: null }, () => activate(args)),
    },
  };
}
