// Where nftables base chains sit among the iptables tables at a hook: every hook function runs
// in priority order (NF_IP_PRI_RAW -300, conntrack -200, mangle -150, dstnat -100, filter 0,
// security 50, srcnat 100), whether iptables or nft registered it. nat-type chains are not hook
// functions of their own: nf_nat calls them (and iptables' nat table) in priority order, for the
// first packet of a connection only, until one of them sets up the mapping.
import type { Budget, RuleHit, TableResult } from "../netfilter/evaluate.js";
import type { Hook, MatchContext, Packet, TableName } from "../netfilter/types.js";
import { baseChains, runNftChain, type NftBase, type NftHit, type NftResult } from "./eval.js";
import type { NftRuleset } from "./ruleset.js";
import type { NftHook } from "./types.js";

export type { NftTableLabel } from "./types.js";

export const CONNTRACK_PRIORITY = -200;

const PRIORITY: Record<TableName, number> = { raw: -300, mangle: -150, nat: -100, filter: 0, security: 50 };

/** An iptables table's priority at a hook (nat: dstnat before routing, srcnat after). */
export function tablePriority(table: TableName, hook: Hook): number {
  if (table === "nat" && (hook === "INPUT" || hook === "POSTROUTING")) return 100;
  return PRIORITY[table];
}

function chainsAt(rs: NftRuleset | null, p: Packet, hook: Hook): NftBase[] {
  return rs ? baseChains(rs, typeof p.dst === "bigint", hook.toLowerCase() as NftHook) : [];
}

export function nftFilterChains(rs: NftRuleset | null, p: Packet, hook: Hook): NftBase[] {
  if (!rs) return []; // most namespaces have no nftables ruleset: skip the lookup and the filter
  return chainsAt(rs, p, hook).filter((b) => b.chain.base!.type !== "nat");
}

export function nftNatChains(rs: NftRuleset | null, p: Packet, hook: Hook): NftBase[] {
  if (!rs) return [];
  return chainsAt(rs, p, hook).filter((b) => b.chain.base!.type === "nat");
}

/** The nat chains of a hook for a connection's first packet; the first mapping wins. */
export function runNatChains(
  iptables: (() => TableResult) | null, iptPriority: number, nft: NftBase[], ctx: MatchContext, budget: Budget,
): Omit<NftResult, "hits"> & { hits: (RuleHit | NftHit)[] } {
  // The common case, iptables alone: no list of runs to build and sort.
  if (nft.length === 0) {
    if (!iptables) return { verdict: "ACCEPT", packet: ctx.packet, hits: [] };
    const res = iptables();
    return res.verdict !== "ACCEPT" || res.nat ? res : { verdict: "ACCEPT", packet: res.packet, hits: res.hits };
  }
  const runs: [number, () => TableResult | NftResult][] = nft.map((b) => [b.chain.base!.priority, () => runNftChain(b, ctx, budget)]);
  if (iptables) runs.push([iptPriority, iptables]);
  runs.sort((a, b) => a[0] - b[0]);
  const hits: (RuleHit | NftHit)[] = [];
  let packet = ctx.packet;
  for (const [, run] of runs) {
    const res = run();
    hits.push(...res.hits);
    packet = res.packet;
    if (res.verdict !== "ACCEPT" || res.nat) return { ...res, hits };
  }
  return { verdict: "ACCEPT", packet, hits };
}
