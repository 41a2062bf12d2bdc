import path from 'node:path';
import { lakeTable } from '../domain/extraction/lake-tables';
import { BACKFILL_ENTITIES, shopifyBackfillRun, type BackfillEntity } from '../domain/extraction/shopify-backfill';
import { SA } from '../domain/platform/search-attributes';
import type { ShopifyBackfillInput } from '../workflows/extraction/shopify-backfill';
import '../domain/extraction/tables';
import { replayDeadLetter } from '../lake/dead-letter-replay';
import { listDeadLetters, readDeadLetter } from '../lake/dead-letters';
import { listLakeTables, openLakeQuery } from '../lake/lake-query';
import type { Lake } from '../lake/lake-writer';
import { createS3Client } from '../lake/s3';
import type { Config } from '../workers/config';
import { required, type Command } from './commands';

const root = path.resolve(import.meta.dirname, '..');

function lakeOf(config: Config): Lake {
  return {
    s3: createS3Client(config.aws),
    bucket: config.aws.buckets.lake,
    quarantineBucket: config.aws.buckets.quarantine,
  };
}

const USAGE = `lake query "<SQL>" [--dt-from=YYYY-MM-DD --dt-to=YYYY-MM-DD] [--sdk]
  lake tables
  lake dead-letters [source[/entity]]
  lake show <dead-letter key>
  lake replay <dead-letter key>`;

/**
 * `backbone lake …`: SQL over every lake table (views `<source>.<entity>`, e.g. `SELECT store, dt, sum(total) FROM
 * shopify.orders WHERE dt >= '2026-11-01' GROUP BY ALL`), the tables and their schema versions, and the dead
 * letters with their replay. Needs S3 only (no Temporal). `--sdk` reads through the AWS SDK instead of httpfs
 * (then --dt-from/--dt-to limit what is fetched).
 */
export const LAKE_COMMANDS: Record<string, Command> = {
  'shopify-backfill': {
    summary: `shopify-backfill --from=ISO [--to=ISO] [--entities=${BACKFILL_ENTITIES.join(',')}]   history → lake by bulk queries (resumable: run again to go on)`,
    async run({ client, config, options }) {
      const iso = (v: unknown, name: string) => {
        const d = Date.parse(required(typeof v === 'string' ? v : undefined, name));
        if (Number.isNaN(d)) throw new Error(`--${name} must be an ISO-8601 date or time`);
        return new Date(d).toISOString();
      };
      const entities =
        typeof options.entities === 'string' ? (options.entities.split(',') as BackfillEntity[]) : undefined;
      const unknown = entities?.filter((e) => !BACKFILL_ENTITIES.includes(e));
      if (unknown?.length) throw new Error(`unknown entities: ${unknown.join(', ')}`);
      const input: ShopifyBackfillInput = {
        from: iso(options.from, 'from'),
        to: options.to === undefined ? new Date().toISOString() : iso(options.to, 'to'),
        entities,
      };
      // Same range, same id: a second start while one runs is refused; after a stop it resumes from the lake.
      const handle = await client.workflow.start('shopifyBackfill', {
        taskQueue: 'shopify',
        workflowId: `shopify-backfill/${config.shopify.shop}/${input.from}_${input.to}`,
        args: [input],
        ...shopifyBackfillRun(input),
        typedSearchAttributes: [
          { key: SA.Pipeline, value: 'shopify-backfill' },
          { key: SA.Channel, value: 'shopify' },
        ],
      });
      console.log(`started ${handle.workflowId}; follow it with: backbone status ${handle.workflowId}`);
    },
  },
  lake: {
    summary: 'lake query "<SQL>" | tables | dead-letters | show <key> | replay <key>   the extraction lake',
    offline: true,
    async run({ config, args, options }) {
      const lake = lakeOf(config);
      const [sub, arg] = args;
      try {
        if (sub === 'query') {
          const session = await openLakeQuery({
            aws: config.aws,
            s3: lake.s3,
            bucket: lake.bucket,
            cacheDir: path.join(root, '.local', 'lake-cache'),
            dtFrom: typeof options['dt-from'] === 'string' ? options['dt-from'] : undefined,
            dtTo: typeof options['dt-to'] === 'string' ? options['dt-to'] : undefined,
            forceSdk: options.sdk === true,
          });
          try {
            const rows = await session.query(required(arg, 'SQL'));
            if (rows.length) console.table(rows);
            else console.log('(no rows)');
          } finally {
            session.close();
          }
        } else if (sub === 'tables') {
          for (const t of await listLakeTables(lake.s3, lake.bucket)) {
            const days = Object.keys(t.partitions).sort();
            const rows = Object.values(t.partitions).reduce((n, p) => n + p.rows, 0);
            const unknown = Object.keys(t.unknownFields);
            console.log(
              `${t.source}.${t.entity}\tschema v${t.schemaVersion}\t${days.length} partitions ${days[0] ?? ''}..${days.at(-1) ?? ''}\t${rows} rows` +
                (unknown.length ? `\tunknown fields kept in _extra: ${unknown.join(', ')}` : ''),
            );
          }
        } else if (sub === 'dead-letters') {
          const keys = await listDeadLetters(lake, arg);
          for (const key of keys) {
            const l = await readDeadLetter(lake, key);
            console.log(`${key}\t${l.kind}\t${l.reason}`);
          }
          if (!keys.length) console.log('(no open dead letters)');
        } else if (sub === 'show') {
          console.log(JSON.stringify(await readDeadLetter(lake, required(arg, 'dead-letter key')), null, 2));
        } else if (sub === 'replay') {
          const r = await replayDeadLetter(lake, required(arg, 'dead-letter key'), lakeTable);
          console.log(
            `replayed ${r.key}: ${r.result.written} row(s) written to ${r.tables.join(', ')}, ${r.result.quarantined} still refused` +
              (r.result.deadLetter ? ` (now ${r.result.deadLetter})` : '') +
              `; kept as ${r.replayedTo}`,
          );
        } else {
          console.log(USAGE);
          process.exitCode = 2;
        }
      } finally {
        lake.s3.destroy();
      }
    },
  },
};
