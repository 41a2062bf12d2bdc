import fs from 'node:fs';

/** A TCP socket in LISTEN state: its local address (dotted IPv4 or IPv6 hex) and port. */
export interface ListeningSocket {
  address: string;
  port: number;
}

/** The processes of `pid`'s process group (services run detached, so their group is theirs alone). */
function processGroup(pid: number): number[] {
  const members: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after the parenthesised command: state, ppid, pgrp, …
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      if (pgrp === pid) members.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return members;
}

function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  let fds: string[] = [];
  try {
    fds = fs.readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

const ipv4 = (hex: string) =>
  [hex.slice(6, 8), hex.slice(4, 6), hex.slice(2, 4), hex.slice(0, 2)].map((b) => parseInt(b, 16)).join('.');

/** `::` (any), `::1`, or an IPv4-mapped address as dotted IPv4; anything else stays hex. */
function ipv6(hex: string): string {
  if (/^0+$/.test(hex)) return '::';
  if (hex === '00000000000000000000000001000000') return '::1';
  if (hex.startsWith('0000000000000000FFFF0000')) return ipv4(hex.slice(24));
  return hex;
}

/** Every socket the process group of `pid` listens on, read from /proc/net/tcp and tcp6 (state 0A = LISTEN). */
export function listeningSockets(pid: number): ListeningSocket[] {
  const inodes = new Set(processGroup(pid).flatMap((p) => [...socketInodes(p)]));
  const out: ListeningSocket[] = [];
  for (const [file, v4] of [
    ['/proc/net/tcp', true],
    ['/proc/net/tcp6', false],
  ] as const) {
    if (!fs.existsSync(file)) continue;
    for (const line of fs.readFileSync(file, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== '0A' || !inodes.has(cols[9]!)) continue;
      const [addr, port] = cols[1]!.split(':') as [string, string];
      out.push({ address: v4 ? ipv4(addr) : ipv6(addr), port: parseInt(port, 16) });
    }
  }
  return out;
}
