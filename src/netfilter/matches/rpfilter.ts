// -m rpfilter [--loose] [--validmark] [--accept-local] [--invert] (libxt_rpfilter.c, xt_rpfilter.c):
// the reverse-path check as a match, in raw or mangle PREROUTING. The packet passes when the route
// back to its source leaves through the interface it came in on (--loose: any unicast route back);
// loopback packets always pass. The namespace's routing answers through RouteView.
import type { Addr } from "../../net/address.js";
import type { MatchModule, NamespaceView } from "../types.js";

interface RpfilterOpts {
  loose: boolean;
  validmark: boolean;
  acceptLocal: boolean;
  invert: boolean;
}

/** What the match asks of the namespace: its main routing table and local addresses (net/topology.ts). */
interface RouteView {
  isLocal(ip: Addr): boolean;
  route(dst: Addr): { dev: string } | null;
  ifaceWithAddr(ip: Addr): { name: string } | undefined;
}

function routes(ns: NamespaceView): ns is NamespaceView & RouteView {
  return typeof (ns as Partial<RouteView>).route === "function";
}

const FLAGS: [keyof RpfilterOpts, string][] = [["loose", "--loose"], ["validmark", "--validmark"], ["acceptLocal", "--accept-local"], ["invert", "--invert"]];

/** rpfilter_lookup_reverse: a unicast route back through dev (or any, loose); a local one only with --accept-local. */
function passes(o: RpfilterOpts, ns: RouteView, src: Addr, dev: string): boolean {
  if (ns.isLocal(src)) {
    if (!o.acceptLocal) return false;
    const owner = typeof src === "number" && src >>> 24 === 127 ? "lo" : ns.ifaceWithAddr(src)?.name;
    return owner === dev || o.loose;
  }
  const back = ns.route(src);
  if (!back) return false;
  return back.dev === dev || o.loose;
}

export const rpfilter: MatchModule<RpfilterOpts> = {
  name: "rpfilter",
  hooks: ["PREROUTING"],
  tables: ["raw", "mangle"],
  options: ["loose", "validmark", "accept-local", "invert"],
  create: () => ({ loose: false, validmark: false, acceptLocal: false, invert: false }),
  parse(o, option, neg) {
    if (neg) throw new Error(`rpfilter: option "--${option}" cannot be inverted.`);
    o[option === "accept-local" ? "acceptLocal" : (option as keyof RpfilterOpts)] = true;
  },
  save: (o) => FLAGS.filter(([k]) => o[k]).map(([, f]) => f).join(" "),
  match(o, { packet, ns }) {
    // Loopback traffic never fails (rpfilter_is_loopback); policy routing by mark is not modelled,
    // so --validmark changes nothing here.
    if (packet.in === "lo" || !packet.in) return !o.invert;
    if (!routes(ns)) throw new Error("rpfilter: the namespace has no routing table");
    return passes(o, ns, packet.src, packet.in) !== o.invert;
  },
};
