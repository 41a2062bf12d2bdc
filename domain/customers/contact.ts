// Pure contact-field checks shared by the customer import (and anything else that ingests people).

// Dot-atom local part and a dotted domain with a 2+ letter TLD: what mail servers accept in practice,
// without the quoted-string and IP-literal corners of RFC 5322 that in-store exports never contain.
const EMAIL =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

/** A normalised address (domain lower-cased), or null when the syntax is not a deliverable address. */
export function normalizeEmail(raw: string): string | null {
  const email = raw.trim();
  if (email.length > 254 || !EMAIL.test(email)) return null;
  const at = email.lastIndexOf('@');
  if (at > 64) return null;
  return `${email.slice(0, at)}@${email.slice(at + 1).toLowerCase()}`;
}

/** Barbados' area code: a bare 7-digit local number in a store export is a Barbados number. */
export const BARBADOS_AREA_CODE = '246';

/**
 * E.164 form of a phone number (`+12465551234`), or null. Seven digits get the default NANP area code,
 * ten digits (or 1 + ten) are NANP, and a leading `+` or `00`/`011` marks an international number.
 */
export function normalizePhone(raw: string, defaultAreaCode = BARBADOS_AREA_CODE): string | null {
  const trimmed = raw.trim();
  if (!/^[+0-9 ().\-/]+$/.test(trimmed)) return null;
  const digits = trimmed.replace(/\D/g, '');
  let international: string | null = null;
  if (trimmed.startsWith('+')) international = digits;
  else if (digits.startsWith('011')) international = digits.slice(3);
  else if (digits.startsWith('00')) international = digits.slice(2);
  if (international !== null) {
    if (international.startsWith('1')) return nanp(international.slice(1));
    return /^[2-9]\d{6,13}$/.test(international) ? `+${international}` : null;
  }
  if (digits.length === 7) return nanp(defaultAreaCode + digits);
  if (digits.length === 11 && digits.startsWith('1')) return nanp(digits.slice(1));
  return nanp(digits);
}

// NANP: NPA-NXX-XXXX where neither the area code nor the exchange starts with 0 or 1.
function nanp(tenDigits: string): string | null {
  return /^[2-9]\d{2}[2-9]\d{6}$/.test(tenDigits) ? `+1${tenDigits}` : null;
}
