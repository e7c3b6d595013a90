// -m ipvs --ipvs (libxt_ipvs.c, xt_ipvs.c): the packet belongs to an IPVS connection, i.e. IPVS
// set skb->ipvs_property on it (src/net/ipvs.ts). Docker's ingress_sbox SNATs with it:
// `-A POSTROUTING -d 10.0.0.0/24 -m ipvs --ipvs -j SNAT --to-source 10.0.0.2`.
// Only --ipvs is simulated; the --vaddr/--vport/--vdir... options are refused by name.
import type { MatchModule, Packet } from "../types.js";

export interface IpvsMatchOpts {
  ipvs: boolean;
  neg: boolean;
}

/** A packet IPVS handled: the flag xt_ipvs tests (kept on the packet object, like the mark). */
export type IpvsPacket = Packet & { readonly ipvsProperty?: boolean };

export function withIpvsProperty(p: Packet): Packet {
  return { ...p, ipvsProperty: true } as IpvsPacket;
}

export function hasIpvsProperty(p: Packet): boolean {
  return (p as IpvsPacket).ipvsProperty === true;
}

export const ipvs: MatchModule<IpvsMatchOpts> = {
  name: "ipvs",
  options: ["ipvs"],
  unsupported: ["vproto", "vaddr", "vport", "vdir", "vmethod", "vportctl"],
  create: () => ({ ipvs: false, neg: false }),
  parse(o, _option, neg) {
    o.ipvs = true;
    o.neg = neg;
  },
  // ipvs_mt_save prints "--ipvs" first (with "! " when inverted); without options it prints nothing.
  save: (o) => (o.ipvs ? `${o.neg ? "! " : ""}--ipvs` : ""),
  match: (o, { packet }) => !o.ipvs || hasIpvsProperty(packet) !== o.neg,
};

/** skb_scrub_packet (crossing into another namespace) resets ipvs_property. */
export function scrubIpvsProperty(p: Packet): Packet {
  return hasIpvsProperty(p) ? ({ ...p, ipvsProperty: false } as IpvsPacket) : p;
}
