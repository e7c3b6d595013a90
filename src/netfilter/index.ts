// A lookup index over a chain's rules, so a chain of thousands of per-port rules (Docker's
// DOCKER chains) costs O(1) per packet instead of O(rules). It only skips rules that cannot
// match: a rule is indexed when it demands an exact protocol plus an exact destination port
// and/or /32 destination; every candidate is still fully evaluated, in chain order.
import type { Chain } from "./ruleset.js";
import type { Packet, Rule } from "./types.js";

interface Key {
  proto: string;
  dport: number | null;
  dst: number | bigint | null;
}

/** A run of consecutive indexed rules, or a single rule evaluated as is. */
export type Segment = { kind: "rule"; at: number } | { kind: "indexed"; from: number; to: number; map: Map<string, number[]> };

export interface ChainIndex {
  segments: Segment[];
  /** Segment number of each rule position. */
  segAt: Int32Array;
}

const cache = new WeakMap<Chain, { version: number; index: ChainIndex }>();

function keyOf(r: Rule): Key | null {
  const proto = r.header.proto;
  if (!proto || proto.neg || proto.proto === "all" || proto.proto === "icmp" || proto.proto === "icmpv6") return null;
  const d = r.header.dst;
  const host = d && (typeof d.cidr.addr === "number" ? d.cidr.prefix === 32 : d.cidr.prefix === 128);
  const dst = d && !d.neg && host ? d.cidr.addr : null;
  let dport: number | null = null;
  for (const m of r.matches) {
    const o = m.opts as { dport?: { lo: number; hi: number; neg: boolean } | null };
    if ((m.module.name === "tcp" || m.module.name === "udp" || m.module.name === "sctp") && o.dport && !o.dport.neg && o.dport.lo === o.dport.hi)
      dport = o.dport.lo;
  }
  return dport === null && dst === null ? null : { proto: proto.proto, dport, dst };
}

const keyText = (proto: string, dport: number | null, dst: number | bigint | null) => `${proto}|${dport ?? "*"}|${dst ?? "*"}`;

const MIN_RUN = 8; // short runs are cheaper to walk than to look up

function build(chain: Chain): Segment[] {
  const segments: Segment[] = [];
  const keys = chain.rules.map(keyOf);
  let i = 0;
  while (i < keys.length) {
    let j = i;
    while (j < keys.length && keys[j]) j++;
    if (j - i >= MIN_RUN) {
      const map = new Map<string, number[]>();
      for (let k = i; k < j; k++) {
        const key = keys[k]!;
        const t = keyText(key.proto, key.dport, key.dst);
        map.set(t, [...(map.get(t) ?? []), k]);
      }
      segments.push({ kind: "indexed", from: i, to: j, map });
      i = j;
    } else {
      const end = Math.max(j, i + 1);
      for (; i < end; i++) segments.push({ kind: "rule", at: i });
    }
  }
  return segments;
}

export function indexOf(chain: Chain): ChainIndex {
  const hit = cache.get(chain);
  if (hit && hit.version === chain.version) return hit.index;
  const segments = build(chain);
  const segAt = new Int32Array(chain.rules.length);
  segments.forEach((seg, n) => {
    if (seg.kind === "rule") segAt[seg.at] = n;
    else segAt.fill(n, seg.from, seg.to);
  });
  const index = { segments, segAt };
  cache.set(chain, { version: chain.version, index });
  return index;
}

/**
 * The position of the next rule at or after i that could match p (chain.rules.length if none).
 * `memo` keeps each run's candidates for the rest of one table traversal.
 */
export function nextCandidate(chain: Chain, i: number, p: Packet, memo: Map<Segment, number[]>): number {
  const n = chain.rules.length;
  if (i >= n) return n;
  const { segments, segAt } = indexOf(chain);
  while (i < n) {
    const seg = segments[segAt[i]!]!;
    if (seg.kind === "rule") return i;
    let list = memo.get(seg);
    if (!list) memo.set(seg, (list = candidates(seg, p)));
    const k = list.find((x) => x >= i);
    if (k !== undefined) return k;
    i = seg.to;
  }
  return n;
}

/** Rule positions of an indexed run that could match p, in chain order. */
export function candidates(seg: Extract<Segment, { kind: "indexed" }>, p: Packet): number[] {
  const lists = [
    seg.map.get(keyText(p.proto, p.dport, p.dst)),
    seg.map.get(keyText(p.proto, p.dport, null)),
    seg.map.get(keyText(p.proto, null, p.dst)),
  ].filter((l): l is number[] => l !== undefined);
  if (lists.length <= 1) return lists[0] ?? [];
  return lists.flat().sort((a, b) => a - b);
}
