import type { Client } from '@temporalio/client';
import type { Config } from '../workers/config';

export interface CommandContext {
  /** Absent for offline commands. */
  client: Client;
  config: Config;
  args: string[];
  options: Record<string, string | boolean | undefined>;
}

export interface Command {
  summary: string;
  /** Runs without a Temporal connection (e.g. lake queries need S3 only). */
  offline?: boolean;
  run(ctx: CommandContext): Promise<void>;
}

/** Pipeline commands (backfill, pause, resume, resync, import ...) register here, one entry each. */
export const COMMANDS: Record<string, Command> = {};

export function registerCommands(commands: Record<string, Command>): void {
  Object.assign(COMMANDS, commands);
}

export function required(value: string | undefined, name: string): string {
  if (!value) throw new Error(`missing <${name}>`);
  return value;
}

/** Options that never take a value; every other `--name` takes the next argument unless it is an option too. */
const FLAGS = new Set(['help', 'no-wait', 'force']);

/**
 * `backfill spring --store C --ids=1,2 --no-wait` → positionals [backfill, spring], options { store: 'C', ids: '1,2',
 * 'no-wait': true }. Both `--name value` and `--name=value` work.
 */
export function parseCommandLine(argv: readonly string[]): {
  positionals: string[];
  options: Record<string, string | boolean>;
} {
  const positionals: string[] = [];
  const options: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^--([^=]+)(?:=(.*))?$/s.exec(arg);
    if (!m) positionals.push(arg);
    else if (m[2] !== undefined) options[m[1]!] = m[2];
    else if (!FLAGS.has(m[1]!) && i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) options[m[1]!] = argv[++i]!;
    else options[m[1]!] = true;
  }
  return { positionals, options };
}
