// -m conntrack --ctstate/--ctproto/--ctorigsrc/--ctorigdst/--ctorigdstport/--ctdir and
// -m state --state (libxt_conntrack.c, libxt_state.c).
import { formatAnyCidr, formatIPv6, inNet as inCidr, parseCidrOf, type AnyCidr as Cidr } from "../../net/address.js";
import type { CtState, MatchContext, MatchModule, Proto } from "../types.js";
import { inRange, parsePortRange, savePortRange, type PortRange } from "./ports.js";

// conntrack_dump_states() order.
const STATES = ["INVALID", "NEW", "RELATED", "ESTABLISHED", "UNTRACKED", "SNAT", "DNAT"] as const;
type StateName = (typeof STATES)[number];

interface StateSet {
  states: Set<StateName>;
  neg: boolean;
}

// libxt_conntrack prints an IPv6 host without "/128" (ip6tables-save, iptables-nft 1.8.9).
function formatCidr(c: Cidr): string {
  return typeof c.addr === "bigint" && c.prefix === 128 ? formatIPv6(c.addr) : formatAnyCidr(c);
}

function parseStates(text: string): Set<StateName> {
  return new Set(
    text.split(",").map((s) => {
      const state = STATES.find((known) => known === s.toUpperCase());
      if (!state) throw new Error(`Bad ctstate "${s}"`);
      return state;
    }),
  );
}

function saveStates(option: string, set: StateSet): string {
  return `${set.neg ? "! " : ""}--${option} ${STATES.filter((s) => set.states.has(s)).join(",")}`;
}

function stateHit(set: StateSet, ctx: MatchContext): boolean {
  const { packet, ctOrig, ctReply } = ctx;
  // Whether the packet has one of the listed states (no set built per packet: this is hot).
  let any = set.states.has(packet.ct as CtState);
  // SNAT/DNAT are "virtual states": NAT made the reply tuple differ from the inverted original.
  if (!any && ctOrig && ctReply)
    any =
      (set.states.has("DNAT") && (ctReply.src !== ctOrig.dst || ctReply.sport !== ctOrig.dport)) ||
      (set.states.has("SNAT") && (ctReply.dst !== ctOrig.src || ctReply.dport !== ctOrig.sport));
  return any !== set.neg;
}

interface ConntrackOpts {
  state: StateSet | null;
  proto: { proto: Proto; neg: boolean } | null;
  origSrc: { cidr: Cidr; neg: boolean } | null;
  origDst: { cidr: Cidr; neg: boolean } | null;
  origDstPort: PortRange | null;
  dir: "ORIGINAL" | "REPLY" | null;
}

export const conntrack: MatchModule<ConntrackOpts> = {
  name: "conntrack",
  options: ["ctstate", "ctproto", "ctorigsrc", "ctorigdst", "ctorigdstport", "ctdir"],
  unsupported: ["ctreplsrc", "ctrepldst", "ctstatus", "ctexpire", "ctorigsrcport", "ctreplsrcport", "ctrepldstport"],
  create: () => ({ state: null, proto: null, origSrc: null, origDst: null, origDstPort: null, dir: null }),
  parse(opts, option, neg, args, rule) {
    const value = args.value(option);
    if (option === "ctstate") opts.state = { states: parseStates(value), neg };
    else if (option === "ctproto") opts.proto = { proto: value.toLowerCase() as Proto, neg };
    else if (option === "ctorigsrc") opts.origSrc = { cidr: parseCidrOf(rule.family ?? "ipv4", value), neg };
    else if (option === "ctorigdst") opts.origDst = { cidr: parseCidrOf(rule.family ?? "ipv4", value), neg };
    else if (option === "ctorigdstport") opts.origDstPort = { ...parsePortRange(value, option), neg };
    else if (value === "ORIGINAL" || value === "REPLY") opts.dir = value;
    else throw new Error(`Unknown --ctdir "${value}"`);
  },
  save(o) {
    const parts: string[] = [];
    if (o.state) parts.push(saveStates("ctstate", o.state));
    if (o.proto) parts.push(`${o.proto.neg ? "! " : ""}--ctproto ${o.proto.proto}`);
    if (o.origSrc) parts.push(`${o.origSrc.neg ? "! " : ""}--ctorigsrc ${formatCidr(o.origSrc.cidr)}`);
    if (o.origDst) parts.push(`${o.origDst.neg ? "! " : ""}--ctorigdst ${formatCidr(o.origDst.cidr)}`);
    if (o.origDstPort) parts.push(savePortRange("ctorigdstport", o.origDstPort));
    if (o.dir) parts.push(`--ctdir ${o.dir}`);
    return parts.join(" ");
  },
  match(o, ctx) {
    if (o.state && !stateHit(o.state, ctx)) return false;
    const orig = ctx.ctOrig;
    if (o.proto && ((orig?.proto === o.proto.proto) === o.proto.neg)) return false;
    if (o.origSrc && (!orig || inCidr(orig.src, o.origSrc.cidr) === o.origSrc.neg)) return false;
    if (o.origDst && (!orig || inCidr(orig.dst, o.origDst.cidr) === o.origDst.neg)) return false;
    if (o.origDstPort && (!orig || !inRange(orig.dport, o.origDstPort))) return false;
    if (o.dir && ctx.packet.ctDir !== o.dir) return false;
    return true;
  },
};

interface StateOpts {
  state: StateSet | null;
}

export const state: MatchModule<StateOpts> = {
  name: "state",
  options: ["state"],
  create: () => ({ state: null }),
  parse(opts, option, neg, args) {
    opts.state = { states: parseStates(args.value(option)), neg };
  },
  finish(opts) {
    if (!opts.state) throw new Error("state match: You must specify \"--state\"");
  },
  save: (o) => (o.state ? saveStates("state", o.state) : ""),
  match: (o, ctx) => !o.state || stateHit(o.state, ctx),
};
