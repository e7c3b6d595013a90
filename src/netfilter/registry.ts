// One registry for `-m NAME` and `-j NAME`, like xtables_find_match/xtables_find_target.
// An extension that is not here is an error naming it, never silently ignored.
import type { Family } from "../net/address.js";
import type { MatchModule, Proto, TargetModule } from "./types.js";
import { isXtablesMatch, isXtablesTarget } from "./xtables-names.js";
import { addrtype } from "./matches/addrtype.js";
import { comment } from "./matches/comment.js";
import { conntrack, state } from "./matches/conntrack.js";
import { icmp, icmp6 } from "./matches/icmp.js";
import { multiport } from "./matches/multiport.js";
import { tcp } from "./matches/tcp.js";
import { sctp, udp } from "./matches/udp.js";
import { DNAT, MASQUERADE, REDIRECT, SNAT } from "./targets/nat.js";
import { iprange } from "./matches/iprange.js";
import { length } from "./matches/length.js";
import { limit } from "./matches/limit.js";
import { mac } from "./matches/mac.js";
import { connmark, mark } from "./matches/mark.js";
import { physdev } from "./matches/physdev.js";
import { pkttype } from "./matches/pkttype.js";
import { set } from "./matches/set.js";
import { rpfilter } from "./matches/rpfilter.js";
import { ttl } from "./matches/ttl.js";
import { ipvs } from "./matches/ipvs.js";
import { CONNMARK } from "./targets/connmark.js";
import { SET } from "./targets/set.js";
import { NETMAP } from "./targets/netmap.js";
import { NFLOG } from "./targets/nflog.js";
import { CT, NOTRACK } from "./targets/notrack.js";
import { CHECKSUM, LOG, MARK, REJECT, REJECT6, TRACE } from "./targets/filter.js";

const MATCHES = new Map<string, MatchModule<any>>(
  [
    tcp, udp, sctp, icmp, addrtype, conntrack, state, multiport, comment,
    mark, connmark, iprange, physdev, pkttype, limit, length, ttl, mac, set, rpfilter, ipvs,
  ].map((m) => [m.name, m]),
);

const TARGETS = new Map<string, TargetModule<any>>(
  [
    DNAT, SNAT, MASQUERADE, REDIRECT, REJECT, LOG, TRACE, MARK, CHECKSUM,
    CONNMARK, NETMAP, NFLOG, NOTRACK, CT, SET,
  ].map((t) => [t.name, t]),
);

// ip6tables: icmp6 instead of icmp, the IPv6 REJECT; IPv4-only modules are refused by name.
// Only icmp is IPv4-only in iptables itself; nfplay simulates iprange and NETMAP for IPv4 only.
const V4_ONLY = new Set(["icmp", "iprange", "NETMAP"]);
const V6_MATCHES = new Map<string, MatchModule<any>>([[icmp6.name, icmp6]]);
const V6_TARGETS = new Map<string, TargetModule<any>>([[REJECT6.name, REJECT6]]);

export function findMatch(name: string, family: Family = "ipv4"): MatchModule<any> {
  const m = family === "ipv6" ? (V4_ONLY.has(name) ? undefined : V6_MATCHES.get(name) ?? MATCHES.get(name)) : MATCHES.get(name);
  if (m) return m;
  // A name iptables has no file for (icmp in ip6tables, a typo) is its own error.
  if (!isXtablesMatch(name, family)) throw new Error(`Couldn't load match \`${name}':No such file or directory\n`);
  if (family === "ipv6" && V4_ONLY.has(name)) throw new Error(`-m ${name} is not supported by nfplay in ip6tables`);
  throw new Error(`Couldn't load match \`${name}': not supported by nfplay`);
}

/** The match `-p tcp` loads implicitly when a protocol option such as --dport follows. */
export function protoMatch(proto: Proto | "all"): MatchModule<any> | undefined {
  if (proto === "icmpv6") return icmp6;
  return proto === "all" ? undefined : MATCHES.get(proto);
}

/** A target module, or undefined for a user chain's name (no chain may be named as a target). */
export function findTarget(name: string, family: Family = "ipv4"): TargetModule<any> | undefined {
  if (family === "ipv6" && V4_ONLY.has(name)) throw new Error(`-j ${name} is not supported by nfplay in ip6tables`);
  const t = family === "ipv6" ? V6_TARGETS.get(name) ?? TARGETS.get(name) : TARGETS.get(name);
  if (!t && isXtablesTarget(name, family)) throw new Error(`-j ${name} is not supported by nfplay`);
  return t;
}
