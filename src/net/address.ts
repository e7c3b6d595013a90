// IPv4 addresses as unsigned 32-bit integers: the walk compares addresses millions of times
// in the big benchmark, so parsing happens once, at rule-load time.
import ipaddr from "ipaddr.js";

export type IPv4 = number;

export interface Cidr {
  addr: IPv4; // already masked
  prefix: number;
  mask: number;
}

export function isIPv4(text: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(text);
}

export function isIP(text: string): boolean {
  return isIPv4(text) || ipaddr.IPv6.isValid(text);
}

export function isIPv4Cidr(text: string): boolean {
  const [ip, prefix, extra] = text.split("/");
  return extra === undefined && isIPv4(ip ?? "") && /^\d{1,2}$/.test(prefix ?? "") && Number(prefix) <= 32;
}

const DOTTED_QUAD = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** Strict dotted quad (no octal, no short forms), like the schema accepts. */
export function parseIPv4(text: string): IPv4 {
  const m = DOTTED_QUAD.exec(text);
  if (!m) throw new Error(`invalid IPv4 address "${text}"`);
  return ((+m[1]! << 24) | (+m[2]! << 16) | (+m[3]! << 8) | +m[4]!) >>> 0;
}

export function formatIPv4(ip: IPv4): string {
  return [ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].join(".");
}

export function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** "a.b.c.d/n" or a bare address (a /32); the address is masked like the kernel does. */
export function parseCidr(text: string): Cidr {
  const [ip, p] = text.split("/");
  const prefix = p === undefined ? 32 : Number(p);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32) throw new Error(`invalid prefix in "${text}"`);
  const mask = maskOf(prefix);
  return { addr: (parseIPv4(ip ?? "") & mask) >>> 0, prefix, mask };
}

export function inCidr(ip: IPv4, cidr: Cidr): boolean {
  return ((ip & cidr.mask) >>> 0) === cidr.addr;
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIPv4(cidr.addr)}/${cidr.prefix}`;
}

export function broadcastOf(cidr: Cidr): IPv4 {
  return (cidr.addr | (~cidr.mask >>> 0)) >>> 0;
}

export const LOOPBACK_NET: Cidr = parseCidr("127.0.0.0/8");
