import fs from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { escapeBytes } from './source-encoding';

/**
 * Marks a line that is not valid UTF-8 for the loyalty reader: DuckDB's typed CSV reader fails the whole statement on
 * such bytes in an ENUM column instead of rejecting the row, so those lines are rewritten, ASCII-only (other bytes as
 * `\xNN`), behind this prefix, which no BIGINT parses: the reader rejects them as rows, and the conversion names the
 * reason.
 */
export const INVALID_UTF8_MARK = '\x01';

/** Passes bytes through and notes whether they are all valid UTF-8, line by line (lines never split a character). */
export class Utf8Check extends Transform {
  valid = true;
  private tail = Buffer.alloc(0);

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.valid) {
      const buf = this.tail.length ? Buffer.concat([this.tail, chunk]) : chunk;
      const cut = buf.lastIndexOf(10);
      if (cut >= 0) {
        if (!isUtf8(buf.subarray(0, cut + 1))) this.valid = false;
        this.tail = Buffer.from(buf.subarray(cut + 1));
      } else this.tail = Buffer.from(buf);
    }
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    if (this.valid && this.tail.length && !isUtf8(this.tail)) this.valid = false;
    done();
  }
}

/** Copies `src` to `dst`, each line that is not valid UTF-8 rewritten behind INVALID_UTF8_MARK; returns how many. */
export async function markInvalidUtf8Lines(src: string, dst: string): Promise<number> {
  let marked = 0;
  let tail = Buffer.alloc(0);
  const mark = (line: Buffer) => {
    if (isUtf8(line)) return line;
    marked++;
    const text = line.toString('latin1').replace(/\r$/, '');
    return Buffer.from(`${INVALID_UTF8_MARK}${escapeBytes(text)}\r`, 'latin1');
  };
  const split = new Transform({
    transform(chunk: Buffer, _enc, done) {
      const buf = tail.length ? Buffer.concat([tail, chunk]) : chunk;
      const out: Buffer[] = [];
      let start = 0;
      for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
        out.push(mark(buf.subarray(start, nl)), Buffer.from('\n'));
        start = nl + 1;
      }
      tail = Buffer.from(buf.subarray(start));
      done(null, Buffer.concat(out));
    },
    flush(done) {
      done(null, tail.length ? mark(tail) : undefined);
    },
  });
  await pipeline(fs.createReadStream(src), split, fs.createWriteStream(dst));
  return marked;
}
