// Parse an iptables rule specification (the argv after "-A CHAIN") into a Rule, and print it
// back in iptables-save's canonical order: -s -d -i -o -p, matches in load order, target.
import { formatAnyCidr, isIPv4, isIPv6, parseCidrOf, parseIPv4, parseIPv6, type Family } from "../net/address.js";
import { findMatch, findTarget, protoMatch } from "./registry.js";
import type { ArgReader, IfaceFilter, MatchInstance, Proto, Rule, RuleHeader, TargetInstance, StandardTarget } from "./types.js";

const PROTOS: Record<string, Proto | "all"> = {
  all: "all", "0": "all", tcp: "tcp", "6": "tcp", udp: "udp", "17": "udp", sctp: "sctp", "132": "sctp", icmp: "icmp", "1": "icmp",
  // ICMPv6: ip6tables-save prints "-p ipv6-icmp" however it was given.
  "ipv6-icmp": "icmpv6", icmpv6: "icmpv6", "58": "icmpv6",
};

/** The program name in error messages. */
export function progName(family: Family | undefined): string {
  return family === "ipv6" ? "ip6tables" : "iptables";
}

const HEADER_FLAGS: Record<string, "src" | "dst" | "in" | "out" | "proto"> = {
  "-s": "src", "--source": "src", "--src": "src",
  "-d": "dst", "--destination": "dst", "--dst": "dst",
  "-i": "in", "--in-interface": "in",
  "-o": "out", "--out-interface": "out",
  "-p": "proto", "--protocol": "proto",
};

export class RuleParseError extends Error {}

class Reader implements ArgReader {
  constructor(private argv: string[], public pos = 0) {}
  done(): boolean {
    return this.pos >= this.argv.length;
  }
  next(): string {
    return this.argv[this.pos++]!;
  }
  peek(): string | undefined {
    return this.argv[this.pos];
  }
  value(option: string): string {
    const v = this.argv[this.pos];
    if (v === undefined) throw new RuleParseError(`option "${option.startsWith("-") ? option : `--${option}`}" requires an argument`);
    this.pos++;
    return v;
  }
}

function parseIface(name: string, neg: boolean): IfaceFilter {
  if (name.length > 15) throw new RuleParseError(`interface name \`${name}' must be shorter than IFNAMSIZ (15)`);
  if (name.length === 0 || /[\s/]/.test(name)) throw new RuleParseError(`Invalid interface name "${name}"`);
  return { name, neg };
}

/** iptables also takes a netmask written as an address ("/255.255.255.0"): its prefix length. */
function withPrefix(family: Family, value: string): string {
  const [ip, mask] = value.split("/");
  if (mask === undefined || !(family === "ipv4" ? isIPv4(mask) : isIPv6(mask))) return value;
  const width = family === "ipv4" ? 32 : 128;
  const bits = (family === "ipv4" ? BigInt(parseIPv4(mask)) : parseIPv6(mask)).toString(2).padStart(width, "0");
  const prefix = bits.indexOf("0") < 0 ? width : bits.indexOf("0");
  if (bits.slice(prefix).includes("1")) throw new RuleParseError(`a non-contiguous netmask such as "${mask}" is not supported by nfplay`);
  return `${ip}/${prefix}`;
}

function setHeader(h: RuleHeader, field: "src" | "dst" | "in" | "out" | "proto", value: string, neg: boolean): void {
  if (h[field] !== null) throw new RuleParseError(`multiple ${field === "proto" ? "-p" : field} flags not allowed`);
  if (field === "src" || field === "dst") {
    try {
      // iptables resolves addresses with inet_aton, so Docker's "0/0" means 0.0.0.0/0 (ip6tables: ::/0).
      const family = h.family ?? "ipv4";
      h[field] = { cidr: parseCidrOf(family, withPrefix(family, value.replace(/^0(?=\/|$)/, family === "ipv4" ? "0.0.0.0" : "::"))), neg };
    } catch (e) {
      if (e instanceof RuleParseError) throw e;
      const mask = /\/(-?\d+)$/.exec(value)?.[1];
      if (mask !== undefined && (Number(mask) < 0 || Number(mask) > ((h.family ?? "ipv4") === "ipv4" ? 32 : 128)))
        throw new RuleParseError(`invalid mask \`${mask}' specified`);
      throw new RuleParseError(`host/network \`${value}' not found`);
    }
  } else if (field === "proto") {
    const p = PROTOS[value.toLowerCase()];
    if (!p) throw new RuleParseError(`unknown protocol "${value}" specified`);
    h.proto = { proto: p, neg };
  } else h[field] = parseIface(value, neg);
}

interface ParseState {
  header: RuleHeader;
  matches: MatchInstance[];
  target: StandardTarget | TargetInstance;
}

function parseTarget(name: string, isGoto: boolean, family: Family): StandardTarget | TargetInstance {
  if (isGoto) return { kind: "goto", chain: name };
  if (name === "ACCEPT" || name === "DROP" || name === "RETURN") return { kind: "verdict", verdict: name };
  const mod = findTarget(name, family);
  if (mod) return { module: mod, opts: mod.create() };
  return { kind: "jump", chain: name };
}

// iptables' own long options (xshared.c original_opts, nf_tables build) with their short
// letters: getopt_long resolves an abbreviation against these and the loaded extensions' options
// at once, so "--sou" is -s but "--s" is ambiguous (source, src, set-counters, --sport …).
const GLOBAL_LONG: [string, string][] = [
  ["append", "A"], ["delete", "D"], ["check", "C"], ["insert", "I"], ["replace", "R"], ["list", "L"],
  ["list-rules", "S"], ["flush", "F"], ["zero", "Z"], ["new-chain", "N"], ["delete-chain", "X"],
  ["rename-chain", "E"], ["policy", "P"], ["source", "s"], ["destination", "d"], ["src", "s"], ["dst", "d"],
  ["protocol", "p"], ["in-interface", "i"], ["jump", "j"], ["table", "t"], ["match", "m"], ["numeric", "n"],
  ["out-interface", "o"], ["verbose", "v"], ["wait", "w"], ["wait-interval", "W"], ["exact", "x"],
  ["fragments", "f"], ["version", "V"], ["help", "h"], ["line-numbers", "0"], ["modprobe", "M"],
  ["set-counters", "c"], ["goto", "g"], ["ipv4", "4"], ["ipv6", "6"],
];

/** Who owns a long option: iptables itself (its short letter), the target, or a match. */
type Owner = { short: string } | { target: TargetInstance } | { match: MatchInstance };
interface LongOption {
  name: string;
  /** getopt_long's identity of an option: entries with the same key are one option (src/source). */
  key: string;
  owner: Owner;
}

/** A module's long options, supported then unsupported (cached: modules are immutable). */
const moduleOptions = new WeakMap<object, readonly string[]>();
function optionsOf(mod: { options: readonly string[]; unsupported?: readonly string[] }): readonly string[] {
  let all = moduleOptions.get(mod);
  if (!all) moduleOptions.set(mod, (all = [...mod.options, ...(mod.unsupported ?? [])]));
  return all;
}

const GLOBAL_SHORT = new Map(GLOBAL_LONG.map(([name, short]) => [name, short]));

/**
 * getopt_long over the target's options, the matches' (last loaded first) and iptables' own, in
 * that order: an exact name wins, else a prefix of exactly one option; null when unknown or
 * ambiguous. Walks the modules in place rather than listing every option of every rule.
 */
function lookupLong(st: ParseState, name: string): LongOption | null {
  const t = st.target;
  if ("module" in t && optionsOf(t.module).includes(name)) return { name, key: `-j ${t.module.name} ${name}`, owner: { target: t } };
  for (let i = st.matches.length - 1; i >= 0; i--) {
    const m = st.matches[i]!;
    if (optionsOf(m.module).includes(name)) return { name, key: `-m ${m.module.name} ${name}`, owner: { match: m } };
  }
  const short = GLOBAL_SHORT.get(name);
  if (short !== undefined) return { name, key: short, owner: { short } };
  return prefixLong(st, name);
}

/** The one option `name` abbreviates, or null (none, or two different ones). No closures: hot. */
function prefixLong(st: ParseState, name: string): LongOption | null {
  let first: LongOption | null = null;
  const t = st.target;
  if ("module" in t)
    for (const o of optionsOf(t.module)) {
      if (!o.startsWith(name)) continue;
      const key = `-j ${t.module.name} ${o}`;
      if (first && first.key !== key) return null;
      first ??= { name: o, key, owner: { target: t } };
    }
  for (let i = st.matches.length - 1; i >= 0; i--) {
    const m = st.matches[i]!;
    for (const o of optionsOf(m.module)) {
      if (!o.startsWith(name)) continue;
      const key = `-m ${m.module.name} ${o}`;
      if (first && first.key !== key) return null;
      first ??= { name: o, key, owner: { match: m } };
    }
  }
  for (const [o, key] of GLOBAL_LONG) {
    if (!o.startsWith(name)) continue;
    if (first && first.key !== key) return null;
    first ??= { name: o, key, owner: { short: key } };
  }
  return first;
}

/**
 * Resolve "--option" (possibly abbreviated) among the loaded extensions and iptables' own options.
 * Unknown or ambiguous, iptables loads the -p protocol's match (a negated -p too: iptables-nft
 * restores "! -p tcp --dport 53") and tries again, before saying `unknown option`.
 */
function resolveLong(st: ParseState, option: string): LongOption {
  const name = option.slice(2);
  const found = lookupLong(st, name);
  if (found) return found;
  const implicit = st.header.proto ? protoMatch(st.header.proto.proto) : undefined;
  if (implicit && !st.matches.some((m) => m.module === implicit)) {
    const inst = { module: implicit, opts: implicit.create() };
    st.matches.push(inst);
    const retry = lookupLong(st, name);
    if (retry && "match" in retry.owner && retry.owner.match === inst) return retry;
    st.matches.pop();
    if (retry) return retry;
  }
  throw new RuleParseError(`unknown option "${option}"`);
}

/** Hand a resolved extension option to its module. */
function parseOption(opt: LongOption, neg: boolean, r: Reader, header: RuleHeader): void {
  if (!("short" in opt.owner)) {
    const ext = "target" in opt.owner ? `-j ${opt.owner.target.module.name}` : `-m ${opt.owner.match.module.name}`;
    const mod = "target" in opt.owner ? opt.owner.target.module : opt.owner.match.module;
    if (mod.unsupported?.includes(opt.name)) throw new RuleParseError(`${ext} --${opt.name} is not supported by nfplay`);
  }
  if ("target" in opt.owner) opt.owner.target.module.parse(opt.owner.target.opts, opt.name, neg, r, header);
  else if ("match" in opt.owner) opt.owner.match.module.parse(opt.owner.match.opts, opt.name, neg, r, header);
}

/** Errors of a match/target module are parse errors of the rule (400 with the line, not 500). */
function moduleCall<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw asParseError(e);
  }
}

function asParseError(e: unknown): RuleParseError {
  return e instanceof RuleParseError ? e : new RuleParseError((e as Error).message);
}

/** Parse a rule of an iptables (family "ipv4", the default) or ip6tables ("ipv6") ruleset. */
export function parseRule(argv: string[], family: Family = "ipv4"): Rule {
  const header: RuleHeader = { src: null, dst: null, in: null, out: null, proto: null };
  if (family === "ipv6") header.family = "ipv6";
  const st: ParseState = {
    header,
    matches: [],
    target: { kind: "none" },
  };
  const r = new Reader(argv);
  while (!r.done()) {
    let tok = r.next();
    let neg = false;
    if (tok === "!") {
      neg = true;
      if (r.done()) throw new RuleParseError("\"!\" at the end of the rule");
      tok = r.next();
    }
    if (tok.startsWith("--") && tok.length > 2) {
      let opt: LongOption;
      try {
        opt = resolveLong(st, tok);
        if (!("short" in opt.owner)) {
          parseOption(opt, neg, r, st.header);
          continue;
        }
      } catch (e) {
        throw asParseError(e);
      }
      tok = `-${opt.owner.short}`;
    }
    const field = HEADER_FLAGS[tok];
    if (field) setHeader(st.header, field, r.value(tok), neg);
    else if (tok === "-m" || tok === "--match") {
      const mod = findMatchOrThrow(r.value("match"), family);
      st.matches.push({ module: mod, opts: mod.create() });
    } else if (tok === "-j" || tok === "--jump" || tok === "-g" || tok === "--goto") {
      if (!("kind" in st.target && st.target.kind === "none")) throw new RuleParseError("multiple -j flags not allowed");
      const name = r.value("jump");
      st.target = moduleCall(() => parseTarget(name, tok === "-g" || tok === "--goto", family));
    } else if (/^-[A-Za-z0-9]$/.test(tok) && !HEADER_FLAGS[tok]) throw new RuleParseError(`option "${tok}" is not supported in a rule by nfplay`);
    else throw new RuleParseError(`Bad argument \`${tok}'`);
  }
  for (const m of st.matches) moduleCall(() => m.module.finish?.(m.opts, st.header));
  const t = st.target;
  if ("module" in t) moduleCall(() => t.module.finish?.(t.opts, st.header));
  return { ...st, spec: saveSpec(st) };
}

function findMatchOrThrow(name: string, family: Family) {
  try {
    return findMatch(name, family);
  } catch (e) {
    throw new RuleParseError((e as Error).message);
  }
}

function neg(b: boolean): string {
  return b ? "! " : "";
}

function saveSpec(st: ParseState): string {
  const h = st.header;
  const parts: string[] = [];
  // 0.0.0.0/0 is "any": the kernel stores no address match, so iptables-save prints nothing.
  if (h.src && h.src.cidr.prefix > 0) parts.push(`${neg(h.src.neg)}-s ${formatAnyCidr(h.src.cidr)}`);
  if (h.dst && h.dst.cidr.prefix > 0) parts.push(`${neg(h.dst.neg)}-d ${formatAnyCidr(h.dst.cidr)}`);
  if (h.in) parts.push(`${neg(h.in.neg)}-i ${h.in.name}`);
  if (h.out) parts.push(`${neg(h.out.neg)}-o ${h.out.name}`);
  if (h.proto && h.proto.proto !== "all") parts.push(`${neg(h.proto.neg)}-p ${h.proto.proto === "icmpv6" ? "ipv6-icmp" : h.proto.proto}`);
  for (const m of st.matches) {
    const opts = m.module.save(m.opts);
    parts.push(opts ? `-m ${m.module.name} ${opts}` : `-m ${m.module.name}`);
  }
  const t = st.target;
  if ("module" in t) {
    const opts = t.module.save(t.opts);
    parts.push(opts ? `-j ${t.module.name} ${opts}` : `-j ${t.module.name}`);
  } else if (t.kind === "verdict") parts.push(`-j ${t.verdict}`);
  else if (t.kind === "jump") parts.push(`-j ${t.chain}`);
  else if (t.kind === "goto") parts.push(`-g ${t.chain}`);
  return parts.join(" ");
}

/** Interface match with iptables' "+" wildcard suffix. */
export function ifaceMatches(f: IfaceFilter | null, dev: string | null): boolean {
  if (!f) return true;
  const name = dev ?? "";
  const hit = f.name.endsWith("+") ? name.startsWith(f.name.slice(0, -1)) : name === f.name;
  return hit !== f.neg;
}
