// -m addrtype --src-type/--dst-type TYPE[,TYPE] [--limit-iface-in|out] (libxt_addrtype.c).
// Docker's nat hooks hinge on it: "--dst-type LOCAL" is any address of this namespace.
import type { AddrType, MatchContext, MatchModule } from "../types.js";

// rtn_names[] order: iptables prints the types in this order, whatever order they were given.
const TYPES: AddrType[] = [
  "UNSPEC", "UNICAST", "LOCAL", "BROADCAST", "ANYCAST", "MULTICAST",
  "BLACKHOLE", "UNREACHABLE", "PROHIBIT", "THROW", "NAT", "XRESOLVE",
];

interface TypeSet {
  types: Set<AddrType>;
  neg: boolean;
}

interface AddrtypeOpts {
  src: TypeSet | null;
  dst: TypeSet | null;
  limitIn: boolean;
  limitOut: boolean;
}

function parseTypes(text: string): Set<AddrType> {
  return new Set(
    text.split(",").map((t) => {
      const type = TYPES.find((known) => known === t.toUpperCase());
      if (!type) throw new Error(`addrtype: bad type "${t}"`);
      return type;
    }),
  );
}

function saveTypes(option: string, set: TypeSet | null): string {
  if (!set) return "";
  return `${set.neg ? "! " : ""}--${option} ${TYPES.filter((t) => set.types.has(t)).join(",")}`;
}

export const addrtype: MatchModule<AddrtypeOpts> = {
  name: "addrtype",
  options: ["src-type", "dst-type", "limit-iface-in", "limit-iface-out"],
  create: () => ({ src: null, dst: null, limitIn: false, limitOut: false }),
  validHooks(o) {
    if (o.limitIn) return ["PREROUTING", "INPUT", "FORWARD"];
    if (o.limitOut) return ["OUTPUT", "POSTROUTING", "FORWARD"];
    return undefined;
  },
  parse(opts, option, neg, args) {
    if (option === "src-type") opts.src = { types: parseTypes(args.value(option)), neg };
    else if (option === "dst-type") opts.dst = { types: parseTypes(args.value(option)), neg };
    else if (option === "limit-iface-in") opts.limitIn = true;
    else opts.limitOut = true;
  },
  finish(o) {
    if (o.limitIn && o.limitOut) throw new Error('addrtype: option "--limit-iface-in" cannot be used together with "--limit-iface-out".\n');
  },
  save(o) {
    const parts = [saveTypes("src-type", o.src), saveTypes("dst-type", o.dst)];
    if (o.limitIn) parts.push("--limit-iface-in");
    if (o.limitOut) parts.push("--limit-iface-out");
    return parts.filter(Boolean).join(" ");
  },
  match(o, { packet, ns }) {
    const dev = o.limitIn ? packet.in : o.limitOut ? packet.out : null;
    return typeHit(o.src, ns, packet.src, dev) && typeHit(o.dst, ns, packet.dst, dev);
  },
};

// A plain function rather than a closure per match: this runs for most packets at most hooks.
function typeHit(set: TypeSet | null, ns: MatchContext["ns"], ip: number | bigint, dev: string | null): boolean {
  return !set || set.types.has(ns.addrType(ip, dev)) !== set.neg;
}
