import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { AwsConnection } from './s3';

/**
 * DuckDB with `httpfs`, reading the lake in place (`read_parquet('s3://…')`).
 *
 * `@duckdb/node-api` bundles no httpfs and the extension cannot be downloaded at run time here; the install step
 * (scripts/ensure.mjs) puts PyPI's `duckdb-extension-httpfs` wheel, at exactly the library's version (pinned
 * together in package.json and ensure.mjs), under `.local/duckdb/httpfs-<version>/`. The first DuckDB opened here
 * INSTALLs it from that file into the project-local extension directory `.local/duckdb/extensions` (once, atomically,
 * so parallel workers don't race), and later instances autoload it from there. Autoinstall stays off: a missing
 * extension fails at once instead of trying the network.
 */
const root = path.resolve(import.meta.dirname, '..');

/**
 * `@duckdb/node-api` loaded on first use: its native library is tens of MB resident, and most worker processes
 * (and every queue at idle) never open a DuckDB.
 */
export const createDuckDB = async (...args: Parameters<typeof DuckDBInstance.create>) =>
  (await import('@duckdb/node-api')).DuckDBInstance.create(...args);

export function duckdbVersion(): string {
  const require = createRequire(import.meta.url);
  const { version } = require('@duckdb/node-api/package.json') as { version: string };
  return version.replace(/-r\.\d+$/, '');
}

export const extensionDirectory = (base = root) => path.join(base, '.local', 'duckdb', 'extensions');
export const httpfsWheelFile = (base = root, version = duckdbVersion()) =>
  path.join(
    base,
    '.local',
    'duckdb',
    `httpfs-${version}`,
    'duckdb_extension_httpfs',
    'extensions',
    `v${version}`,
    'httpfs.duckdb_extension',
  );

let installed: Promise<boolean> | undefined;

/** INSTALLs httpfs into the extension directory if it isn't there; false when the wheel is missing. */
function ensureHttpfsInstalled(): Promise<boolean> {
  return (installed ??= (async () => {
    const dir = extensionDirectory();
    const version = duckdbVersion();
    const platformDir = path.join(dir, `v${version}`);
    const present = () =>
      fs.existsSync(platformDir) &&
      fs.readdirSync(platformDir).some((p) => fs.existsSync(path.join(platformDir, p, 'httpfs.duckdb_extension')));
    if (present()) return true;
    const wheel = httpfsWheelFile();
    if (!fs.existsSync(wheel)) return false;
    // INSTALL into a private directory, then move its result into place with one rename.
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'duckdb-ext-'));
    try {
      const db = await createDuckDB(':memory:', {
        extension_directory: tmp,
        autoinstall_known_extensions: 'false',
      });
      const c = await db.connect();
      await c.run(`INSTALL ${sqlString(wheel)}`);
      c.closeSync();
      db.closeSync();
      fs.mkdirSync(dir, { recursive: true });
      for (const platform of fs.readdirSync(path.join(tmp, `v${version}`))) {
        fs.mkdirSync(path.join(platformDir, platform), { recursive: true });
        for (const f of fs.readdirSync(path.join(tmp, `v${version}`, platform)))
          fs.renameSync(path.join(tmp, `v${version}`, platform, f), path.join(platformDir, platform, f));
      }
      return present();
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  })());
}

export const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
export const sqlIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;

export interface LakeDuckDB {
  connection: DuckDBConnection;
  /** True when `s3://` paths are readable in place. */
  httpfs: boolean;
  close(): void;
}

/**
 * A fresh in-memory DuckDB, with the S3 secret for `aws` when httpfs is available. `threads` and `memoryLimit` keep
 * a worker's share of a 2-core machine small.
 */
export async function openLakeDuckDB(
  aws: AwsConnection | undefined,
  { threads = 2, memoryLimit = '256MB' }: { threads?: number; memoryLimit?: string } = {},
): Promise<LakeDuckDB> {
  const httpfs = aws ? await ensureHttpfsInstalled() : false;
  const db = await createDuckDB(':memory:', {
    threads: String(threads),
    memory_limit: memoryLimit,
    extension_directory: extensionDirectory(),
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'true',
  });
  const connection = await db.connect();
  const close = () => {
    connection.closeSync();
    db.closeSync();
  };
  try {
    await connection.run(`SET TimeZone = 'UTC'`);
    // Partitions are replaced in place (one PUT each): a cached copy of an object's metadata would go stale.
    await connection.run(`SET enable_external_file_cache = false`);
    if (httpfs && aws) {
      await connection.run('LOAD httpfs');
      await connection.run(s3SecretSql(aws));
    }
  } catch (err) {
    close();
    throw err;
  }
  return { connection, httpfs, close };
}

/** The S3 secret: a local endpoint (SeaweedFS) is path-style over plain HTTP; real S3 keeps DuckDB's defaults. */
export function s3SecretSql(aws: AwsConnection): string {
  const parts = [`TYPE s3`, `REGION ${sqlString(aws.region)}`];
  if (aws.credentials)
    parts.push(
      `KEY_ID ${sqlString(aws.credentials.accessKeyId)}`,
      `SECRET ${sqlString(aws.credentials.secretAccessKey)}`,
    );
  if (aws.s3Endpoint) {
    const url = new URL(aws.s3Endpoint);
    parts.push(`ENDPOINT ${sqlString(url.host)}`, `URL_STYLE 'path'`, `USE_SSL ${url.protocol === 'https:'}`);
  }
  return `CREATE OR REPLACE SECRET lake_s3 (${parts.join(', ')})`;
}
