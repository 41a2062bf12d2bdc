import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import mysql from 'mysql2/promise';
import { parse as parseYaml } from 'yaml';
import { currentRules } from '../activities/channels/rules-store';
import { listingsStore } from '../activities/channels/listings-store';
import { signalChannelSync, SYNCED_CHANNELS } from '../activities/channels/channel-signals';
import { channelsDb } from '../db/client';
import { isChannel, type Channel } from '../domain/channels/channels';
import { channelRulesRun, channelSyncWorkflowId } from '../domain/channels/run-summaries';
import { parseRuleSet } from '../domain/channels/rules';
import { required, type Command, type CommandContext } from './commands';

async function withChannelsDb<T>(ctx: CommandContext, fn: (pool: mysql.Pool) => Promise<T>): Promise<T> {
  const pool = mysql.createPool({ uri: ctx.config.databases.channels, connectionLimit: 2, timezone: 'Z' });
  try {
    return await fn(pool);
  } finally {
    await pool.end();
  }
}

const channelOption = (v: unknown): Channel => {
  const s = String(v);
  if (!isChannel(s) || !SYNCED_CHANNELS.includes(s))
    throw new Error(`--channel must be one of ${SYNCED_CHANNELS.join(', ')}`);
  return s;
};

/** `channels status | resync <sku…|--channel c> | rules show | rules set <file> | enroll <channel> <sku…>`. */
export const CHANNELS_COMMANDS: Record<string, Command> = {
  channels: {
    summary:
      'channels status | resync <sku…|--channel amazon> | rules show | rules set <file.yaml> [--note text] | ' +
      'enroll <channel> <sku…> [--product-type T]',
    async run(ctx) {
      const [sub, ...rest] = ctx.args;
      if (sub === 'status') {
        await withChannelsDb(ctx, async (pool) => {
          const store = listingsStore(pool);
          console.table(await store.statusCounts());
          const errors = await store.openErrors(20);
          if (errors.length) console.table(errors.map((e) => ({ ...e, message: e.message.slice(0, 100) })));
        });
        for (const c of SYNCED_CHANNELS) {
          const s = await ctx.client.workflow
            .getHandle(channelSyncWorkflowId(c))
            .query<{ status: string; rounds: number }>('status')
            .catch(() => undefined);
          console.log(`${channelSyncWorkflowId(c)}: ${s ? `${s.status}, round ${s.rounds}` : 'not running'}`);
        }
      } else if (sub === 'resync') {
        const channels = ctx.options.channel ? [channelOption(ctx.options.channel)] : SYNCED_CHANNELS;
        const skus = rest.length ? rest : 'all';
        if (skus === 'all' && !ctx.options.channel) throw new Error('resync needs SKUs or --channel <channel>');
        for (const c of channels) await signalChannelSync(ctx.client, 'data', c, skus);
        console.log(
          `signalled ${channels.map(channelSyncWorkflowId).join(', ')}: ${skus === 'all' ? 'every SKU' : skus.join(' ')}`,
        );
      } else if (sub === 'rules' && rest[0] === 'show') {
        const r = await withChannelsDb(ctx, (pool) => currentRules(channelsDb(pool)));
        console.log(JSON.stringify(r, null, 2));
      } else if (sub === 'rules' && rest[0] === 'set') {
        const file = required(rest[1], 'file');
        const text = await readFile(file, 'utf8');
        const doc: unknown = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
        parseRuleSet(doc); // refuse a bad document here, with every problem, before anything starts
        const author = process.env.USER ?? 'cli';
        const id = `channel-rules/${createHash('sha256').update(text).digest('hex').slice(0, 16)}-${Date.now()}`;
        const result = await ctx.client.workflow.execute('channelRulesChange', {
          taskQueue: 'data',
          workflowId: id,
          args: [{ doc, author, note: typeof ctx.options.note === 'string' ? ctx.options.note : undefined }],
          ...channelRulesRun(author),
        });
        console.log(JSON.stringify(result));
      } else if (sub === 'enroll') {
        const channel = channelOption(required(rest[0], 'channel'));
        const skus = rest.slice(1);
        if (!skus.length) throw new Error('enroll needs SKUs');
        const pt = typeof ctx.options['product-type'] === 'string' ? ctx.options['product-type'] : null;
        const n = await withChannelsDb(ctx, (pool) => listingsStore(pool).enroll(channel, skus, pt));
        await signalChannelSync(ctx.client, 'data', channel, skus);
        console.log(`enrolled ${skus.length} SKUs on ${channel} (${n} rows written)`);
      } else throw new Error(`unknown channels command '${ctx.args.join(' ')}'`);
    },
  },
};
