import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { ShopState } from './state';

/**
 * What a shop keeps when our side restarts: a real Shopify never loses its products, inventory, customers, orders,
 * webhook subscriptions or idempotency records because the pipelines' machine rebooted. Bulk operations and
 * staged files are transient and are not kept; locations keep their ids through `ids.json` (IdFloor).
 */
const KEPT = [
  'products',
  'inventoryItems',
  'customers',
  'orders',
  'webhookSubscriptions',
  'transfers',
  'shipments',
  'metafieldDefinitions',
  'idempotency',
] as const;
const FORMAT = 1;

// Maps (inventory levels per location) survive JSON as tagged entry lists.
const replacer = (_k: string, v: unknown) => (v instanceof Map ? { $map: [...v.entries()] } : v);
const reviver = (_k: string, v: unknown) =>
  v && typeof v === 'object' && '$map' in v ? new Map((v as { $map: [unknown, unknown][] }).$map) : v;

/** The shop as `shop.json.gz` in `dataDir`, written whole and renamed so a crash mid-write keeps the last one. */
export class ShopSnapshot {
  private readonly file: string;
  private timer?: NodeJS.Timeout;

  constructor(
    dataDir: string,
    private readonly state: ShopState,
  ) {
    this.file = path.join(dataDir, 'shop.json.gz');
  }

  /** Loads the last snapshot into the (empty) state; false when there is none or it can't be read. */
  load(): boolean {
    if (!fs.existsSync(this.file)) return false;
    let saved: Record<string, unknown>;
    try {
      saved = JSON.parse(gunzipSync(fs.readFileSync(this.file)).toString('utf8'), reviver) as Record<string, unknown>;
    } catch (err) {
      // A sandbox that can't read its snapshot starts empty, as before; the pipelines republish what is missing.
      console.error(`[shopify-sandbox] ignoring unreadable ${this.file}: ${(err as Error).message}`);
      return false;
    }
    if (saved.format !== FORMAT) return false;
    for (const name of KEPT) {
      const entries = saved[name] as [string, never][] | undefined;
      const target = this.state[name] as Map<string, unknown>;
      for (const [k, v] of entries ?? []) target.set(k, v);
    }
    for (const p of this.state.products.values()) this.state.index(p);
    return true;
  }

  save(): void {
    const out: Record<string, unknown> = { format: FORMAT };
    for (const name of KEPT) out[name] = [...(this.state[name] as Map<string, unknown>).entries()];
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, gzipSync(JSON.stringify(out, replacer), { level: 1 }));
    fs.renameSync(tmp, this.file);
  }

  /** Saves every `ms` while running (a kill -9 loses at most that much), and once more on `stop()`. */
  start(ms: number): void {
    this.timer = setInterval(() => this.save(), ms);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.save();
  }
}
