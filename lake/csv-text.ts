/** One CSV line (RFC 4180 quoting, CRLF end): enough for quarantine files, which we only ever append rows to. */
export function csvLine(fields: readonly (string | number)[]): string {
  return `${fields.map((f) => csvField(String(f))).join(',')}\r\n`;
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value;
}
