/**
 * The text encodings an incoming source may declare (per source, in the configuration). Files are parsed byte for
 * byte (each byte one char, as Latin-1 reads them, so delimiters and byte offsets are exact whatever the encoding)
 * and each field is then decoded in the declared encoding. A field that is not valid in it is reported, never
 * replaced: U+FFFD is not stored anywhere.
 */
export const SOURCE_ENCODINGS = ['utf-8', 'latin1', 'windows-1252'] as const;
export type SourceEncoding = (typeof SOURCE_ENCODINGS)[number];

const utf8 = new TextDecoder('utf-8', { fatal: true });
const cp1252 = new TextDecoder('windows-1252');
// eslint-disable-next-line no-control-regex -- "only ASCII" is exactly a range starting at NUL
const ASCII = /^[\x00-\x7f]*$/;

/** Why a field is not text in `encoding`, or null when it is. */
export type DecodeResult = { text: string } | { problem: string };

/** `raw`: the field's bytes, one char per byte. */
export function decodeField(raw: string, encoding: SourceEncoding): DecodeResult {
  if (ASCII.test(raw)) return { text: raw };
  if (encoding === 'latin1') return { text: raw };
  if (encoding === 'windows-1252') return { text: cp1252.decode(Buffer.from(raw, 'latin1')) };
  let text: string;
  try {
    text = utf8.decode(Buffer.from(raw, 'latin1'));
  } catch {
    return { problem: 'not valid UTF-8 (declare the source encoding, e.g. latin1, if the file is not UTF-8)' };
  }
  // Already replaced upstream: storing it would pass the damage on.
  if (text.includes('\uFFFD')) return { problem: 'contains U+FFFD (a character lost before the file was written)' };
  return { text };
}

/** The bytes of an undecodable field, readable in a UTF-8 quarantine file: ASCII as is, other bytes as `\xNN`. */
export function escapeBytes(raw: string): string {
  return raw.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}
