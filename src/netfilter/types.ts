// The vocabulary shared by the rule parser, the matches/targets and the packet walk.
// Modelled on the kernel's split (and gVisor's iptables_types.go): a rule is a common
// header filter plus small Match and Target modules looked up by name.
import type { Addr, AnyCidr, Family } from "../net/address.js";

/** "icmpv6" is ICMPv6 (protocol 58, ip6tables-save prints "-p ipv6-icmp"). */
export type Proto = "tcp" | "udp" | "sctp" | "icmp" | "icmpv6";
export const PROTO_NUMBERS: Record<Proto, number> = { icmp: 1, tcp: 6, udp: 17, sctp: 132, icmpv6: 58 };

/** ICMP of either family: no ports. */
export function isIcmp(p: Proto): boolean {
  return p === "icmp" || p === "icmpv6";
}

export type Hook = "PREROUTING" | "INPUT" | "FORWARD" | "OUTPUT" | "POSTROUTING";
export type TableName = "raw" | "mangle" | "nat" | "filter" | "security";

export type CtState = "NEW" | "ESTABLISHED" | "RELATED" | "INVALID" | "UNTRACKED";

/** TCP flag bits as in the TCP header. */
export const TCP = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20 } as const;

export interface Packet {
  /** A number for IPv4, a bigint for IPv6 (the packet's family). */
  readonly src: Addr;
  readonly dst: Addr;
  readonly proto: Proto;
  readonly sport: number; // 0 for icmp
  readonly dport: number; // 0 for icmp
  readonly icmpType: number;
  readonly icmpCode: number;
  readonly tcpFlags: number;
  readonly in: string | null;
  readonly out: string | null;
  readonly physIn: string | null; // bridge port, when br_netfilter hands us a bridged frame
  readonly physOut: string | null;
  readonly mark: number;
  readonly ct: CtState;
  readonly ctDir: "ORIGINAL" | "REPLY";
  /** The connection's mark (ct->mark) as seen by this packet: -m connmark, -j CONNMARK. */
  readonly ctMark: number;
  /** IP TTL (IPv6 hop limit): 64 when sent; the forward path decrements it before FORWARD (-m ttl). */
  readonly ttl: number;
  /** IP total length in bytes (-m length). */
  readonly length: number;
  /** Source MAC of the frame this packet arrived in; null when sent locally or on lo (-m mac). */
  readonly srcMac: string | null;
  /** For an ICMP error: the tuple of the packet it answers (the header it quotes). */
  readonly inner?: CtTuple;
}

export type AddrType =
  | "UNSPEC" | "UNICAST" | "LOCAL" | "BROADCAST" | "ANYCAST" | "MULTICAST"
  | "BLACKHOLE" | "UNREACHABLE" | "PROHIBIT" | "THROW" | "NAT" | "XRESOLVE";

/** What a match may ask about the namespace the packet is in. */
export interface NamespaceView {
  addrType(ip: Addr, dev?: string | null): AddrType;
  /** The address MASQUERADE picks: the primary address of dev (of dst's family) for reaching dst. */
  sourceAddrFor(dev: string, dst: Addr): Addr | null;
  /** The primary address (of the family given) of the device a packet came in on (REDIRECT). */
  primaryAddr(dev: string | null, family?: Family): Addr | null;
}

/** The conntrack entry's original direction, for -m conntrack --ctorig*. */
export interface CtTuple {
  src: Addr;
  dst: Addr;
  sport: number;
  dport: number;
  proto: Proto;
}

export interface MatchContext {
  packet: Packet;
  hook: Hook;
  ns: NamespaceView;
  ctOrig: CtTuple | null;
  /** The reply tuple as NAT left it: --ctstate SNAT/DNAT compare it with the original. */
  ctReply: CtTuple | null;
}

/** Reads an iptables argv one option at a time. */
export interface ArgReader {
  /** The value after the option; throws a parse error naming the option if missing. */
  value(option: string): string;
}

export interface OptionParse<O> {
  /** Consume one `--option` (already read, with its `!`) into the options object. */
  (opts: O, option: string, negated: boolean, args: ArgReader, rule: RuleHeader): void;
}

export interface MatchModule<O = unknown> {
  readonly name: string;
  /** Built-in chains the match may be used from (the kernel's checkentry); undefined = all. */
  readonly hooks?: readonly Hook[];
  /** Like hooks, when it depends on the options (addrtype --limit-iface-in/out). */
  validHooks?(opts: O): readonly Hook[] | undefined;
  /** Tables the match may be used in (the kernel's checkentry); undefined = all. */
  readonly tables?: readonly TableName[];
  /** Option names this module accepts, without the leading dashes. */
  readonly options: readonly string[];
  /** The extension's other options in iptables: known, so abbreviations resolve as iptables
   *  resolves them, then refused by name as not simulated. */
  readonly unsupported?: readonly string[];
  create(): O;
  parse: OptionParse<O>;
  /** Check after all options are read (e.g. required options); throw to reject. */
  finish?(opts: O, rule: RuleHeader): void;
  /** Options in iptables-save form, e.g. "--dport 8543" (without "-m name"). */
  save(opts: O): string;
  match(opts: O, ctx: MatchContext): boolean;
}

export type TargetKind = "terminal" | "continue";

export interface TargetEffect {
  /** ACCEPT/DROP/REJECT stop the hook; CONTINUE goes on with the next rule. */
  verdict: "ACCEPT" | "DROP" | "REJECT" | "CONTINUE";
  packet?: Packet;
  nat?: { kind: "DNAT" | "SNAT"; ip: Addr; port: number | null };
  reject?: string;
}

export interface TargetModule<O = unknown> {
  readonly name: string;
  readonly options: readonly string[];
  /** The extension's other options in iptables: known, so abbreviations resolve as iptables
   *  resolves them, then refused by name as not simulated. */
  readonly unsupported?: readonly string[];
  /** Tables this target may be used in (the kernel's checkentry); undefined = all. */
  readonly tables?: readonly TableName[];
  readonly hooks?: readonly Hook[];
  create(): O;
  parse: OptionParse<O>;
  finish?(opts: O, rule: RuleHeader): void;
  save(opts: O): string;
  apply(opts: O, ctx: MatchContext): TargetEffect;
}

export interface AddrFilter {
  cidr: AnyCidr;
  neg: boolean;
}

export interface IfaceFilter {
  name: string;
  neg: boolean;
}

export interface RuleHeader {
  src: AddrFilter | null;
  dst: AddrFilter | null;
  in: IfaceFilter | null;
  out: IfaceFilter | null;
  proto: { proto: Proto | "all"; neg: boolean } | null;
  /** The ruleset's family (ip6tables: "ipv6"); absent means IPv4. */
  family?: Family;
}

export interface MatchInstance {
  module: MatchModule<any>;
  opts: unknown;
}

export type StandardTarget =
  | { kind: "verdict"; verdict: "ACCEPT" | "DROP" | "RETURN" }
  | { kind: "jump"; chain: string }
  | { kind: "goto"; chain: string }
  | { kind: "none" };

export interface TargetInstance {
  module: TargetModule<any>;
  opts: unknown;
}

export interface Rule {
  header: RuleHeader;
  matches: MatchInstance[];
  target: StandardTarget | TargetInstance;
  /** The rule as iptables-save prints it after "-A CHAIN ". */
  spec: string;
}

export function isStandard(t: Rule["target"]): t is StandardTarget {
  return "kind" in t;
}
