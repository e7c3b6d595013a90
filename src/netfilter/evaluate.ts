// Walk one table's chains at one hook for one packet, as ipt_do_table does, recording every
// rule that matched and every policy that decided.
import { inNet } from "../net/address.js";
import { ifaceMatches } from "./rule.js";
import { nextCandidate, type Segment } from "./index.js";
import { ruleLine, type Chain, type Ruleset } from "./ruleset.js";
import { isStandard, type Hook, type MatchContext, type Packet, type Rule, type TableName, type TargetEffect } from "./types.js";

export interface Budget {
  left: number;
}

export class BudgetExceededError extends Error {
  constructor() {
    super("step budget exceeded");
  }
}

export interface RuleHit {
  table: TableName;
  chain: string;
  rule: string; // "-A CHAIN spec" or "-P CHAIN POLICY"
  ruleNumber: number | null;
  verdict: string;
  packet: Packet;
}

export interface TableResult {
  verdict: "ACCEPT" | "DROP" | "REJECT";
  packet: Packet;
  hits: RuleHit[];
  nat?: TargetEffect["nat"];
  reject?: string;
}

function headerMatches(r: Rule, p: Packet): boolean {
  const h = r.header;
  if (h.src && inNet(p.src, h.src.cidr) === h.src.neg) return false;
  if (h.dst && inNet(p.dst, h.dst.cidr) === h.dst.neg) return false;
  if (!ifaceMatches(h.in, p.in) || !ifaceMatches(h.out, p.out)) return false;
  if (h.proto && h.proto.proto !== "all" && (p.proto === h.proto.proto) === h.proto.neg) return false;
  return true;
}

function ruleMatches(r: Rule, ctx: MatchContext): boolean {
  if (!headerMatches(r, ctx.packet)) return false;
  for (const m of r.matches) if (!m.module.match(m.opts, ctx)) return false;
  return true;
}

const MAX_DEPTH = 64; // the kernel's jump stack is bounded too

export function runTable(
  rs: Ruleset,
  table: TableName,
  hook: Hook,
  base: Chain,
  ctx: Omit<MatchContext, "hook">,
  budget: Budget,
): TableResult {
  const chains = rs.tables.get(table)!.chains;
  const hits: RuleHit[] = [];
  const stack: { chain: Chain; next: number }[] = [];
  let packet = ctx.packet;
  let chain = base;
  let i = 0;
  const memo = new Map<Segment, number[]>();
  // One context object, updated in place: allocating one per rule dominated the big benchmark.
  const mctx: MatchContext = { ...ctx, packet, hook };
  // hit()/policy() are plain functions, not closures: a named closure per call costs more than
  // the call (bundlers' keepNames wrap each one in __name) and runTable runs at every hook.
  for (;;) {
    i = nextCandidate(chain, i, packet, memo);
    if (i >= chain.rules.length) {
      const back = stack.pop();
      if (!back) return policy(table, base, packet, hits);
      ({ chain, next: i } = back);
      continue;
    }
    if (--budget.left < 0) throw new BudgetExceededError();
    const r = chain.rules[i]!;
    const n = i + 1;
    i++;
    mctx.packet = packet;
    if (!ruleMatches(r, mctx)) continue;
    const t = r.target;
    if (isStandard(t)) {
      if (t.kind === "none") {
        hit(hits, table, chain, r, n, "CONTINUE", packet);
        continue;
      }
      if (t.kind === "verdict") {
        hit(hits, table, chain, r, n, t.verdict, packet);
        if (t.verdict !== "RETURN") return { verdict: t.verdict, packet, hits };
        const back = stack.pop();
        if (!back) return policy(table, base, packet, hits);
        ({ chain, next: i } = back);
        continue;
      }
      hit(hits, table, chain, r, n, `${t.kind === "jump" ? "JUMP" : "GOTO"}:${t.chain}`, packet);
      if (t.kind === "jump") stack.push({ chain, next: i });
      if (stack.length > MAX_DEPTH) throw new BudgetExceededError();
      chain = chains.get(t.chain)!;
      i = 0;
      continue;
    }
    const effect = t.module.apply(t.opts, mctx);
    if (effect.packet) packet = effect.packet;
    hit(hits, table, chain, r, n, t.module.name, packet);
    if (effect.verdict === "CONTINUE") continue;
    return { verdict: effect.verdict, packet, hits, nat: effect.nat, reject: effect.reject };
  }
}

function hit(hits: RuleHit[], table: TableName, chain: Chain, r: Rule, n: number, verdict: string, packet: Packet): void {
  hits.push({ table, chain: chain.name, rule: ruleLine(chain.name, r), ruleNumber: n, verdict, packet });
}

function policy(table: TableName, base: Chain, packet: Packet, hits: RuleHit[]): TableResult {
  hits.push({ table, chain: base.name, rule: `-P ${base.name} ${base.policy}`, ruleNumber: null, verdict: `policy ${base.policy}`, packet });
  return { verdict: base.policy ?? "ACCEPT", packet, hits };
}
