// Tables -> chains -> rules: what the kernel holds for one network namespace and address family.
import type { Family } from "../net/address.js";
import type { Hook, Rule, TableName } from "./types.js";

export const BUILTIN_CHAINS: Record<TableName, Hook[]> = {
  raw: ["PREROUTING", "OUTPUT"],
  mangle: ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"],
  nat: ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"],
  filter: ["INPUT", "FORWARD", "OUTPUT"],
  security: ["INPUT", "FORWARD", "OUTPUT"],
};

// The order iptables-nft (>= 1.8.6, enum nft_table_type) dumps existing tables in.
export const SAVE_TABLE_ORDER: TableName[] = ["mangle", "security", "raw", "filter", "nat"];

const CT_MATCHES = new Set(["state", "conntrack", "connmark"]);
const CT_TARGETS = new Set(["DNAT", "SNAT", "MASQUERADE", "REDIRECT", "NETMAP", "CONNMARK", "CT", "NOTRACK"]);

function ruleNeedsConntrack(r: Rule): boolean {
  if (r.matches.some((m) => CT_MATCHES.has(m.module.name))) return true;
  return "module" in r.target && CT_TARGETS.has(r.target.module.name);
}

export const TABLE_NAMES = Object.keys(BUILTIN_CHAINS) as TableName[];

export interface Chain {
  name: string;
  builtin: boolean;
  policy: "ACCEPT" | "DROP" | null;
  rules: Rule[];
  /**
   * Whether the chain exists in the kernel. iptables-nft creates base chains lazily (on the
   * first rule or policy), so a built-in chain nobody touched is printed by iptables-save but
   * sees no packets and shows up in no trace.
   */
  instantiated: boolean;
  /** How many rules of each spec the chain holds: makes `-C` (Docker's check-then-add) O(1). */
  specs: Map<string, number>;
  /** Bumped on every change, so lookup indexes built from the rules know they are stale. */
  version: number;
  /** How many rules jump or go to each chain: makes loop and hook checks walk chains, not rules. */
  jumps: Map<string, number>;
}

function jumpTarget(rule: Rule): string | null {
  const t = rule.target;
  return "kind" in t && (t.kind === "jump" || t.kind === "goto") ? t.chain : null;
}

function count(map: Map<string, number>, key: string, delta: number): void {
  const n = (map.get(key) ?? 0) + delta;
  if (n > 0) map.set(key, n);
  else map.delete(key);
}

export function newChain(name: string, builtin: boolean): Chain {
  return { name, builtin, policy: builtin ? "ACCEPT" : null, rules: [], instantiated: !builtin, specs: new Map(), version: 0, jumps: new Map() };
}

export function insertRule(c: Chain, at: number, rule: Rule): void {
  c.rules.splice(at, 0, rule);
  count(c.specs, rule.spec, 1);
  const to = jumpTarget(rule);
  if (to) count(c.jumps, to, 1);
  c.version++;
}

export function removeRule(c: Chain, at: number): void {
  const [rule] = c.rules.splice(at, 1);
  if (!rule) return;
  count(c.specs, rule.spec, -1);
  const to = jumpTarget(rule);
  if (to) count(c.jumps, to, -1);
  c.version++;
}

export function flushChain(c: Chain): void {
  c.rules = [];
  c.specs.clear();
  c.jumps.clear();
  c.version++;
}

/** The rule as iptables-save prints it: "-A CHAIN SPEC" (a bare rule has no trailing space). */
export function ruleLine(chain: string, rule: Rule): string {
  return rule.spec ? `-A ${chain} ${rule.spec}` : `-A ${chain}`;
}

export function findRule(c: Chain, spec: string): number {
  return c.specs.has(spec) ? c.rules.findIndex((r) => r.spec === spec) : -1;
}

export interface Table {
  name: TableName;
  chains: Map<string, Chain>;
}

export class Ruleset {
  readonly tables = new Map<TableName, Table>();

  /** "ipv4" for iptables, "ipv6" for ip6tables: how addresses in rules are parsed and printed. */
  constructor(readonly family: Family = "ipv4") {}

  table(name: TableName): Table {
    let t = this.tables.get(name);
    if (!t) {
      t = { name, chains: new Map() };
      for (const hook of BUILTIN_CHAINS[name])
        t.chains.set(hook, newChain(hook, true));
      this.tables.set(name, t);
    }
    return t;
  }

  /** The chain a hook enters, when the table and that base chain exist. */
  baseChain(table: TableName, hook: Hook): Chain | undefined {
    const c = this.tables.get(table)?.chains.get(hook);
    return c?.instantiated ? c : undefined;
  }

  private ctCache: { key: number; needs: boolean } | null = null;

  /**
   * Whether conntrack runs in this namespace at all: the kernel enables it only when a rule
   * needs it (NAT targets, state/conntrack/connmark matches, CONNMARK/CT/NOTRACK). Without it
   * packets carry no connection and the nat chains are never consulted.
   */
  needsConntrack(): boolean {
    // Chain versions only grow, so their sum (with the chain count) changes whenever a rule does.
    let key = 0;
    for (const t of this.tables.values()) for (const c of t.chains.values()) key += c.version + 1;
    if (this.ctCache?.key === key) return this.ctCache.needs;
    let needs = false;
    for (const t of this.tables.values())
      for (const c of t.chains.values())
        for (const r of c.rules) if (ruleNeedsConntrack(r)) needs = true;
    this.ctCache = { key, needs };
    return needs;
  }

  ruleCount(): number {
    let n = 0;
    for (const t of this.tables.values()) for (const c of t.chains.values()) n += c.rules.length;
    return n;
  }
}
