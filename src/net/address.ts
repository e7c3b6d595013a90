// IPv4 addresses as unsigned 32-bit integers: the walk compares addresses millions of times
// in the big benchmark, so parsing happens once, at rule-load time.
import ipaddr from "ipaddr.js";

export type IPv4 = number;

/**
 * A text that is not an address. Callers validate user input first (the zod schemas); one that
 * still gets here is user input nobody checked, so the engine reports it as a 400, not a 500.
 */
export class AddressError extends Error {}

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
  if (!m) throw new AddressError(`invalid IPv4 address "${text}"`);
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
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32) throw new AddressError(`invalid prefix in "${text}"`);
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

// ---- IPv6 ----
// IPv6 addresses are bigints (128 bits). A packet or rule address is `Addr`: a number for IPv4,
// a bigint for IPv6, so the IPv4 hot path keeps its plain number compares and both families
// can share one Map/Set (SameValueZero compares bigints by value).

export type IPv6 = bigint;
export type Addr = IPv4 | IPv6;
export type Family = "ipv4" | "ipv6";

export interface Cidr6 {
  addr: IPv6; // already masked
  prefix: number;
  mask: bigint;
}

export type AnyCidr = Cidr | Cidr6;

const ALL128 = (1n << 128n) - 1n;

export function isIPv6(text: string): boolean {
  return ipaddr.IPv6.isValid(text) && !text.includes("%");
}

export function isIPv6Cidr(text: string): boolean {
  const [ip, prefix, extra] = text.split("/");
  return extra === undefined && isIPv6(ip ?? "") && /^\d{1,3}$/.test(prefix ?? "") && Number(prefix) <= 128;
}

export function parseIPv6(text: string): IPv6 {
  if (!isIPv6(text)) throw new AddressError(`invalid IPv6 address "${text}"`);
  let n = 0n;
  for (const part of ipaddr.IPv6.parse(text).parts) n = (n << 16n) | BigInt(part);
  return n;
}

/** RFC 5952 canonical text (lower case, longest zero run as "::"), as ip6tables-save prints. */
export function formatIPv6(ip: IPv6): string {
  const parts: number[] = [];
  for (let i = 7; i >= 0; i--) parts.push(Number((ip >> BigInt(i * 16)) & 0xffffn));
  // inet_ntop prints IPv4-mapped addresses with a dotted quad.
  if (ip >> 32n === 0xffffn) return `::ffff:${formatIPv4(Number(ip & 0xffffffffn))}`;
  return new ipaddr.IPv6(parts).toRFC5952String();
}

export function maskOf6(prefix: number): bigint {
  return prefix === 0 ? 0n : (ALL128 << BigInt(128 - prefix)) & ALL128;
}

/** "addr/n" or a bare address (a /128); the address is masked like the kernel does. */
export function parseCidr6(text: string): Cidr6 {
  const [ip, p, extra] = text.split("/");
  const prefix = p === undefined ? 128 : /^\d{1,3}$/.test(p) ? Number(p) : NaN;
  if (extra !== undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 128) throw new AddressError(`invalid prefix in "${text}"`);
  const mask = maskOf6(prefix);
  return { addr: parseIPv6(ip ?? "") & mask, prefix, mask };
}

export function inCidr6(ip: IPv6, cidr: Cidr6): boolean {
  return (ip & cidr.mask) === cidr.addr;
}

export function formatCidr6(cidr: Cidr6): string {
  return `${formatIPv6(cidr.addr)}/${cidr.prefix}`;
}

export function isV6(ip: Addr): ip is IPv6 {
  return typeof ip === "bigint";
}

export function familyOf(ip: Addr): Family {
  return typeof ip === "bigint" ? "ipv6" : "ipv4";
}

/** Either family; an address never matches a network of the other family. */
export function inNet(ip: Addr, cidr: AnyCidr): boolean {
  if (typeof ip === "number") return typeof cidr.addr === "number" && ((ip & (cidr.mask as number)) >>> 0) === cidr.addr;
  return typeof cidr.addr === "bigint" && (ip & (cidr.mask as bigint)) === cidr.addr;
}

export function formatAddr(ip: Addr): string {
  return typeof ip === "number" ? formatIPv4(ip) : formatIPv6(ip);
}

export function formatAnyCidr(c: AnyCidr): string {
  return typeof c.addr === "number" ? formatCidr(c as Cidr) : formatCidr6(c as Cidr6);
}

/** An address of either family (dotted quad or IPv6 text). */
export function parseAddr(text: string): Addr {
  return isIPv4(text) ? parseIPv4(text) : parseIPv6(text);
}

export function parseCidrOf(family: Family, text: string): AnyCidr {
  return family === "ipv4" ? parseCidr(text) : parseCidr6(text);
}

export function parseAddrOf(family: Family, text: string): Addr {
  return family === "ipv4" ? parseIPv4(text) : parseIPv6(text);
}

/** The unspecified address of a family (a wildcard bind). */
export function anyAddr(family: Family): Addr {
  return family === "ipv4" ? 0 : 0n;
}

export const LOOPBACK6: IPv6 = 1n;
export const LOOPBACK6_NET: Cidr6 = parseCidr6("::1/128");
export const MULTICAST6_NET: Cidr6 = parseCidr6("ff00::/8");
