import fs from 'node:fs';
import path from 'node:path';

/** The next id and order number a shop may hand out, as kept on disk. */
export interface IdCounters {
  seq: number;
  orderNumber: number;
  /** Location id per location code: a shop's locations keep their ids for good. */
  locations?: Record<string, string>;
}

// Ids are reserved in blocks before any of them is used, so a run that dies without closing (kill -9) never
// lets the next one hand out an id it gave; the unused rest of a block is skipped, as Shopify's ids skip too.
const ID_BLOCK = 10_000;
const ORDER_NUMBER_BLOCK = 100;

/**
 * Id and order-number reservations (and the locations' ids) persisted under the sandbox's data dir (`ids.json`), so a restarted sandbox
 * (npm start, again) never reuses an id or order number the last run gave out. Shopify never reuses an id; a
 * sandbox that did made a new order overwrite a stored one in the orders database.
 */
export class IdFloor {
  private readonly file: string;
  private reserved: IdCounters;

  constructor(dataDir: string) {
    fs.mkdirSync(dataDir, { recursive: true });
    this.file = path.join(dataDir, 'ids.json');
    this.reserved = fs.existsSync(this.file)
      ? (JSON.parse(fs.readFileSync(this.file, 'utf8')) as IdCounters)
      : { seq: 1000, orderNumber: 1000 };
  }

  /** Where this run starts: past everything any earlier run may have used. */
  get start(): IdCounters {
    return { ...this.reserved };
  }

  /** Reserves ids up to at least `seq`; returns the new limit (written to disk before it is used). */
  reserveIds(seq: number): number {
    this.reserved.seq = Math.max(this.reserved.seq, seq) + ID_BLOCK;
    this.write();
    return this.reserved.seq;
  }

  /** The id this location had in an earlier run, or the one `mint` gives it now (written before it is used). */
  locationId(code: string, mint: () => string): string {
    const known = this.reserved.locations?.[code];
    if (known) return known;
    const id = mint();
    this.reserved.locations = { ...this.reserved.locations, [code]: id };
    this.write();
    return id;
  }

  reserveOrderNumbers(n: number): number {
    this.reserved.orderNumber = Math.max(this.reserved.orderNumber, n) + ORDER_NUMBER_BLOCK;
    this.write();
    return this.reserved.orderNumber;
  }

  private write(): void {
    // Written whole and renamed, so a crash mid-write leaves the previous reservation, never a torn file.
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.reserved));
    fs.renameSync(tmp, this.file);
  }
}
