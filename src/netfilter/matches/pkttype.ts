// -m pkttype --pkt-type unicast|broadcast|multicast (libxt_pkttype.c). The link-layer type is
// derived from the destination: multicast range, limited or a local subnet's broadcast, else unicast.
import { inNet, MULTICAST6_NET, parseCidr } from "../../net/address.js";
import type { MatchModule } from "../types.js";

type PktType = "unicast" | "broadcast" | "multicast" | "otherhost";

// supported_types[] of libxt_pkttype.c: the names it saves, then input-only aliases.
const NAMES: Record<string, PktType> = {
  unicast: "unicast", broadcast: "broadcast", multicast: "multicast", otherhost: "otherhost",
  host: "unicast", bcast: "broadcast", mcast: "multicast",
};

const MULTICAST = parseCidr("224.0.0.0/4");

interface PkttypeOpts {
  type: PktType | null;
  neg: boolean;
}

export const pkttype: MatchModule<PkttypeOpts> = {
  name: "pkttype",
  options: ["pkt-type"],
  create: () => ({ type: null, neg: false }),
  parse(o, option, neg, args) {
    const v = args.value(option);
    const type = NAMES[v.toLowerCase()];
    if (!type) throw new Error(`Bad packet type '${v}'`);
    o.type = type;
    o.neg = neg;
  },
  finish(o) {
    if (!o.type) throw new Error("pkttype match: You must specify \"--pkt-type\"");
  },
  save: (o) => `${o.neg ? "! " : ""}--pkt-type ${o.type}`,
  match(o, { packet, ns }) {
    const type: PktType = (inNet(packet.dst, MULTICAST) || inNet(packet.dst, MULTICAST6_NET)) ? "multicast" : ns.addrType(packet.dst) === "BROADCAST" ? "broadcast" : "unicast";
    return (type === o.type) !== o.neg;
  },
};
