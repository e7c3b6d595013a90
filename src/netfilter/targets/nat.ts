// DNAT, SNAT, MASQUERADE and REDIRECT (libxt_DNAT.c, libxt_SNAT.c, libxt_MASQUERADE.c,
// libxt_REDIRECT.c). They only decide the binding; the conntrack layer applies it to this and
// every later packet of the connection, like nf_nat does.
import { formatAddr, isIPv6, LOOPBACK6, parseIPv4, parseIPv6, type Addr } from "../../net/address.js";
import type { MatchContext, RuleHeader, TargetEffect, TargetModule } from "../types.js";

interface NatRange {
  ipLo: Addr | null;
  ipHi: Addr | null;
  portLo: number | null;
  portHi: number | null;
  random: boolean;
  persistent: boolean;
}

const emptyRange = (): NatRange => ({ ipLo: null, ipHi: null, portLo: null, portHi: null, random: false, persistent: false });

function needsPorts(rule: RuleHeader, _what: string): void {
  const p = rule.proto?.proto;
  // A negated -p passes too: iptables-nft 1.8.9 accepts "! -p tcp -j MASQUERADE --to-ports …".
  if (!p || (p !== "tcp" && p !== "udp" && p !== "sctp"))
    throw new Error("Need TCP, UDP, SCTP or DCCP with port specification"); // no target name, as iptables says it
}

function parsePorts(text: string, r: NatRange, rule: RuleHeader, what: string): void {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
  // iptables names the bad port itself, without the target's name.
  if (!m) throw new Error(`Port \`${text}' not valid`);
  const big = [m[1], m[2]].find((p) => p !== undefined && Number(p) > 65535);
  if (big) throw new Error(`Port \`${big}' not valid`);
  needsPorts(rule, what);
  r.portLo = Number(m[1]);
  r.portHi = m[2] === undefined ? r.portLo : Number(m[2]);
}

/** ip6tables: "ADDR", "[ADDR]", "[ADDR]:port[-port]" or ":port[-port]" (libxt_DNAT.c's v6 parser). */
function parseToAddress6(text: string, r: NatRange, rule: RuleHeader, what: string): void {
  let ip = text;
  if (text.startsWith("[")) {
    const close = text.indexOf("]");
    if (close < 0) throw new Error(`${what}: Invalid address "${text}"`);
    ip = text.slice(1, close);
    const rest = text.slice(close + 1);
    if (rest.startsWith(":")) parsePorts(rest.slice(1), r, rule, what);
    else if (rest !== "") throw new Error(`${what}: Port \`${rest}' not valid`);
  } else if (text.startsWith(":")) {
    parsePorts(text.slice(1), r, rule, what);
    return;
  }
  if (!isIPv6(ip)) throw new Error(`Bad IP address "${ip}"`);
  r.ipLo = r.ipHi = parseIPv6(ip);
}

/** "a.b.c.d[-e.f.g.h][:port[-port]]" */
function parseToAddress(text: string, r: NatRange, rule: RuleHeader, what: string): void {
  if (rule.family === "ipv6") return parseToAddress6(text, r, rule, what);
  const colon = text.indexOf(":");
  const ips = colon < 0 ? text : text.slice(0, colon);
  if (colon >= 0) parsePorts(text.slice(colon + 1), r, rule, what);
  if (ips === "") return;
  const [lo, hi] = ips.split("-");
  r.ipLo = parseIPv4(lo ?? "");
  r.ipHi = hi === undefined ? r.ipLo : parseIPv4(hi);
}

function saveRange(r: NatRange): string {
  // ip6tables brackets an address only when a port follows: "[fd00::2]:80", "fd00::2".
  if (typeof r.ipLo === "bigint" && r.portLo !== null) return `[${formatAddr(r.ipLo)}]${saveRange({ ...r, ipLo: null, ipHi: null })}`;
  let s = r.ipLo === null ? "" : formatAddr(r.ipLo);
  if (r.ipLo !== null && r.ipHi !== r.ipLo && r.ipHi !== null) s += `-${formatAddr(r.ipHi)}`;
  if (r.portLo !== null) s += `:${r.portLo}${r.portHi !== r.portLo ? `-${r.portHi}` : ""}`;
  return s;
}

function flags(r: NatRange): string {
  return `${r.random ? " --random" : ""}${r.persistent ? " --persistent" : ""}`;
}

function addressTarget(name: "DNAT" | "SNAT", option: string): TargetModule<NatRange> {
  const kind = name;
  return {
    name,
    options: [option, "random", "persistent"],
    unsupported: name === "SNAT" ? ["random-fully"] : [],
    tables: ["nat"],
    hooks: name === "DNAT" ? ["PREROUTING", "OUTPUT"] : ["POSTROUTING", "INPUT"],
    create: emptyRange,
    parse(r, opt, _neg, args, rule) {
      if (opt === "random") r.random = true;
      else if (opt === "persistent") r.persistent = true;
      else parseToAddress(args.value(opt), r, rule, name);
    },
    finish(r) {
      if (r.ipLo === null && r.portLo === null) throw new Error(`${name}: option "--${option}" must be specified\n`);
    },
    save: (r) => `--${option} ${saveRange(r)}${flags(r)}`,
    apply: (r, ctx) => ({
      verdict: "ACCEPT",
      nat: {
        kind,
        ip: r.ipLo ?? (kind === "DNAT" ? ctx.packet.dst : ctx.packet.src),
        port: r.portLo,
      },
    }),
  };
}

export const DNAT = addressTarget("DNAT", "to-destination");
export const SNAT = addressTarget("SNAT", "to-source");

function portsOnly(name: "MASQUERADE" | "REDIRECT", pick: (ctx: MatchContext) => Addr | null): TargetModule<NatRange> {
  return {
    name,
    options: ["to-ports", "random"],
    unsupported: name === "MASQUERADE" ? ["random-fully"] : [],
    tables: ["nat"],
    hooks: name === "MASQUERADE" ? ["POSTROUTING"] : ["PREROUTING", "OUTPUT"],
    create: emptyRange,
    parse(r, opt, _neg, args, rule) {
      if (opt === "random") r.random = true;
      else parsePorts(args.value(opt), r, rule, name);
    },
    save(r) {
      const ports = r.portLo === null ? "" : `--to-ports ${r.portLo}${r.portHi !== r.portLo ? `-${r.portHi}` : ""}`;
      return `${ports}${flags(r)}`.trim();
    },
    apply(r, ctx): TargetEffect {
      const ip = pick(ctx);
      if (ip === null) return { verdict: "DROP" };
      return { verdict: "ACCEPT", nat: { kind: name === "MASQUERADE" ? "SNAT" : "DNAT", ip, port: r.portLo } };
    },
  };
}

export const MASQUERADE = portsOnly("MASQUERADE", ({ packet, ns }) =>
  packet.out ? ns.sourceAddrFor(packet.out, packet.dst) : null,
);
// Locally generated packets are redirected to 127.0.0.1; others to the incoming device's address.
export const REDIRECT = portsOnly("REDIRECT", ({ packet, hook, ns }) =>
  hook === "OUTPUT"
    ? (typeof packet.dst === "bigint" ? LOOPBACK6 : parseIPv4("127.0.0.1"))
    : ns.primaryAddr(packet.in, typeof packet.dst === "bigint" ? "ipv6" : "ipv4"),
);
