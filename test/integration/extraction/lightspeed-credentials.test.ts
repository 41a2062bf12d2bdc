import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LightspeedCredentials,
  LightspeedReauthorizationRequired,
  parseTokenKey,
  tokenEndpoint,
} from '../../../connectors/lightspeed';
import { createPool } from '../../../db/client';
import { startLightspeedSandbox, type LightspeedSandbox } from '../../../sandbox/lightspeed';
import { freshDatabases, type FreshDatabases } from '../../support/db';

let dbs: FreshDatabases;
let sb: LightspeedSandbox;
let pool: mysql.Pool;
const keyHex = randomBytes(32).toString('hex');
const key = parseTokenKey(keyHex);

beforeAll(async () => {
  dbs = await freshDatabases();
  sb = await startLightspeedSandbox({ days: 2, salesPerShopDay: 3, items: 50 });
  pool = createPool(dbs.extraction, 6);
});
afterAll(async () => {
  await pool.end();
  await sb.close();
  await dbs.drop();
});

const credentials = (accountId: string, p = pool) =>
  new LightspeedCredentials({
    pool: p,
    accountId,
    key,
    refresh: tokenEndpoint({ tokenUrl: sb.tokenUrl, clientId: sb.clientId, clientSecret: sb.clientSecret }),
  });

/** Runs the refreshing child and SIGKILLs it where it stopped (its stdout says STOPPED <where>). */
async function killAt(accountId: string, stopAt: 'before-refresh' | 'after-pending'): Promise<string> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.resolve(import.meta.dirname, '../../support/lightspeed/token-child.ts')],
    {
      env: {
        ...process.env,
        EXTRACTION_DATABASE_URL: dbs.extraction,
        LIGHTSPEED_TOKEN_KEY: keyHex,
        LS_ACCOUNT: accountId,
        LS_TOKEN_URL: sb.tokenUrl,
        LS_CLIENT_ID: sb.clientId,
        LS_CLIENT_SECRET: sb.clientSecret,
        LS_STOP_AT: stopAt,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const where = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      const m = /STOPPED (\S+)/.exec(d.toString());
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`child exited ${code} before stopping: ${err}`)));
  });
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
  return where;
}

async function row(accountId: string) {
  const [rows] = await pool.query<mysql.RowDataPacket[]>('SELECT * FROM lightspeed_credentials WHERE account_id = ?', [
    accountId,
  ]);
  return rows[0]!;
}

describe('Lightspeed credential (one owner, rotated under a lock, encrypted at rest)', () => {
  it('stores tokens only as AES-GCM ciphertext bound to the account', async () => {
    const token = sb.auth.authorize();
    await credentials('enc').connect(token);
    const access = await credentials('enc').accessToken();
    const r = await row('enc');
    const text = JSON.stringify(r);
    expect(text).not.toContain(access);
    expect(String(r.refresh_token)).toMatch(/^v1:/);
    expect(r.rotations).toBe(1);
  });

  it('two workers refreshing at once never spend the same refresh token (no replay, no invalid_grant)', async () => {
    await credentials('race').connect(sb.auth.authorize());
    const before = { ...sb.auth.stats };
    const poolB = createPool(dbs.extraction, 4);
    try {
      for (let round = 0; round < 5; round++) {
        sb.auth.expireAccessTokens();
        await pool.query('UPDATE lightspeed_credentials SET access_expires_at = NOW() WHERE account_id = ?', ['race']);
        const [a, b] = [credentials('race'), credentials('race', poolB)];
        const tokens = await Promise.all([a.accessToken(), b.accessToken(), a.accessToken(), b.accessToken()]);
        expect(new Set(tokens).size).toBe(1); // one refresh served both workers
      }
    } finally {
      await poolB.end();
    }
    expect(sb.auth.stats.replays - before.replays).toBe(0);
    expect(sb.auth.stats.invalidGrants - before.invalidGrants).toBe(0);
    expect(sb.auth.stats.refreshes - before.refreshes).toBe(5);
  });

  it('kill -9 after the refresh reply is stored as pending, before it is promoted: the next run recovers (no re-authorization)', async () => {
    await credentials('crash').connect(sb.auth.authorize());
    const replays = sb.auth.stats.replays;
    expect(await killAt('crash', 'after-pending')).toBe('after-pending');
    const crashed = await row('crash');
    expect(crashed.pending_refresh_token).not.toBeNull(); // the old token is spent; only the pending one lives
    const next = credentials('crash');
    const access = await next.accessToken(); // promotes the pending pair
    const res = await fetch(`${sb.apiUrl}/Account/${sb.accountID}/Shop.json`, {
      headers: { authorization: `Bearer ${access}` },
    });
    expect(res.status).toBe(200);
    // The refresh token survived too: force a refresh with it.
    sb.auth.expireAccessTokens();
    await pool.query('UPDATE lightspeed_credentials SET access_expires_at = NOW() WHERE account_id = ?', ['crash']);
    next.invalidate(access);
    expect(await credentials('crash').accessToken()).not.toBe(access);
    expect(sb.auth.stats.replays).toBe(replays);
    expect((await row('crash')).needs_reauthorization).toBe(0);
  });

  it('kill -9 while holding the lock before the token call: the lock is released and the next run refreshes with the same token', async () => {
    await credentials('held').connect(sb.auth.authorize());
    expect(await killAt('held', 'before-refresh')).toBe('before-refresh');
    expect((await row('held')).refresh_started_at).not.toBeNull();
    const token = await credentials('held').accessToken(); // would time out if the dead holder kept the lock
    expect(token).toMatch(/^[0-9a-f]{40}$/);
    expect((await row('held')).refresh_started_at).toBeNull();
  });

  it('a reply lost in transit (token rotated, never received) is reported as re-authorization, not retried', async () => {
    await credentials('lost').connect(sb.auth.authorize());
    sb.faults.set({ tokenReplyLostRate: 1 });
    await expect(credentials('lost').accessToken()).rejects.toThrow();
    sb.faults.set({});
    const err = await credentials('lost')
      .accessToken()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LightspeedReauthorizationRequired);
    expect(String((err as Error).message)).toMatch(/never saved its reply/);
    // The merchant connects again: the new consent replaces the refused credential.
    await credentials('lost').connect(sb.auth.authorize());
    expect(await credentials('lost').accessToken()).toMatch(/^[0-9a-f]{40}$/);
  });
});
