import { AmazonClient } from '../../connectors/amazon';
import { dynamoTokenStore } from '../../lake/shopify-token-store';
import type { AreaRegistration } from '../platform/area';
import type { Deps } from '../platform/deps';
import { ledgerStock } from './ledger-stock';
import { createRulesActivities } from './rules-activities';
import { createChannelSyncActivities } from './sync';

// One Amazon client per worker process: its rate limiter and token cache are process-wide, like Shopify's budget.
const clients = new WeakMap<Deps, AmazonClient>();
function amazonClient(deps: Deps): AmazonClient | undefined {
  const c = deps.config.amazon;
  if (!c) return undefined;
  let client = clients.get(deps);
  if (!client) {
    client = new AmazonClient({
      endpoint: c.endpoint,
      lwa: c.lwa,
      sellerId: c.sellerId,
      marketplaceId: c.marketplaceId,
      // The same DynamoDB item table as Shopify's shared token, keyed amazon/<sellerId>.
      tokenStore: dynamoTokenStore(deps.dynamo, deps.config.aws.tablePrefix),
    });
    clients.set(deps, client);
  }
  return client;
}

/** Allocation rules, Amazon Seller Central and Vendor Central stock sync. */
export const channelsArea: AreaRegistration = {
  name: 'channels',
  activities: (deps) => ({
    amazon: createChannelSyncActivities({
      channels: deps.pools.channels,
      stock: ledgerStock(deps.pools.inventory),
      amazon: amazonClient(deps),
      vendor: deps.config.amazon?.vendor,
    }),
    data: createRulesActivities({ channels: deps.pools.channels, temporal: () => deps.temporal() }),
  }),
  schedules: [],
};
