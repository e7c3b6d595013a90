// ipset: the sets `-m set --match-set NAME src,dst` looks packets up in. Users paste them the way
// `ipset save` prints them ("create NAME TYPE [options]" then "add NAME ELEMENT [options]"), one
// text per network namespace; the kernel's rules refer to a set by name and it must exist when the
// rules are loaded.
//
// Lookup follows the kernel (net/netfilter/ipset): a packet gives one value per dimension of the
// set type, each taken from the source or the destination as the match's flags say; a set with
// more dimensions than flags never matches; hash types with a network dimension pick the most
// specific matching element, whose `nomatch` flag makes the lookup fail (ip_set_hash_gen.h).
import {
  inNet, isIPv4, isIPv6, parseCidrOf, parseAddrOf, type Addr, type AnyCidr, type Family,
} from "../net/address.js";
import { splitLine } from "./quote.js";
import type { Packet, Proto } from "./types.js";

export type IpsetType =
  | "hash:ip" | "hash:net" | "hash:ip,port" | "hash:net,port" | "hash:ip,port,ip" | "hash:ip,port,net"
  | "hash:net,iface" | "bitmap:ip" | "bitmap:port" | "list:set";

type Dim = "ip" | "net" | "port" | "iface" | "set";

const DIMS: Record<IpsetType, Dim[]> = {
  "hash:ip": ["ip"],
  "hash:net": ["net"],
  "hash:ip,port": ["ip", "port"],
  "hash:net,port": ["net", "port"],
  "hash:ip,port,ip": ["ip", "port", "ip"],
  "hash:ip,port,net": ["ip", "port", "net"],
  "hash:net,iface": ["net", "iface"],
  "bitmap:ip": ["ip"],
  "bitmap:port": ["port"],
  "list:set": ["set"],
};

/** Types whose elements may carry `nomatch` (those with a network dimension). */
const NOMATCH_TYPES = new Set<IpsetType>(["hash:net", "hash:net,port", "hash:ip,port,net", "hash:net,iface"]);

/** One dimension of an element: an address range (a CIDR), a protocol and port range, an interface. */
type Value =
  | { kind: "addr"; cidr: AnyCidr }
  | { kind: "port"; proto: Proto; lo: number; hi: number }
  | { kind: "iface"; name: string; physdev: boolean }
  | { kind: "set"; name: string };

interface Element {
  /** The element's identity (keyOf): adding it again replaces it, as ipset does. */
  key: string;
  values: Value[];
  nomatch: boolean;
  /** The prefix of the element's network dimension: the most specific one wins. */
  specificity: number;
}

export interface Ipset {
  readonly name: string;
  readonly type: IpsetType;
  /** list:set holds sets of either family (NFPROTO_UNSPEC). */
  readonly family: Family | null;
  /** bitmap types: the range the set covers. */
  readonly range: { lo: number; hi: number } | AnyCidr | null;
  /** hash:ip netmask: addresses are stored and looked up masked. */
  readonly netmask: number | null;
  readonly elements: Element[];
  /** Elements by key, for adds and deletes in constant time. */
  readonly index: Map<string, Element>;
}

function keyOf(values: Value[]): string {
  return values
    .map((v) => (v.kind === "addr" ? `${v.cidr.addr}/${v.cidr.prefix}` : v.kind === "port" ? `${v.proto}:${v.lo}-${v.hi}` : v.kind === "iface" ? `${v.physdev ? "physdev:" : ""}${v.name}` : v.name))
    .join(",");
}

function insert(set: Ipset, values: Value[], nomatch: boolean): void {
  const key = keyOf(values);
  const old = set.index.get(key);
  if (old) set.elements.splice(set.elements.indexOf(old), 1);
  const specificity = values.reduce((n, v) => (v.kind === "addr" ? n + v.cidr.prefix : n), 0);
  const e = { key, values, nomatch, specificity };
  set.elements.push(e);
  set.index.set(key, e);
}

export class IpsetError extends Error {
  constructor(readonly line: number, reason: string) {
    super(`ipset v7.17: line ${line}: ${reason}`);
  }
}

/** The sets of one network namespace. */
export class IpsetStore {
  readonly sets = new Map<string, Ipset>();
  private static next = 0;
  /** Distinguishes stores in caches keyed by rule text. */
  readonly id = ++IpsetStore.next;

  get(name: string): Ipset | undefined {
    return this.sets.get(name);
  }
}

// ---- parsing `ipset save` ----

const PORT_PROTOS: Record<string, Proto> = { tcp: "tcp", udp: "udp", sctp: "sctp", icmp: "icmp", icmpv6: "icmpv6" };

// The ICMP names ipset accepts and prints (ip_set_getport.c: icmp_typecodes), as type/code.
const ICMP_NAMES: Record<string, [number, number]> = {
  "echo-reply": [0, 0], "pong": [0, 0], "network-unreachable": [3, 0], "host-unreachable": [3, 1],
  "protocol-unreachable": [3, 2], "port-unreachable": [3, 3], "fragmentation-needed": [3, 4],
  "source-route-failed": [3, 5], "network-unknown": [3, 6], "host-unknown": [3, 7],
  "network-prohibited": [3, 9], "host-prohibited": [3, 10], "TOS-network-unreachable": [3, 11],
  "TOS-host-unreachable": [3, 12], "communication-prohibited": [3, 13], "host-precedence-violation": [3, 14],
  "precedence-cutoff": [3, 15], "source-quench": [4, 0], "network-redirect": [5, 0], "host-redirect": [5, 1],
  "TOS-network-redirect": [5, 2], "TOS-host-redirect": [5, 3], "echo-request": [8, 0], "ping": [8, 0],
  "router-advertisement": [9, 0], "router-solicitation": [10, 0], "ttl-zero-during-transit": [11, 0],
  "ttl-zero-during-reassembly": [11, 1], "ip-header-bad": [12, 0], "required-option-missing": [12, 1],
  "timestamp-request": [13, 0], "timestamp-reply": [14, 0], "address-mask-request": [17, 0], "address-mask-reply": [18, 0],
};
const ICMP6_NAMES: Record<string, [number, number]> = {
  "no-route": [1, 0], "communication-prohibited": [1, 1], "address-unreachable": [1, 3], "port-unreachable": [1, 4],
  "packet-too-big": [2, 0], "ttl-zero-during-transit": [3, 0], "ttl-zero-during-reassembly": [3, 1],
  "bad-header": [4, 0], "unknown-header-type": [4, 1], "unknown-option": [4, 2],
  "echo-request": [128, 0], "ping": [128, 0], "echo-reply": [129, 0], "pong": [129, 0],
};

function parseAddrValue(text: string, family: Family, allowCidr: boolean): Value {
  const plain = family === "ipv4" ? isIPv4 : isIPv6;
  const [ip, prefix, extra] = text.split("/");
  if (!ip || !plain(ip) || extra !== undefined) throw new Error(`"${text}" is not an ${family === "ipv4" ? "IPv4" : "IPv6"} address${allowCidr ? " or network" : ""}`);
  const max = family === "ipv4" ? 32 : 128;
  if (prefix !== undefined && (!/^\d+$/.test(prefix) || Number(prefix) > max || (allowCidr && Number(prefix) === 0)))
    throw new Error(`bad prefix in "${text}"`);
  return { kind: "addr", cidr: parseCidrOf(family, prefix === undefined ? `${ip}/${max}` : text) };
}

/** "[proto:]port[-port]", "icmp:TYPE/CODE" or "icmp:NAME" (default proto tcp). */
function parsePortValue(text: string, family: Family): Value {
  const colon = text.indexOf(":");
  const protoName = colon < 0 ? "tcp" : text.slice(0, colon).toLowerCase();
  const rest = colon < 0 ? text : text.slice(colon + 1);
  const proto = PORT_PROTOS[protoName === "ipv6-icmp" ? "icmpv6" : protoName];
  if (!proto) throw new Error(`unsupported protocol "${protoName}" in "${text}"`);
  if (proto === "icmp" || proto === "icmpv6") {
    if ((proto === "icmp") !== (family === "ipv4")) throw new Error(`${protoName} is not valid in an ${family === "ipv4" ? "inet" : "inet6"} set`);
    const names = proto === "icmp" ? ICMP_NAMES : ICMP6_NAMES;
    const tc = names[rest] ?? (/^\d+\/\d+$/.test(rest) ? (rest.split("/").map(Number) as [number, number]) : undefined);
    if (!tc || tc[0] > 255 || tc[1] > 255) throw new Error(`bad ICMP type/code "${rest}"`);
    const v = (tc[0] << 8) | tc[1];
    return { kind: "port", proto, lo: v, hi: v };
  }
  const m = /^(\d+)(?:-(\d+))?$/.exec(rest);
  if (!m) throw new Error(`bad port "${rest}"`);
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  if (lo > 65535 || hi > 65535 || hi < lo) throw new Error(`bad port range "${rest}"`);
  return { kind: "port", proto, lo, hi };
}

function parseIfaceValue(text: string): Value {
  const physdev = text.startsWith("physdev:");
  const name = physdev ? text.slice(8) : text;
  if (!/^[^\s/]{1,15}$/.test(name)) throw new Error(`bad interface name "${name}"`);
  return { kind: "iface", name, physdev };
}

function parseElement(set: Ipset, text: string, store: IpsetStore): Value[] {
  const dims = DIMS[set.type];
  if (set.type === "list:set") {
    const member = store.get(text);
    if (!member) throw new Error(`set "${text}" does not exist (create it before adding it to ${set.name})`);
    if (member.type === "list:set") throw new Error(`a list:set cannot hold another list:set ("${text}")`);
    return [{ kind: "set", name: text }];
  }
  if (set.type === "bitmap:port") {
    const v = parsePortValue(text.includes(":") ? text : `tcp:${text}`, "ipv4");
    const r = set.range as { lo: number; hi: number };
    if (v.kind !== "port" || v.lo < r.lo || v.hi > r.hi) throw new Error(`port "${text}" is outside the range of ${set.name}`);
    return [{ ...v, proto: "tcp" }];
  }
  const parts = text.split(",");
  if (parts.length !== dims.length) throw new Error(`"${text}" does not have the ${dims.length} parts of a ${set.type} element`);
  const family = set.family!;
  return dims.map((d, i) => {
    const part = parts[i]!;
    if (d === "port") return parsePortValue(part, family);
    if (d === "iface") return parseIfaceValue(part);
    // A network given to an "ip" dimension stands for each of its addresses (ipset expands it).
    const v = parseAddrValue(part, family, true);
    if (set.type === "bitmap:ip") {
      const range = set.range as AnyCidr;
      if (v.kind === "addr" && (v.cidr.prefix < range.prefix || !inNet(v.cidr.addr, range))) throw new Error(`"${part}" is outside the range of ${set.name}`);
    }
    if (set.netmask !== null && v.kind === "addr") return { kind: "addr", cidr: parseCidrOf(family, `${formatAddrOf(v.cidr.addr)}/${Math.min(v.cidr.prefix, set.netmask)}`) };
    return v;
  });
}

function formatAddrOf(a: Addr): string {
  if (typeof a === "number") return [a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255].join(".");
  const hex = a.toString(16).padStart(32, "0");
  return hex.match(/.{4}/g)!.join(":");
}

const VALUE_OPTIONS = new Set(["hashsize", "maxelem", "bucketsize", "initval", "timeout", "size", "markmask", "netmask", "range", "family"]);
const FLAG_OPTIONS = new Set(["counters", "comment", "skbinfo", "forceadd"]);

function createSet(argv: string[], line: number): Ipset {
  const [name, typeText, ...opts] = argv;
  if (!name || !typeText) throw new IpsetError(line, "create needs a set name and a type");
  if (name.length > 31) throw new IpsetError(line, `set name "${name}" is longer than 31 characters`);
  const type = typeText as IpsetType;
  if (!(type in DIMS)) throw new IpsetError(line, `unknown set type "${typeText}" (nfplay knows ${Object.keys(DIMS).join(", ")})`);
  let family: Family = "ipv4";
  let rangeText: string | null = null;
  let netmask: number | null = null;
  for (let i = 0; i < opts.length; i++) {
    const o = opts[i]!;
    if (FLAG_OPTIONS.has(o)) continue;
    if (!VALUE_OPTIONS.has(o)) throw new IpsetError(line, `unknown option "${o}" for create`);
    const v = opts[++i];
    if (v === undefined) throw new IpsetError(line, `option "${o}" needs a value`);
    if (o === "family") {
      if (v !== "inet" && v !== "inet6") throw new IpsetError(line, `unknown family "${v}"`);
      family = v === "inet" ? "ipv4" : "ipv6";
    } else if (o === "range") rangeText = v;
    else if (o === "netmask") netmask = Number(v);
    else if (!/^(0x[0-9a-fA-F]+|\d+)$/.test(v)) throw new IpsetError(line, `option "${o}" needs a number, not "${v}"`);
  }
  if (netmask !== null && (type !== "hash:ip" || !Number.isInteger(netmask) || netmask < 1 || netmask > (family === "ipv4" ? 32 : 128)))
    throw new IpsetError(line, `netmask applies to hash:ip only, 1-${family === "ipv4" ? 32 : 128}`);
  const bitmap = type.startsWith("bitmap:");
  if (bitmap && family === "ipv6") throw new IpsetError(line, `${type} is IPv4 only`);
  if (bitmap && rangeText === null) throw new IpsetError(line, `${type} needs "range"`);
  if (!bitmap && rangeText !== null) throw new IpsetError(line, `"range" applies to bitmap types only`);
  let range: Ipset["range"] = null;
  try {
    if (type === "bitmap:port") {
      const m = /^(\d+)-(\d+)$/.exec(rangeText!);
      if (!m || Number(m[2]) > 65535 || Number(m[1]) > Number(m[2])) throw new Error(`bad port range "${rangeText}"`);
      range = { lo: Number(m[1]), hi: Number(m[2]) };
    } else if (type === "bitmap:ip") range = ipRange(rangeText!);
  } catch (e) {
    throw new IpsetError(line, (e as Error).message);
  }
  return { name, type, family: type === "list:set" ? null : family, range, netmask, elements: [], index: new Map() };
}

/** A bitmap:ip range: "A-B" (as ipset save prints it) or a CIDR; kept as the smallest covering CIDR when exact. */
function ipRange(text: string): AnyCidr {
  const dash = text.split("-");
  if (dash.length === 2 && isIPv4(dash[0]!) && isIPv4(dash[1]!)) {
    const lo = parseAddrOf("ipv4", dash[0]!) as number;
    const hi = parseAddrOf("ipv4", dash[1]!) as number;
    const size = hi - lo + 1;
    const prefix = 32 - Math.log2(size);
    if (!Number.isInteger(prefix) || lo % size !== 0) throw new Error(`range "${text}" is not a network: nfplay models bitmap:ip ranges as CIDRs`);
    return parseCidrOf("ipv4", `${dash[0]}/${prefix}`);
  }
  return (parseAddrValue(text, "ipv4", true) as { cidr: AnyCidr }).cidr;
}

const ADD_VALUE_OPTIONS = new Set(["timeout", "packets", "bytes", "comment", "skbmark", "skbprio", "skbqueue"]);

function addElement(store: IpsetStore, argv: string[], line: number): void {
  const [name, elem, ...opts] = argv;
  if (!name || !elem) throw new IpsetError(line, "add needs a set name and an element");
  const set = store.get(name);
  if (!set) throw new IpsetError(line, `set "${name}" does not exist`);
  let nomatch = false;
  for (let i = 0; i < opts.length; i++) {
    const o = opts[i]!;
    if (o === "nomatch") {
      if (!NOMATCH_TYPES.has(set.type)) throw new IpsetError(line, `"nomatch" is not supported by ${set.type}`);
      nomatch = true;
    } else if (ADD_VALUE_OPTIONS.has(o)) {
      if (opts[++i] === undefined) throw new IpsetError(line, `option "${o}" needs a value`);
    } else if (o === "before" || o === "after") {
      throw new IpsetError(line, `"${o}" is not supported by nfplay: list the members in order`);
    } else throw new IpsetError(line, `unknown option "${o}" for add`);
  }
  let values: Value[];
  try {
    values = parseElement(set, elem, store);
  } catch (e) {
    throw new IpsetError(line, (e as Error).message);
  }
  insert(set, values, nomatch);
}

/** Parse `ipset save` text (also `ipset create/add` commands, with or without the leading "ipset"). */
export function parseIpsetSave(text: string): IpsetStore {
  const store = new IpsetStore();
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i]!.trim();
    if (raw === "" || raw.startsWith("#")) continue;
    let argv: string[];
    try {
      argv = splitLine(raw);
    } catch (e) {
      throw new IpsetError(lineNo, (e as Error).message);
    }
    if (argv[0] === "ipset") argv.shift();
    if (argv[0] === "-exist" || argv[0] === "-!") argv.shift();
    const [cmd, ...rest] = argv;
    if (cmd === "create" || cmd === "-N" || cmd === "n") {
      const set = createSet(rest, lineNo);
      if (store.sets.has(set.name)) throw new IpsetError(lineNo, `set "${set.name}" already exists`);
      store.sets.set(set.name, set);
    } else if (cmd === "add" || cmd === "-A" || cmd === "a") addElement(store, rest, lineNo);
    else throw new IpsetError(lineNo, `expected "create" or "add", not "${cmd}"`);
  }
  return store;
}

// ---- lookup ----

/** "src" / "dst" per dimension, as `--match-set NAME src,dst` gives them. */
export type Dir = "src" | "dst";

function portOf(p: Packet, dir: Dir): { proto: Proto; port: number } {
  // ICMP has no ports: the kernel looks up type << 8 | code (ip_set_get_ip4_port).
  if (p.proto === "icmp" || p.proto === "icmpv6") return { proto: p.proto, port: (p.icmpType << 8) | p.icmpCode };
  return { proto: p.proto, port: dir === "src" ? p.sport : p.dport };
}

function valueMatches(v: Value, p: Packet, dir: Dir): boolean {
  switch (v.kind) {
    case "addr":
      return inNet(dir === "src" ? p.src : p.dst, v.cidr);
    case "port": {
      const got = portOf(p, dir);
      return got.proto === v.proto && got.port >= v.lo && got.port <= v.hi;
    }
    case "iface":
      // xt_set never asks for the bridge port (no IPSET_FLAG_PHYSDEV in its lookups): such
      // elements only match packets of the nft set expressions, never an iptables rule.
      return !v.physdev && (dir === "src" ? p.in : p.out) === v.name;
    case "set":
      return false;
  }
}

/** ip_set_test: is the packet in the set, given one direction per dimension (extra ones are ignored)? */
export function ipsetTest(store: IpsetStore, set: Ipset, p: Packet, dirs: Dir[], returnNomatch = false, depth = 0): boolean {
  if (set.type === "list:set") {
    // The members are tried in order; the first one that holds the packet answers.
    for (const e of set.elements) {
      const member = store.get((e.values[0] as { name: string }).name);
      if (member && depth === 0 && ipsetTest(store, member, p, dirs, returnNomatch, depth + 1)) return true;
    }
    return false;
  }
  const family = typeof p.src === "number" ? "ipv4" : "ipv6";
  const dims = DIMS[set.type];
  if (set.family !== family || dirs.length < dims.length) return false;
  if (set.type === "bitmap:port" && p.proto !== "tcp" && p.proto !== "udp" && p.proto !== "sctp") return false;
  let best: Element | null = null;
  for (const e of set.elements) {
    if (best && e.specificity <= best.specificity) continue;
    if (set.type === "bitmap:port") {
      if (valueMatches({ ...(e.values[0] as Value & { kind: "port" }), proto: p.proto }, p, dirs[0]!)) best = e;
      continue;
    }
    if (e.values.every((v, i) => valueMatches(v, p, dirs[i]!))) best = e;
  }
  if (!best) return false;
  // --return-nomatch turns the answer around for sets that know nomatch.
  if (returnNomatch && NOMATCH_TYPES.has(set.type)) return best.nomatch;
  return !best.nomatch;
}

// ---- -j SET: adding and deleting the packet's element ----

/**
 * The element a packet makes for the set (the kadt functions): addresses as hosts, except that
 * hash:net* types use the most specific prefix the set holds (nets[0], INIT_CIDR); null when the
 * packet does not fit (family, dimensions, a bitmap's range).
 */
function elementOf(set: Ipset, p: Packet, dirs: Dir[]): Value[] | null {
  const family = typeof p.src === "number" ? "ipv4" : "ipv6";
  const dims = DIMS[set.type];
  if (set.family !== family || dirs.length < dims.length) return null;
  const host = family === "ipv4" ? 32 : 128;
  const netPrefix = set.elements.reduce((m, e) => Math.max(m, ...e.values.map((v) => (v.kind === "addr" ? v.cidr.prefix : 0))), 0) || host;
  const values: Value[] = [];
  for (let i = 0; i < dims.length; i++) {
    const dir = dirs[i]!;
    const d = dims[i]!;
    if (d === "port") {
      const got = portOf(p, dir);
      if (set.type === "bitmap:port") {
        const r = set.range as { lo: number; hi: number };
        if (isPortless(p) || got.port < r.lo || got.port > r.hi) return null;
        values.push({ kind: "port", proto: "tcp", lo: got.port, hi: got.port });
      } else values.push({ kind: "port", proto: got.proto, lo: got.port, hi: got.port });
    } else if (d === "iface") {
      const name = dir === "src" ? p.in : p.out;
      if (!name) return null;
      values.push({ kind: "iface", name, physdev: false });
    } else {
      const ip = dir === "src" ? p.src : p.dst;
      const prefix = d === "net" ? netPrefix : set.netmask ?? host;
      const cidr = parseCidrOf(family, `${formatAddrOf(ip)}/${prefix}`);
      if (set.type === "bitmap:ip" && !inNet(ip, set.range as AnyCidr)) return null;
      values.push({ kind: "addr", cidr });
    }
  }
  return values;
}

function isPortless(p: Packet): boolean {
  return p.proto !== "tcp" && p.proto !== "udp" && p.proto !== "sctp";
}

/** ip_set_add: the packet's element goes into the set (list:set: the first member that takes it). */
export function ipsetAdd(store: IpsetStore, set: Ipset, p: Packet, dirs: Dir[]): boolean {
  if (set.type === "list:set") {
    for (const e of set.elements) {
      const member = store.get((e.values[0] as { name: string }).name);
      if (member && ipsetAdd(store, member, p, dirs)) return true;
    }
    return false;
  }
  const values = elementOf(set, p, dirs);
  if (!values || set.index.has(keyOf(values))) return false;
  insert(set, values, false);
  return true;
}

/** ip_set_del: the packet's element leaves the set (list:set: the first member that had it). */
export function ipsetDel(store: IpsetStore, set: Ipset, p: Packet, dirs: Dir[]): boolean {
  if (set.type === "list:set") {
    for (const e of set.elements) {
      const member = store.get((e.values[0] as { name: string }).name);
      if (member && ipsetDel(store, member, p, dirs)) return true;
    }
    return false;
  }
  const values = elementOf(set, p, dirs);
  const old = values ? set.index.get(keyOf(values)) : undefined;
  if (!old) return false;
  set.elements.splice(set.elements.indexOf(old), 1);
  set.index.delete(old.key);
  return true;
}

// ---- the sets the rules being loaded may refer to ----

let current: IpsetStore | null = null;

/** Run fn (an iptables-restore) with the namespace's sets visible to `-m set`. */
export function withIpsets<T>(store: IpsetStore | null, fn: () => T): T {
  const before = current;
  current = store;
  try {
    return fn();
  } finally {
    current = before;
  }
}

export function currentIpsets(): IpsetStore | null {
  return current;
}
