import fs from 'node:fs';

/** Whether `pid` is a live process (a zombie waiting for a parent that never reaps it counts as gone). */
export function isRunning(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Resolves with the first line of `file` that matches, polling (a service writes its log there). */
export async function lineIn(file: string, pattern: RegExp, timeoutMs = 10_000): Promise<RegExpExecArray> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const m = fs.existsSync(file) ? pattern.exec(fs.readFileSync(file, 'utf8')) : null;
    if (m) return m;
    if (Date.now() > until) throw new Error(`no line matching ${pattern} in ${file} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
