import { connection, type ConnectionArgs, type SandboxContext } from '../connection';
import { searchFilter } from '../search';
import { nowIso, numericId, type SbEvent, type ShopState } from '../state';
import type { WebhookDispatcher } from '../webhooks';

/**
 * Deletions, as Shopify reports them in 2026-10. `deletionEvents` is deprecated ("Use `events` instead."), so a
 * deletion is a BasicEvent of the shop's event log: "`destroy` | The item was destroyed.", with the resource's
 * `subjectId` and `subjectType` ("The type of the resource that generated the event."), filtered by the events
 * query's `action`, `subject_type`, `created_at` and `id`. The deleted resource itself can no longer be read.
 * Each deletion also fires its delete webhook topic (`products/delete`, `customers/delete`) with the id.
 */
export function deletionResolvers(s: ShopState, hooks: WebhookDispatcher) {
  const record = (subjectType: SbEvent['subjectType'], subjectId: string, message: string) => {
    const event: SbEvent = {
      id: s.gid('BasicEvent'),
      action: 'destroy',
      subjectId,
      subjectType,
      createdAt: nowIso(),
      message,
    };
    s.events.push(event);
    return event;
  };
  const shop = { id: 'gid://shopify/Shop/1' };

  const eventFilter = (query: string | undefined) =>
    searchFilter<SbEvent>(query, {
      action: (e) => e.action,
      subject_type: (e) => e.subjectType,
      created_at: (e) => e.createdAt,
      id: (e) => numericId(e.id),
    });

  return {
    query: {
      events: (a: ConnectionArgs & { query?: string; sortKey?: string }, ctx: SandboxContext) => {
        const list = s.events.filter(eventFilter(a.query));
        // ID and CREATED_AT order alike: ids and times both grow as events are recorded.
        return connection(
          list.map((e) => ({ __typename: 'BasicEvent', ...e })),
          a,
          ctx,
        );
      },
    },
    mutation: {
      // productDelete: "Permanently deletes a product and all its associated data, including variants, media,
      // publications, and inventory items."
      productDelete: ({ input }: { input: { id: string } }) => {
        const p = s.products.get(input.id);
        if (!p)
          return { deletedProductId: null, shop, userErrors: [{ field: ['id'], message: 'Product does not exist' }] };
        s.deleteProduct(p);
        record('PRODUCT', p.id, `${p.title} was deleted.`);
        hooks.emit('PRODUCTS_DELETE', { id: numericId(p.id) });
        return { deletedProductId: p.id, shop, userErrors: [] };
      },
      // customerDelete: "You can only delete customers who haven't placed any orders."
      customerDelete: ({ input }: { input: { id: string } }) => {
        const c = s.customers.get(input.id);
        if (!c)
          return { deletedCustomerId: null, shop, userErrors: [{ field: ['id'], message: "Customer can't be found" }] };
        if ([...s.orders.values()].some((o) => o.customerId === c.id))
          return {
            deletedCustomerId: null,
            shop,
            userErrors: [{ field: ['id'], message: 'Error deleting customer: customer has placed orders' }],
          };
        s.customers.delete(c.id);
        record('CUSTOMER', c.id, 'A customer was deleted.');
        hooks.emit('CUSTOMERS_DELETE', { id: numericId(c.id) });
        return { deletedCustomerId: c.id, shop, userErrors: [] };
      },
    },
  };
}
