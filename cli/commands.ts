import type { Client } from '@temporalio/client';
import type { Config } from '../workers/config';

export interface CommandContext {
  client: Client;
  config: Config;
  args: string[];
  options: Record<string, string | boolean | undefined>;
}

export interface Command {
  summary: string;
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
