import { ApplicationFailure } from '@temporalio/common';
import { LightspeedClient, LightspeedCredentials, parseTokenKey, tokenEndpoint } from '../../connectors/lightspeed';
import type { Deps } from '../platform/deps';

export interface LightspeedAccount {
  accountId: string;
  client: LightspeedClient;
  credentials: LightspeedCredentials;
  /** Stores the configured consent (LIGHTSPEED_REFRESH_TOKEN) once, unless a credential is stored already. */
  ready(): Promise<void>;
}

const accounts = new WeakMap<Deps, LightspeedAccount>();

/** The worker's one client and credential for the configured account (one pacer, one token owner per process). */
export function lightspeedAccount(deps: Deps): LightspeedAccount {
  const cfg = deps.config.lightspeed;
  if (!cfg)
    throw ApplicationFailure.nonRetryable('Lightspeed is not configured (LIGHTSPEED_ACCOUNT_ID)', 'NotConfigured');
  let a = accounts.get(deps);
  if (!a) {
    const credentials = new LightspeedCredentials({
      pool: deps.pools.extraction,
      accountId: cfg.accountId,
      key: parseTokenKey(cfg.tokenKey),
      refresh: tokenEndpoint({ tokenUrl: cfg.tokenUrl, clientId: cfg.clientId, clientSecret: cfg.clientSecret }),
    });
    let connected: Promise<void> | undefined;
    a = {
      accountId: cfg.accountId,
      credentials,
      client: new LightspeedClient({ apiUrl: cfg.apiUrl, accountId: cfg.accountId, credentials }),
      ready: () =>
        (connected ??= cfg.refreshToken
          ? credentials.connect(cfg.refreshToken).then(() => undefined)
          : Promise.resolve()),
    };
    accounts.set(deps, a);
  }
  return a;
}
