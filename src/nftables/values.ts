// Values by nft datatype: parsed into the canonical form nft prints (a prefix's network
// address, no /32, protocol names, flags in bit order, marks in hex) and ordered the way nft
// orders set elements when it lists them (by the key's value as a big-endian number).
import { formatCidr, formatCidr6, isIPv4, isIPv4Cidr, isIPv6, isIPv6Cidr, parseCidr, parseCidr6 } from "../net/address.js";
import { NftError, type DataType, type Value } from "./types.js";

export const PROTOS: Record<string, number> = { icmp: 1, tcp: 6, udp: 17, "ipv6-icmp": 58, sctp: 132 };
const FLAGS: Partial<Record<DataType, string[]>> = {
  // bit order, as nft prints a flag list
  ct_state: ["invalid", "established", "related", "new", "untracked"],
  ct_status: ["expected", "seen-reply", "assured", "confirmed", "snat", "dnat", "dying"],
};
export const ADDR_TYPES = ["unspec", "unicast", "local", "broadcast", "anycast", "multicast", "blackhole", "unreachable", "prohibit"];

function addr4(text: string): Value {
  if (isIPv4(text)) return text;
  if (!isIPv4Cidr(text)) throw new NftError(`"${text}" is not an IPv4 address or prefix`);
  const c = parseCidr(text);
  return c.prefix === 32 ? formatCidr(c).replace(/\/32$/, "") : formatCidr(c);
}

function addr6(text: string): Value {
  const plain = text.replace(/^\[|\]$/g, "");
  if (isIPv6(plain)) return formatCidr6(parseCidr6(`${plain}/128`)).replace(/\/128$/, "");
  if (!isIPv6Cidr(plain)) throw new NftError(`"${text}" is not an IPv6 address or prefix`);
  const c = parseCidr6(plain);
  return c.prefix === 128 ? formatCidr6(c).replace(/\/128$/, "") : formatCidr6(c);
}

function port(text: string): Value {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  const lo = Number(m?.[1]);
  const hi = m?.[2] === undefined ? lo : Number(m[2]);
  if (!m || lo > 65535 || hi > 65535 || hi < lo) throw new NftError(`"${text}" is not a port or port range`);
  return lo === hi ? `${lo}` : `${lo}-${hi}`;
}

function flags(type: DataType, items: string[]): Value {
  const known = FLAGS[type]!;
  for (const i of items) if (!known.includes(i)) throw new NftError(`"${i}" is not one of ${known.join(", ")}`);
  return known.filter((k) => items.includes(k)).join(",");
}

/** One value of a type, from the words the user wrote (several for a flag list). */
export function parseValue(type: DataType, words: string[]): Value {
  if (FLAGS[type]) return flags(type, words);
  if (words.length !== 1) throw new NftError(`a ${type} value is one word, not "${words.join(",")}"`);
  const w = words[0]!;
  switch (type) {
    case "ifname":
      if (w.length === 0 || w.length > 15) throw new NftError(`"${w}" is not an interface name (1-15 characters)`);
      return w;
    case "ipv4_addr": return addr4(w);
    case "ipv6_addr": return addr6(w);
    case "inet_service": return port(w);
    case "inet_proto": {
      const name = w === "icmpv6" ? "ipv6-icmp" : w;
      if (PROTOS[name] !== undefined) return name;
      const n = Number(w);
      if (!Number.isInteger(n) || n < 0 || n > 255) throw new NftError(`"${w}" is not a protocol`);
      return Object.keys(PROTOS).find((k) => PROTOS[k] === n) ?? `${n}`;
    }
    case "mark": {
      const n = Number(w);
      if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new NftError(`"${w}" is not a 32-bit mark`);
      return `0x${n.toString(16).padStart(8, "0")}`;
    }
    case "fib_addrtype":
      if (!ADDR_TYPES.includes(w)) throw new NftError(`"${w}" is not an address type (${ADDR_TYPES.join(", ")})`);
      return w;
    default:
      throw new NftError(`values of type ${type} are not supported`);
  }
}

/** A value as nft prints it (interface names quoted). */
export function printValue(type: DataType, v: Value): string {
  return type === "ifname" ? `"${v}"` : v;
}

/** Interface names are host-endian strings: as numbers (x86), the last byte counts most. */
function compareHostEndian(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = a.length - 1; i >= 0; i--) if (a[i] !== b[i]) return a.charCodeAt(i) - b.charCodeAt(i);
  return 0;
}

/** nft lists elements ordered by their key as a number (after the kernel hands them over). */
export function compareValues(type: DataType, a: Value, b: Value): number {
  switch (type) {
    case "ifname": return compareHostEndian(a, b);
    case "ipv4_addr": case "ipv6_addr": {
      const x = type === "ipv4_addr" ? BigInt(parseCidr(a.includes("/") ? a : `${a}/32`).addr) : parseCidr6(a.includes("/") ? a : `${a}/128`).addr;
      const y = type === "ipv4_addr" ? BigInt(parseCidr(b.includes("/") ? b : `${b}/32`).addr) : parseCidr6(b.includes("/") ? b : `${b}/128`).addr;
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case "inet_service": return Number(a.split("-")[0]) - Number(b.split("-")[0]);
    case "inet_proto": return (PROTOS[a] ?? Number(a)) - (PROTOS[b] ?? Number(b));
    default: return a < b ? -1 : a > b ? 1 : 0;
  }
}

/** Type names as `type K : V` writes them. */
export const TYPE_NAMES: readonly DataType[] = ["ifname", "ipv4_addr", "ipv6_addr", "inet_service", "inet_proto", "mark", "verdict"];
