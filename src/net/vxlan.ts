// VXLAN as Docker's overlay driver sets it up (libnetwork drivers/overlay): in each node, the
// namespace "1-<network id>" holds br0 (the network's gateway address) with vxlan0 as a port.
// vxlan0 was created in the host namespace and moved there, so its UDP socket stays in the host:
// a frame bridged out of vxlan0 leaves the host as UDP to port 4789 of the remote node (whose
// address the overlay's static fdb/neighbour entries give), through the host's OUTPUT and
// POSTROUTING; the remote host's PREROUTING and INPUT see that UDP packet, and the vxlan socket
// decapsulates it into the remote vxlan0, whose bridge delivers the inner frame.
//
// The outer source port is the kernel's flow hash of the inner packet in the local port range
// (udp_flow_src_port, 32768-60999); nfplay uses a fixed hash of the inner 5-tuple instead of the
// kernel's jhash (deterministic, not the same number).
import type { Addr } from "./address.js";
import { formatAddr } from "./address.js";
import type { Iface, Namespace, World } from "./topology.js";
import type { Packet } from "../netfilter/types.js";

export const VXLAN_PORT = 4789;
/** Outer headers: Ethernet 14 + IP 20 + UDP 8 + VXLAN 8 (the inner Ethernet header: 14 of them). */
const VXLAN_OVERHEAD = 50;

interface Encap {
  inner: Packet;
  vni: number;
  nexthop: Addr;
}

type EncapPacket = Packet & { readonly encap?: Encap };

function flowPort(p: Packet): number {
  let h = 2166136261;
  for (const v of [String(p.src), String(p.dst), p.proto, p.sport, p.dport]) {
    for (const ch of String(v)) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  }
  return 32768 + (h % (60999 - 32768 + 1));
}

export type EncapResult = { host: Namespace; outer: Packet; detail: string } | { unroutable: string };

/** vxlan_xmit: the inner frame to nexthop becomes a UDP packet sent by the underlay namespace. */
export function encapsulate(world: World, ns: Namespace, dev: Iface, inner: Packet, nexthop: Addr): EncapResult {
  const link = dev.vxlan!;
  const vtep = link.fdb.get(nexthop);
  if (vtep === undefined) return { unroutable: `${ns.name}/${dev.name}: no vxlan forwarding entry for ${formatAddr(nexthop)} (VNI ${link.vni})` };
  const host = world.get(link.underlay);
  const outer: EncapPacket = {
    src: 0, dst: vtep, proto: "udp", sport: flowPort(inner), dport: VXLAN_PORT, icmpType: 0, icmpCode: 0, tcpFlags: 0,
    in: null, out: null, physIn: null, physOut: null, mark: 0, ct: "NEW", ctDir: "ORIGINAL", ctMark: 0, ttl: 64,
    length: inner.length + VXLAN_OVERHEAD, srcMac: null, encap: { inner, vni: link.vni, nexthop },
  };
  return { host, outer, detail: `${ns.name}/${dev.name} encapsulates ${formatAddr(inner.src)} -> ${formatAddr(inner.dst)} in VXLAN (VNI ${link.vni}) to ${formatAddr(vtep)}:${VXLAN_PORT}` };
}

export type DecapResult = { ns: Namespace; dev: Iface; inner: Packet; nexthop: Addr; detail: string } | { dropped: string } | null;

/** The underlay's vxlan socket: a VXLAN packet delivered to UDP 4789 comes out of the vxlan device with its VNI. */
export function decapsulate(world: World, host: Namespace, p: Packet): DecapResult {
  const encap = (p as EncapPacket).encap;
  if (p.proto !== "udp" || p.dport !== VXLAN_PORT || !encap) return null;
  for (const ns of world.namespaces.values())
    for (const dev of ns.ifaces.values())
      if (dev.vxlan && dev.vxlan.underlay === host.name && dev.vxlan.vni === encap.vni)
        return { ns, dev, inner: encap.inner, nexthop: encap.nexthop, detail: `${host.name} decapsulates VNI ${encap.vni} into ${ns.name}/${dev.name}` };
  return { dropped: `no vxlan device with VNI ${encap.vni} in ${host.name}` };
}
