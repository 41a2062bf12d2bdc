import { catalogArea } from '../activities/catalog';
import { channelsArea } from '../activities/channels';
import { customersArea } from '../activities/customers';
import { extractionArea } from '../activities/extraction';
import { inventoryArea } from '../activities/inventory';
import { loyaltyArea } from '../activities/loyalty';
import { ordersArea } from '../activities/orders';
import type { AreaRegistration } from '../activities/platform/area';
import { platformArea } from '../activities/platform';

/** Every business area the workers serve; each brings its own activities and schedules. */
export const AREAS: AreaRegistration[] = [
  platformArea,
  catalogArea,
  inventoryArea,
  ordersArea,
  customersArea,
  loyaltyArea,
  extractionArea,
  channelsArea,
];
