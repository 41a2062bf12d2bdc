import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDynamoLocal } from './dynamodb';
import { startMariadb } from './mariadb';
import { DEFAULT_PORTS, freePort, isPortOpen } from './ports';
import type { RunningService } from './process';
import { startSeaweedS3 } from './s3';
import { startTemporalDev } from './temporal';
import { DATABASES } from '../db/databases';

export interface StackRow {
  service: string;
  where: string;
  ui?: string;
  local: boolean;
}

export interface LocalStack {
  /** Environment variables that point the configuration at what runs. */
  env: Record<string, string>;
  rows: StackRow[];
  services: RunningService[];
  stop(): Promise<void>;
}

export interface StackOptions {
  /** `dev`: fixed ports, data kept under .local/; `test`: ephemeral ports and throwaway data. */
  mode: 'dev' | 'test';
  root: string;
  /** The environment deciding which services are external (their endpoint is set) and so not started. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Starts the local twin of every service the environment does not point elsewhere, in parallel.
 * If one fails, those already started are stopped before the error is rethrown.
 */
export async function startLocalStack(opts: StackOptions): Promise<LocalStack> {
  const env = opts.env ?? process.env;
  const production = env.BACKBONE_ENV === 'production';
  const wants = (key: string) => !production && !env[key];
  const test = opts.mode === 'test';
  const base = test ? fs.mkdtempSync(path.join(os.tmpdir(), 'backbone-test-')) : path.join(opts.root, '.local');
  fs.mkdirSync(base, { recursive: true });
  const logDir = path.join(base, 'logs');
  const services: RunningService[] = [];
  const out: Record<string, string> = {};
  const rows: StackRow[] = [];

  // Fixed ports must be free: a service already listening there (another checkout's npm start, a MySQL of one's
  // own) would otherwise be taken for ours, and this checkout would write into someone else's data.
  const port = async (fixed: number, service: string, envKey: string) => {
    if (test) return freePort();
    if (await isPortOpen(fixed))
      throw new Error(
        `${service} can't start: 127.0.0.1:${fixed} is already in use (another checkout's npm start, or a service ` +
          `of your own). Stop it, or set ${envKey} to use that service as it is.`,
      );
    return fixed;
  };
  const tasks: Promise<void>[] = [];

  if (wants('TEMPORAL_ADDRESS')) {
    tasks.push(
      (async () => {
        const [p, ui] = [
          await port(DEFAULT_PORTS.temporal, 'Temporal', 'TEMPORAL_ADDRESS'),
          test ? undefined : await port(DEFAULT_PORTS.temporalUi, 'The Temporal UI', 'TEMPORAL_ADDRESS'),
        ];
        const t = await startTemporalDev({
          port: p,
          uiPort: ui,
          dbFile: test ? undefined : path.join(base, 'temporal.db'),
          logDir,
        });
        services.push(t);
        out.TEMPORAL_ADDRESS = t.address;
        out.TEMPORAL_NAMESPACE = 'default';
        if (t.uiUrl) out.TEMPORAL_UI_URL = t.uiUrl;
        rows.push({ service: 'Temporal (dev server)', where: t.address, ui: t.uiUrl, local: true });
      })(),
    );
  } else rows.push({ service: 'Temporal', where: String(env.TEMPORAL_ADDRESS), local: false });

  if (wants('PIM_DATABASE_URL')) {
    tasks.push(
      (async () => {
        const p = await port(DEFAULT_PORTS.mysql, 'MariaDB', 'PIM_DATABASE_URL (and the other *_DATABASE_URL)');
        const db = await startMariadb({ dataDir: path.join(base, 'mariadb'), port: p, logDir });
        services.push(db);
        out.MYSQL_ADMIN_URL = db.adminUrl;
        for (const name of DATABASES) out[`${name.toUpperCase()}_DATABASE_URL`] = `${db.adminUrl}${name}`;
        rows.push({ service: `MariaDB (${DATABASES.join(', ')})`, where: `127.0.0.1:${p}`, local: true });
      })(),
    );
  } else rows.push({ service: 'MySQL', where: redactHost(String(env.PIM_DATABASE_URL)), local: false });

  if (wants('AWS_ENDPOINT_URL_S3')) {
    tasks.push(
      (async () => {
        const s3 = await startSeaweedS3({
          dataDir: path.join(base, 's3'),
          s3Port: await port(DEFAULT_PORTS.s3, 'S3 (SeaweedFS)', 'AWS_ENDPOINT_URL_S3'),
          basePort: test ? await contiguousBase(7) : DEFAULT_PORTS.s3Base,
          logDir,
        });
        services.push(s3);
        out.AWS_ENDPOINT_URL_S3 = s3.endpoint;
        rows.push({ service: 'S3 (SeaweedFS)', where: s3.endpoint, local: true });
      })(),
    );
  } else rows.push({ service: 'S3', where: env.AWS_ENDPOINT_URL_S3 ?? 'AWS', local: false });

  if (wants('AWS_ENDPOINT_URL_DYNAMODB')) {
    tasks.push(
      (async () => {
        const p = await port(DEFAULT_PORTS.dynamodb, 'DynamoDB Local', 'AWS_ENDPOINT_URL_DYNAMODB');
        const d = await startDynamoLocal({ port: p, dataDir: test ? undefined : path.join(base, 'dynamodb'), logDir });
        services.push(d);
        out.AWS_ENDPOINT_URL_DYNAMODB = d.endpoint;
        rows.push({ service: 'DynamoDB Local', where: d.endpoint, local: true });
      })(),
    );
  } else rows.push({ service: 'DynamoDB', where: env.AWS_ENDPOINT_URL_DYNAMODB ?? 'AWS', local: false });

  const stop = async () => {
    await Promise.all(services.map((s) => s.stop()));
    if (test) fs.rmSync(base, { recursive: true, force: true });
  };
  const results = await Promise.allSettled(tasks);
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failures.length) {
    await stop();
    throw new Error(failures.map((f) => (f.reason as Error).message).join('\n\n'));
  }
  if (!env.AWS_ACCESS_KEY_ID && !production) {
    out.AWS_ACCESS_KEY_ID = 'backbone';
    out.AWS_SECRET_ACCESS_KEY = 'backbone-local-secret';
  }
  return { env: out, rows, services, stop };
}

/** A run of `count` free consecutive ports (SeaweedFS derives some ports from others). */
async function contiguousBase(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const start = 20000 + Math.floor(Math.random() * 30000);
    const open = await Promise.all(Array.from({ length: count }, (_, i) => isPortOpen(start + i)));
    if (!open.some(Boolean)) return start;
  }
  throw new Error('no free port range for SeaweedFS');
}

function redactHost(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 3306}`;
  } catch {
    return 'configured';
  }
}

export function formatStackTable(rows: StackRow[]): string {
  const w1 = Math.max(...rows.map((r) => r.service.length), 7);
  const w2 = Math.max(...rows.map((r) => r.where.length), 5);
  const line = (a: string, b: string, c: string) => `  ${a.padEnd(w1)}  ${b.padEnd(w2)}  ${c}`;
  return [line('service', 'where', 'ui / notes'), line('-'.repeat(w1), '-'.repeat(w2), '----------')]
    .concat(rows.map((r) => line(r.service, r.where, r.ui ?? (r.local ? '' : '(external)'))))
    .join('\n');
}
