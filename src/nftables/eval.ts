// One nftables base chain run for one packet, as nft_do_chain does: rules in order, each a
// list of expressions that must all match, jumps on a stack, `accept` ending only this base
// chain (the next base chain at the hook still sees the packet), `drop` ending the packet.
// Every rule that matched becomes a hit, with its text as `nft list ruleset` prints it.
import { inCidr, inCidr6, parseCidr, parseCidr6, type Addr } from "../net/address.js";
import { BudgetExceededError, type Budget, type RuleHit, type TableResult } from "../netfilter/evaluate.js";
import type { MatchContext, Packet, TargetEffect } from "../netfilter/types.js";
import { printRule } from "./print.js";
import type { NftRuleset } from "./ruleset.js";
import { FIELD_TYPES, type DataType, type Field, type NftChain, type NftHook, type NftRule, type NftTable, type NftTableLabel, type Stmt, type Verdict } from "./types.js";
import { PROTOS } from "./values.js";

/** A matched nft rule: an iptables hit whose table is an nft family and name. */
export type NftHit = Omit<RuleHit, "table"> & { table: NftTableLabel };

export type NftResult = Omit<TableResult, "hits"> & { hits: NftHit[] };

export interface NftBase {
  table: NftTable;
  chain: NftChain;
}

/**
 * The base chains an IPv4 (ip, inet) or IPv6 (ip6, inet) packet meets at a hook, by priority.
 * At equal priority the newer chain runs first: the kernel inserts a hook before the first one
 * whose priority is not lower (nf_hook_entries_grow); a user table pasted after Docker's runs first.
 */
export function baseChains(rs: NftRuleset, v6: boolean, hook: NftHook): NftBase[] {
  const out: NftBase[] = [];
  for (const table of rs.tables) {
    if (table.family !== "inet" && table.family !== (v6 ? "ip6" : "ip")) continue;
    for (const chain of table.chains.values()) if (chain.base?.hook === hook) out.push({ table, chain });
  }
  return out.reverse().sort((a, b) => a.chain.base!.priority - b.chain.base!.priority);
}

const CT_STATES: Record<string, string> = { NEW: "new", ESTABLISHED: "established", RELATED: "related", INVALID: "invalid", UNTRACKED: "untracked" };
const PORTS = ["tcp", "udp", "sctp"];

function protoName(p: Packet): string {
  return p.proto === "icmpv6" ? "ipv6-icmp" : p.proto;
}

function addrIn(v: string, ip: Addr): boolean {
  if (typeof ip === "number") return !v.includes(":") && inCidr(ip, parseCidr(v));
  return v.includes(":") && inCidr6(ip, parseCidr6(v));
}

function portIn(v: string, port: number): boolean {
  const [lo, hi] = v.split("-").map(Number);
  return port >= lo! && port <= (hi ?? lo!);
}

function ctStatus(ctx: MatchContext): string[] {
  const o = ctx.ctOrig;
  const r = ctx.ctReply;
  if (!o || !r) return [];
  const out = ["confirmed"];
  if (o.src !== r.dst || o.sport !== r.dport) out.push("snat");
  if (o.dst !== r.src || o.dport !== r.sport) out.push("dnat");
  return out;
}

/** The packet's value for a field, or undefined when the packet has no such header (no match). */
function read(field: Field, ctx: MatchContext): string | number | Addr | string[] | undefined {
  const p = ctx.packet;
  const v6 = typeof p.dst === "bigint";
  const l4 = field.split(" ")[0]!;
  switch (field) {
    case "iifname": return p.in ?? "";
    case "oifname": return p.out ?? "";
    case "ip saddr": return v6 ? undefined : p.src;
    case "ip daddr": return v6 ? undefined : p.dst;
    case "ip6 saddr": return v6 ? p.src : undefined;
    case "ip6 daddr": return v6 ? p.dst : undefined;
    case "ip protocol": return v6 ? undefined : protoName(p);
    case "ip6 nexthdr": return v6 ? protoName(p) : undefined;
    case "meta l4proto": return protoName(p);
    case "ct state": return [CT_STATES[p.ct]!];
    case "ct status": return ctStatus(ctx);
    case "fib daddr type": return ctx.ns.addrType(p.dst).toLowerCase();
    case "fib saddr type": return ctx.ns.addrType(p.src).toLowerCase();
    case "meta mark": return p.mark;
    default: {
      // tcp/udp/sctp/th dport|sport: the transport header must be there (and be that protocol).
      if (!PORTS.includes(p.proto) || (l4 !== "th" && l4 !== p.proto)) return undefined;
      return field.endsWith("dport") ? p.dport : p.sport;
    }
  }
}

/** Does the packet's value equal (or lie in) one value of the field's type? */
function equals(type: DataType, v: string, got: string | number | Addr | string[]): boolean {
  switch (type) {
    case "ifname": return v.endsWith("*") ? (got as string).startsWith(v.slice(0, -1)) : got === v;
    case "ipv4_addr": case "ipv6_addr": return addrIn(v, got as Addr);
    case "inet_service": return portIn(v, got as number);
    case "inet_proto": return got === v || PROTOS[got as string] === Number(v);
    case "mark": return Number(v) === got;
    case "ct_state": case "ct_status": return v.split(",").some((f) => (got as string[]).includes(f));
    default: return got === v;
  }
}

function matches(t: NftTable, s: Extract<Stmt, { kind: "match" }>, ctx: MatchContext): boolean {
  let got = read(s.field, ctx);
  if (got === undefined) return false;
  if (s.mask !== null) got = ((got as number) & s.mask) >>> 0;
  const type = FIELD_TYPES[s.field];
  const v = s.value;
  const values = typeof v === "string" ? [v] : "set" in v ? v.set : (t.sets.get(v.ref)?.elements ?? []).map((e) => e.key);
  const hit = values.some((x) => equals(type, x, got!));
  return s.op === "==" ? hit : !hit;
}

function lookup(t: NftTable, s: Extract<Stmt, { kind: "vmap" }>, ctx: MatchContext): Verdict | null {
  const got = read(s.field, ctx);
  if (got === undefined) return null;
  const type = FIELD_TYPES[s.field];
  const els = typeof s.map === "string" ? (t.sets.get(s.map)?.elements ?? []).map((e) => ({ key: e.key, verdict: e.verdict! })) : s.map;
  return els.find((e) => equals(type, e.key, got))?.verdict ?? null;
}

const REJECTS: Record<string, string> = {
  "tcp reset": "tcp-reset",
  "icmp port-unreachable": "icmp-port-unreachable", "icmp host-unreachable": "icmp-host-unreachable", "icmp net-unreachable": "icmp-net-unreachable",
  "icmp admin-prohibited": "icmp-admin-prohibited", "icmpx port-unreachable": "icmp-port-unreachable", "icmpx admin-prohibited": "icmp-admin-prohibited",
  "icmpv6 port-unreachable": "icmp6-port-unreachable", "icmpv6 admin-prohibited": "icmp6-adm-prohibited",
};

function rejectWith(s: Extract<Stmt, { kind: "reject" }>, p: Packet): string {
  const v6 = typeof p.dst === "bigint";
  if (s.with === null) return v6 ? "icmp6-port-unreachable" : "icmp-port-unreachable";
  const r = REJECTS[s.with] ?? s.with.replace(/ /g, "-");
  return v6 && r.startsWith("icmp-") ? r.replace("icmp-", "icmp6-") : r;
}

type Outcome =
  | { kind: "continue" }
  | { kind: "verdict"; verdict: Verdict; label: string }
  | { kind: "final"; verdict: "ACCEPT" | "DROP" | "REJECT"; label: string; nat?: TargetEffect["nat"]; reject?: string };

/** Run one rule's statements; null when an expression did not match. */
function runRule(t: NftTable, r: NftRule, ctx: MatchContext, set: (p: Packet) => void): Outcome | null {
  for (const s of r.stmts) {
    const p = ctx.packet;
    switch (s.kind) {
      case "match":
        if (!matches(t, s, ctx)) return null;
        break;
      case "vmap": {
        const v = lookup(t, s, ctx);
        if (!v) return null;
        return { kind: "verdict", verdict: v, label: verdictLabel(v) };
      }
      case "verdict": return { kind: "verdict", verdict: s.verdict, label: verdictLabel(s.verdict) };
      case "reject": return { kind: "final", verdict: "REJECT", label: "REJECT", reject: rejectWith(s, p) };
      case "nat": {
        const label = s.type.toUpperCase();
        if (s.type === "dnat" || s.type === "snat") {
          const ip = s.addr!.includes(":") ? parseCidr6(s.addr!).addr : parseCidr(s.addr!).addr;
          return { kind: "final", verdict: "ACCEPT", label, nat: { kind: s.type === "dnat" ? "DNAT" : "SNAT", ip, port: s.port } };
        }
        const ip = s.type === "masquerade" ? (p.out ? ctx.ns.sourceAddrFor(p.out, p.dst) : null) : ctx.ns.primaryAddr(p.in, typeof p.dst === "bigint" ? "ipv6" : "ipv4");
        if (ip === null) return { kind: "final", verdict: "DROP", label };
        return { kind: "final", verdict: "ACCEPT", label, nat: { kind: s.type === "masquerade" ? "SNAT" : "DNAT", ip, port: s.port } };
      }
      case "notrack":
        set({ ...p, ct: "UNTRACKED" });
        break;
      default:
        break; // counter, comment, log, meta nftrace set: no effect on the packet's path
    }
  }
  return { kind: "continue" };
}

function verdictLabel(v: Verdict): string {
  return v.kind === "jump" ? `JUMP:${v.chain}` : v.kind === "goto" ? `GOTO:${v.chain}` : v.kind === "continue" ? "CONTINUE" : v.kind.toUpperCase();
}

const MAX_DEPTH = 16; // NFT_JUMP_STACK_SIZE

/** Run a base chain (and what it jumps to) for a packet. */
export function runNftChain(base: NftBase, ctx: MatchContext, budget: Budget): NftResult {
  const t = base.table;
  const label: NftTableLabel = `${t.family} ${t.name}`;
  const hits: NftHit[] = [];
  const stack: { chain: NftChain; next: number }[] = [];
  let chain = base.chain;
  let i = 0;
  const mctx: MatchContext = { ...ctx };
  const hit = (r: NftRule, n: number, verdict: string) =>
    hits.push({ table: label, chain: chain.name, rule: printRule(r, { stateless: true }), ruleNumber: n, verdict, packet: mctx.packet });
  for (;;) {
    if (i >= chain.rules.length) {
      const back = stack.pop();
      if (!back) {
        const policy = base.chain.base!.policy;
        hits.push({ table: label, chain: base.chain.name, rule: `policy ${policy}`, ruleNumber: null, verdict: `policy ${policy.toUpperCase()}`, packet: mctx.packet });
        return { verdict: policy === "accept" ? "ACCEPT" : "DROP", packet: mctx.packet, hits };
      }
      ({ chain, next: i } = back);
      continue;
    }
    if (--budget.left < 0) throw new BudgetExceededError();
    const r = chain.rules[i]!;
    const n = ++i;
    const out = runRule(t, r, mctx, (p) => (mctx.packet = p));
    if (!out) continue;
    hit(r, n, out.kind === "continue" ? "CONTINUE" : out.label);
    if (out.kind === "continue") continue;
    if (out.kind === "final") return { verdict: out.verdict, packet: mctx.packet, hits, nat: out.nat, reject: out.reject };
    const v = out.verdict;
    if (v.kind === "accept") return { verdict: "ACCEPT", packet: mctx.packet, hits };
    if (v.kind === "drop") return { verdict: "DROP", packet: mctx.packet, hits };
    if (v.kind === "continue") continue;
    if (v.kind === "return") {
      // A return from the base chain itself is its policy.
      i = chain.rules.length;
      continue;
    }
    const to = (v as Extract<Verdict, { chain: string }>).chain;
    if (v.kind === "jump") stack.push({ chain, next: i });
    if (stack.length > MAX_DEPTH) throw new BudgetExceededError();
    chain = t.chains.get(to)!;
    i = 0;
  }
}
