import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { s3Etag } from '../../activities/loyalty-export';

const md5 = (b: Buffer) => crypto.createHash('md5').update(b).digest();

function etagOf(chunks: string[], partSize: number): string {
  const e = s3Etag(partSize);
  for (const c of chunks) e.update(Buffer.from(c));
  return e.digest();
}

describe('the ETag an export will get, computed before the upload', () => {
  it('is the MD5 of the bytes when they fit one part', () => {
    expect(etagOf(['abc', 'def'], 6)).toBe(md5(Buffer.from('abcdef')).toString('hex'));
  });

  it('is the MD5 of the part MD5s and the part count beyond one part, wherever the writes split', () => {
    const parts = ['abcd', 'efgh', 'ij'].map((p) => md5(Buffer.from(p)));
    const want = `${md5(Buffer.concat(parts)).toString('hex')}-3`;
    expect(etagOf(['abcdefghij'], 4)).toBe(want);
    expect(etagOf(['a', 'bcdefg', 'hij'], 4)).toBe(want);
  });

  it('ends with a full last part when the size is a multiple of the part size (as lib-storage splits)', () => {
    const parts = ['abcd', 'efgh'].map((p) => md5(Buffer.from(p)));
    expect(etagOf(['abcdefgh'], 4)).toBe(`${md5(Buffer.concat(parts)).toString('hex')}-2`);
  });
});
