// The nftables vocabulary nfplay models: the objects `nft list ruleset` shows (tables, chains,
// rules, sets and maps) and the rule statements Docker's nftables backend writes, plus the few
// a user is likely to paste next to them. One rule is a list of statements, evaluated left to
// right like the kernel's expression list.

export type NftFamily = "ip" | "ip6" | "inet";
/** A table as trace steps name it: "ip docker-bridges". */
export type NftTableLabel = `${NftFamily} ${string}`;
export const FAMILIES: readonly string[] = ["ip", "ip6", "inet"];

export type NftHook = "prerouting" | "input" | "forward" | "output" | "postrouting";
export type ChainType = "filter" | "nat" | "route";

/** What a value is, as nft's datatypes name them; decides parsing, printing and sort order. */
export type DataType = "ifname" | "ipv4_addr" | "ipv6_addr" | "inet_service" | "inet_proto" | "mark" | "ct_state" | "ct_status" | "fib_addrtype" | "verdict";

/** The packet or connection field a match reads. */
export type Field =
  | "iifname" | "oifname" | "ip saddr" | "ip daddr" | "ip6 saddr" | "ip6 daddr" | "ip protocol" | "ip6 nexthdr" | "meta l4proto"
  | "tcp dport" | "tcp sport" | "udp dport" | "udp sport" | "sctp dport" | "sctp sport" | "th dport" | "th sport"
  | "ct state" | "ct status" | "fib saddr type" | "fib daddr type" | "meta mark";

export const FIELD_TYPES: Record<Field, DataType> = {
  iifname: "ifname", oifname: "ifname",
  "ip saddr": "ipv4_addr", "ip daddr": "ipv4_addr", "ip6 saddr": "ipv6_addr", "ip6 daddr": "ipv6_addr",
  "ip protocol": "inet_proto", "ip6 nexthdr": "inet_proto", "meta l4proto": "inet_proto",
  "tcp dport": "inet_service", "tcp sport": "inet_service", "udp dport": "inet_service", "udp sport": "inet_service",
  "sctp dport": "inet_service", "sctp sport": "inet_service", "th dport": "inet_service", "th sport": "inet_service",
  "ct state": "ct_state", "ct status": "ct_status", "fib saddr type": "fib_addrtype", "fib daddr type": "fib_addrtype",
  "meta mark": "mark",
};

/** One value in canonical form: an address or prefix, a port or range, a name, a flag list. */
export type Value = string;

export type Verdict =
  | { kind: "accept" | "drop" | "return" | "continue" }
  | { kind: "jump" | "goto"; chain: string };

export type Stmt =
  | { kind: "match"; field: Field; mask: number | null; op: "==" | "!="; value: Value | { set: Value[] } | { ref: string } }
  | { kind: "vmap"; field: Field; map: string | { key: Value; verdict: Verdict }[] }
  | { kind: "counter"; packets: number; bytes: number }
  | { kind: "verdict"; verdict: Verdict }
  | { kind: "reject"; with: string | null }
  | { kind: "nat"; type: "dnat" | "snat" | "masquerade" | "redirect"; addr: string | null; port: number | null }
  | { kind: "comment"; text: string }
  | { kind: "nftrace"; value: number }
  | { kind: "log"; prefix: string | null }
  | { kind: "notrack" };

export interface NftRule {
  stmts: Stmt[];
  handle: number;
  /** The script line it came from (error messages). */
  line?: number;
}

export interface BaseSpec {
  type: ChainType;
  hook: NftHook;
  priority: number;
  policy: "accept" | "drop";
}

export interface NftChain {
  name: string;
  base: BaseSpec | null;
  rules: NftRule[];
}

export interface SetElement {
  key: Value;
  verdict: Verdict | null;
}

export interface NftSet {
  name: string;
  map: boolean;
  keyType: DataType;
  /** "verdict" for a verdict map, another type for a data map, null for a set. */
  valueType: DataType | null;
  flags: string[];
  elements: SetElement[];
}

export interface NftTable {
  family: NftFamily;
  name: string;
  sets: Map<string, NftSet>;
  chains: Map<string, NftChain>;
}

export class NftError extends Error {}
