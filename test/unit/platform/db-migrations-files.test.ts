import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DATABASES } from '../../../db/migrate';

const root = path.resolve(import.meta.dirname, '../../..');
// Databases whose area has tables (a database with no migrations yet is skipped by migrateAll).
const databases = DATABASES.filter((db) => existsSync(path.join(root, 'db', db, 'migrations/meta/_journal.json')));
const sqlOf = (db: string) => {
  const dir = path.join(root, 'db', db, 'migrations');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .map((f) => ({ file: f, sql: readFileSync(path.join(dir, f), 'utf8') }));
};

describe.each(databases)('committed %s migrations', (db) => {
  it('are all listed in the drizzle journal, in order', () => {
    const journal = JSON.parse(readFileSync(path.join(root, 'db', db, 'migrations/meta/_journal.json'), 'utf8'));
    const tags = journal.entries.map((e: { tag: string }) => `${e.tag}.sql`);
    expect(tags).toEqual(
      sqlOf(db)
        .map((m) => m.file)
        .sort(),
    );
  });

  it('use only column definitions both MySQL 8 and MariaDB 10.11 accept', () => {
    for (const { file, sql } of sqlOf(db)) {
      // MySQL 8 rejects an ON UPDATE/DEFAULT whose precision differs from the column's (ER_INVALID_ON_UPDATE).
      for (const line of sql.split('\n').filter((l) => /(timestamp|datetime)\((\d)\)/.test(l))) {
        const fsp = /(timestamp|datetime)\((\d)\)/.exec(line)![2];
        for (const m of line.matchAll(/CURRENT_TIMESTAMP(\((\d)\))?/g))
          expect(`${file}: ${m[2] ?? '0'}`).toBe(`${file}: ${fsp}`);
        expect(line, file).not.toMatch(/now\(\)/i);
      }
      // JSON path operators and MySQL-only JSON functions do not exist in MariaDB.
      expect(sql, file).not.toMatch(/->>|JSON_TABLE|JSON_SCHEMA_VALID|SRID|VISIBLE/);
    }
  });

  it('match the schema (drizzle-kit finds nothing to generate)', async () => {
    const out = mkdtempSync(path.join(tmpdir(), `drizzle-${db}-`));
    try {
      cpSync(path.join(root, 'db', db, 'migrations'), out, { recursive: true });
      const args = ['generate', '--dialect', 'mysql', '--casing', 'snake_case'];
      // drizzle-kit prefixes `out` with "./", so it gets a path relative to the project.
      const { stdout, stderr } = await promisify(execFile)(
        path.join(root, 'node_modules/.bin/drizzle-kit'),
        [...args, '--schema', `./db/${db}/schema.ts`, '--out', path.relative(root, out)],
        { cwd: root },
      );
      expect(stdout + stderr).toMatch(/No schema changes/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);
});
