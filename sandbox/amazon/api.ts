import type { FaultInjector } from './faults';
import type { Models, Operation } from './models';
import type { AmazonState } from './state';

export interface Call {
  op: Operation;
  /** Path and query parameters, coerced to the model's types and validated. */
  params: Record<string, unknown>;
  /** The JSON body, validated against the operation's body schema. */
  body: unknown;
}

export interface Reply {
  status: number;
  body?: unknown;
  /** The call changed state: a dropped-reply fault may cut the connection after it. */
  commits?: boolean;
}

export type Handler = (call: Call) => Reply | Promise<Reply>;

export interface SandboxConfig {
  sellerId: string;
  marketplaceId: string;
  vendorPartyId: string;
  warehouses: string[];
  /** How long an accepted listings change takes to become visible. */
  listingDelayMs: number;
  /** A feed waits IN_QUEUE, then IN_PROGRESS for processMs + perMessageMs × messages. */
  feedQueueMs: number;
  feedProcessMs: number;
  feedPerMessageMs: number;
  /** A VDF inventory transaction stays Processing this long. */
  transactionMs: number;
  /** Dev flag: a listing created by a patch or feed is buyable at once (on Amazon it needs catalogue data). */
  autoCatalog: boolean;
  /** Result documents at least this large (bytes) are stored GZIP-compressed; Infinity: never (the default). */
  compressResultsFrom: number;
}

export interface Ctx {
  state: AmazonState;
  models: Models;
  faults: FaultInjector;
  config: SandboxConfig;
  now(): number;
  baseUrl(): string;
  /** A timer the sandbox cancels on close. */
  later(ms: number, fn: () => void): void;
}

/** SP-API's error body: `{"errors":[{"code","message","details"}]}` (ErrorList in every model). */
export function errorReply(status: number, code: string, message: string, details?: string): Reply {
  return { status, body: { errors: [{ code, message, ...(details !== undefined ? { details } : {}) }] } };
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
