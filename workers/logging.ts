import { IllegalStateError } from '@temporalio/common';
import {
  DefaultLogger,
  makeTelemetryFilterString,
  Runtime,
  type LogEntry,
  type Logger,
  type LogLevel,
} from '@temporalio/worker';

const LEVELS: LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

/**
 * The level of the Temporal SDK's own log lines: BACKBONE_LOG_LEVEL (TRACE…ERROR), WARN unless set. A person
 * running the workers sees what the project says; the SDK's state changes and bundler output are there on
 * BACKBONE_LOG_LEVEL=DEBUG.
 */
export function sdkLogLevel(env: NodeJS.ProcessEnv = process.env, fallback: LogLevel = 'WARN'): LogLevel {
  const wanted = env.BACKBONE_LOG_LEVEL?.toUpperCase() as LogLevel | undefined;
  return wanted && LEVELS.includes(wanted) ? wanted : fallback;
}

/**
 * Installs the Temporal runtime with a logger that prints the SDK's lines at `level` and above, one line each
 * in the project's `[worker]` form. Effective when it runs before the first connection or Worker in the process;
 * a second call is a no-op.
 */
export function installWorkerLogging(level: LogLevel = sdkLogLevel()): void {
  if (installed) return;
  installed = true;
  try {
    Runtime.install({
      logger: sdkLogger(level),
      // The Rust core's own lines too (it prints to the console unless told to forward them).
      telemetryOptions: { logging: { forward: {}, filter: makeTelemetryFilterString({ core: level, other: level }) } },
    });
  } catch (err) {
    // Already created by an earlier connection in this process (a test file's own): it keeps its logger.
    if (!(err instanceof IllegalStateError)) throw err;
  }
}
let installed = false;

/**
 * What the SDK warns about when a worker restarts: a task the last (killed or stopped) process held was completed,
 * timed out or cancelled meanwhile, and this process's late completion is refused. Temporal has already given the
 * work to another attempt; nothing is lost, so these are debug lines, not warnings a person has to read.
 */
const AFTER_RESTART = [/^Task not found when completing/, /^Activity not found on completion/];

/** The SDK's logger: its lines at `level` and above in the `[worker]` form, restart leftovers at debug. */
export function sdkLogger(level: LogLevel = sdkLogLevel()): Logger {
  const logger = new DefaultLogger(level, printEntry);
  const levelOf = (l: LogLevel, message: string): LogLevel =>
    l === 'WARN' && AFTER_RESTART.some((re) => re.test(message)) ? 'DEBUG' : l;
  return {
    log: (l, message, meta) => logger.log(levelOf(l, message), message, meta),
    trace: (m, meta) => logger.trace(m, meta),
    debug: (m, meta) => logger.debug(m, meta),
    info: (m, meta) => logger.info(m, meta),
    warn: (m, meta) => logger.log(levelOf('WARN', m), m, meta),
    error: (m, meta) => logger.error(m, meta),
  };
}

/** A bundler logger whose webpack output is debug, not info: only warnings and errors are news. */
export function bundlerLogger(level: LogLevel = sdkLogLevel()): Logger {
  const logger = new DefaultLogger(level, printEntry);
  return {
    log: (l, message, meta) => logger.log(l === 'INFO' ? 'DEBUG' : l, message, meta),
    trace: (m, meta) => logger.trace(m, meta),
    debug: (m, meta) => logger.debug(m, meta),
    info: (m, meta) => logger.debug(m, meta),
    warn: (m, meta) => logger.warn(m, meta),
    error: (m, meta) => logger.error(m, meta),
  };
}

function printEntry(entry: LogEntry): void {
  const line = formatEntry(entry);
  if (LEVELS.indexOf(entry.level) >= LEVELS.indexOf('WARN')) console.error(line);
  else console.log(line);
}

/**
 * One line: what happened and to which run. The SDK's metadata carries task tokens and whole stacks; only the
 * names a reader looks up in the Temporal UI are kept (never arguments or results, which may hold PII).
 */
export function formatEntry({ level, message, meta }: Pick<LogEntry, 'level' | 'message' | 'meta'>): string {
  const m = (meta ?? {}) as Record<string, unknown>;
  const names = [
    m.activityType && `activity ${String(m.activityType)}`,
    m.workflowType && !m.activityType && `workflow type ${String(m.workflowType)}`,
    m.workflowId && `workflow ${String(m.workflowId)}`,
    m.attempt !== undefined && `attempt ${String(m.attempt)}`,
  ].filter(Boolean);
  const error = m.error instanceof Error ? m.error.message : typeof m.error === 'string' ? m.error : undefined;
  const tag = level === 'WARN' ? '[worker]' : `[worker] ${level.toLowerCase()}:`;
  return `${tag} ${message}${names.length ? ` (${names.join(', ')})` : ''}${error ? `: ${error.split('\n')[0]}` : ''}`;
}
