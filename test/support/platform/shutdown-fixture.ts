// A command shaped like `npm start` for the Ctrl-C tests: a stack service that ignores SIGTERM and an
// in-process piece whose stop never finishes. Usage: shutdown-fixture.ts <logDir> <stepDeadlineMs>
import { spawnService } from '../../../stack/process';
import { handleShutdown } from '../../../stack/shutdown';

const [logDir, stepDeadline] = process.argv.slice(2);
const shutdown = handleShutdown({ tag: '[fixture]', finish: () => console.log('[fixture] finished') });
const service = spawnService('stubborn', 'bash', ['-c', 'trap "" TERM; sleep 600 & wait'], {
  logDir: logDir!,
  stopDeadlineMs: 1000,
});
shutdown.add('stubborn service', () => service.stop(), 5000);
shutdown.add('hung server', () => new Promise<void>(() => undefined), Number(stepDeadline));
console.log(`ready ${service.pid}`);
setInterval(() => undefined, 1000);
