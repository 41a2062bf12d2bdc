import type mysql from 'mysql2/promise';
import { LightspeedNotConnected, LightspeedReauthorizationRequired } from './errors';
import { open, seal } from './token-crypto';
import { InvalidGrant, type TokenSet } from './token-endpoint';

export interface CredentialHooks {
  /** After the intent is marked, before the token endpoint is called. */
  beforeRefresh?(): Promise<void>;
  /** After the new pair is stored as pending, before it is promoted and used (the crash test stops here). */
  afterPendingSaved?(): Promise<void>;
}

export interface LightspeedCredentialsOptions {
  /** The `extraction` database (table lightspeed_credentials). */
  pool: mysql.Pool;
  accountId: string;
  key: Buffer;
  refresh: (refreshToken: string) => Promise<TokenSet>;
  hooks?: CredentialHooks;
  /** An access token this close to expiry is refreshed instead of used (default 2 min). */
  marginMs?: number;
  lockTimeoutSeconds?: number;
}

interface Row {
  refresh_token: string;
  access_token: string | null;
  access_expires_at: Date | null;
  pending_refresh_token: string | null;
  pending_access_token: string | null;
  pending_access_expires_at: Date | null;
  refresh_started_at: Date | null;
  needs_reauthorization: number;
}

/**
 * The account's credential, owned in one place. The refresh token rotates on every refresh and the spent one is dead,
 * so a refresh runs only under a MySQL named lock (GET_LOCK, released by the server if the holder dies), and the new
 * pair is written as pending before anything else happens: a crash after that write loses nothing (the next holder
 * promotes it). The one unrecoverable moment — the reply lost before it reaches us — is detected (refresh_started_at
 * still set, token refused) and reported as LightspeedReauthorizationRequired, never retried in a loop.
 */
export class LightspeedCredentials {
  private cached?: { token: string; expiresAt: number };
  private inflight?: Promise<string>;
  private readonly margin: number;

  constructor(private readonly opts: LightspeedCredentialsOptions) {
    this.margin = opts.marginMs ?? 120_000;
  }

  private get aad() {
    return `lightspeed/${this.opts.accountId}`;
  }
  private seal = (v: string) => seal(this.opts.key, v, this.aad);
  private open = (v: string) => open(this.opts.key, v, this.aad);

  /**
   * Stores the refresh token the merchant's consent gave. A stored credential is kept unless it was refused
   * (`replace` forces it: the merchant connected the app again).
   */
  async connect(refreshToken: string, opts: { replace?: boolean } = {}): Promise<boolean> {
    const [res] = await this.opts.pool.query<mysql.ResultSetHeader>(
      `INSERT INTO lightspeed_credentials (account_id, refresh_token) VALUES (?, ?)
       ON DUPLICATE KEY UPDATE
         refresh_token = IF(? OR needs_reauthorization, VALUES(refresh_token), refresh_token),
         access_token = IF(? OR needs_reauthorization, NULL, access_token),
         pending_refresh_token = IF(? OR needs_reauthorization, NULL, pending_refresh_token),
         refresh_started_at = IF(? OR needs_reauthorization, NULL, refresh_started_at),
         needs_reauthorization = IF(? OR needs_reauthorization, FALSE, needs_reauthorization)`,
      [this.opts.accountId, this.seal(refreshToken), ...Array(5).fill(Boolean(opts.replace))],
    );
    return res.affectedRows > 0;
  }

  /** A live access token: this process's, else the one another worker stored, else a fresh one. */
  async accessToken(): Promise<string> {
    if (this.cached && this.cached.expiresAt - this.margin > Date.now()) return this.cached.token;
    this.inflight ??= this.rotate().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  /** The API refused `token` (401): forget it; the next call reads the store or refreshes. */
  invalidate(token: string): void {
    if (this.cached?.token === token) this.cached = undefined;
    this.refused = token;
  }
  private refused?: string;

  private async rotate(): Promise<string> {
    const { pool, accountId } = this.opts;
    const conn = await pool.getConnection();
    const lock = `lightspeed-token/${accountId}`.slice(0, 64);
    try {
      const [[got]] = await conn.query<mysql.RowDataPacket[]>('SELECT GET_LOCK(?, ?) AS ok', [
        lock,
        this.opts.lockTimeoutSeconds ?? 60,
      ]);
      if (got?.ok !== 1) throw new Error(`timed out waiting for the Lightspeed token lock of ${accountId}`);
      let row = await this.read(conn);
      if (row.pending_refresh_token) {
        // A holder died after storing the new pair and before promoting it: that pair is the live one.
        await this.promote(conn);
        row = await this.read(conn);
      }
      if (row.access_token && row.access_expires_at) {
        const token = this.open(row.access_token);
        const expiresAt = row.access_expires_at.getTime();
        if (expiresAt - this.margin > Date.now() && token !== this.refused) return this.keep(token, expiresAt);
      }
      const interrupted = row.refresh_started_at;
      await conn.query('UPDATE lightspeed_credentials SET refresh_started_at = NOW(3) WHERE account_id = ?', [
        accountId,
      ]);
      await this.opts.hooks?.beforeRefresh?.();
      let set: TokenSet;
      try {
        set = await this.opts.refresh(this.open(row.refresh_token));
      } catch (e) {
        if (!(e instanceof InvalidGrant)) throw e;
        await conn.query('UPDATE lightspeed_credentials SET needs_reauthorization = TRUE WHERE account_id = ?', [
          accountId,
        ]);
        throw new LightspeedReauthorizationRequired(
          accountId,
          interrupted
            ? `a refresh started ${interrupted.toISOString()} never saved its reply, and the token it spent is refused`
            : `the stored refresh token was refused: ${e.description}`,
        );
      }
      // Nothing before this write: the token just sent is dead, the new pair exists only in this reply.
      await conn.query(
        `UPDATE lightspeed_credentials SET pending_refresh_token = ?, pending_access_token = ?,
           pending_access_expires_at = ? WHERE account_id = ?`,
        [this.seal(set.refreshToken), this.seal(set.accessToken), set.expiresAt, accountId],
      );
      await this.opts.hooks?.afterPendingSaved?.();
      await this.promote(conn);
      return this.keep(set.accessToken, set.expiresAt.getTime());
    } finally {
      await conn.query('DO RELEASE_LOCK(?)', [lock]).catch(() => undefined);
      conn.release();
    }
  }

  private keep(token: string, expiresAt: number): string {
    this.cached = { token, expiresAt };
    return token;
  }

  private async read(conn: mysql.PoolConnection): Promise<Row> {
    const [rows] = await conn.query<mysql.RowDataPacket[]>(
      'SELECT * FROM lightspeed_credentials WHERE account_id = ?',
      [this.opts.accountId],
    );
    const row = rows[0] as Row | undefined;
    if (!row) throw new LightspeedNotConnected(this.opts.accountId);
    if (row.needs_reauthorization)
      throw new LightspeedReauthorizationRequired(this.opts.accountId, 'its refresh token was refused earlier');
    return row;
  }

  private async promote(conn: mysql.PoolConnection): Promise<void> {
    await conn.query(
      `UPDATE lightspeed_credentials SET refresh_token = pending_refresh_token, access_token = pending_access_token,
         access_expires_at = pending_access_expires_at, pending_refresh_token = NULL, pending_access_token = NULL,
         pending_access_expires_at = NULL, refresh_started_at = NULL, rotations = rotations + 1
       WHERE account_id = ? AND pending_refresh_token IS NOT NULL`,
      [this.opts.accountId],
    );
  }
}
