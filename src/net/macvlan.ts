// macvlan and ipvlan devices: a child interface (in a container's namespace) stacked on a lower
// device (the parent, in the host's namespace) whose wire it shares. Frames between the wire and
// a child bypass the parent's namespace entirely: no routing there and no netfilter hook of the
// host (so published ports, DOCKER-USER and FORWARD rules never see them), except in ipvlan's
// L3 modes: egress is routed by the parent's namespace (Walker.stackedOut), and l3s ingress
// passes its PREROUTING and INPUT hooks (Walker.l3sIngress).
//
// Neighbour resolution is by address owner, as for veths and bridges: a child "answers ARP" for
// its addresses when the frame can reach it. The kernel rules modelled here
// (drivers/net/macvlan.c, drivers/net/ipvlan, Documentation/networking/ipvlan.rst):
// - the parent's own transmissions never reach its children (an rx handler sees only received
//   frames), so the host cannot talk to its macvlan/ipvlan children through the parent;
// - macvlan: a child's frame to a sibling is switched inside the device only when both are in
//   bridge mode; private never, vepa and passthru send it to the wire (which, a veth here, never
//   reflects it back). A child's frame for the parent's own MAC also leaves through the wire;
// - ipvlan: siblings talk unless the port flag is private or vepa; in l3/l3s the child has no
//   ARP (NOARP) and its traffic to anything but a sibling is routed by the parent's namespace.
import { formatAddr as fmt, type Addr } from "./address.js";
import type { Iface, Namespace, World } from "./topology.js";

/** Where a frame goes on the parent's segment. */
export type Segment =
  | { kind: "child"; ns: Namespace; iface: Iface; detail: string }
  | { kind: "wire"; ns: Namespace; iface: Iface; detail: string }
  | { kind: "routed"; ns: Namespace; parent: Iface; detail: string }
  | { kind: "blocked"; reason: string };

export function isStacked(i: Iface): boolean {
  return (i.kind === "macvlan" || i.kind === "ipvlan") && !!i.lower;
}

const childIndex = new WeakMap<World, Map<string, { ns: Namespace; iface: Iface }[]>>();

/** The macvlan/ipvlan children of the device ns/dev (computed once per world: built before any walk). */
export function childrenOf(world: World, ns: string, dev: string): { ns: Namespace; iface: Iface }[] {
  let index = childIndex.get(world);
  if (!index) {
    index = new Map();
    for (const n of world.namespaces.values())
      for (const i of n.ifaces.values())
        if (isStacked(i)) {
          const key = `${i.lower!.ns}/${i.lower!.iface}`;
          index.set(key, [...(index.get(key) ?? []), { ns: n, iface: i }]);
        }
    childIndex.set(world, index);
  }
  if (index.size === 0) return []; // no macvlan/ipvlan anywhere (the usual host): no key to build per hop
  return index.get(`${ns}/${dev}`) ?? [];
}

function owns(i: Iface, ip: Addr): boolean {
  return i.addrs.some((a) => a.ip === ip);
}

function l3(i: Iface): boolean {
  return i.kind === "ipvlan" && (i.lower!.mode.startsWith("l3"));
}

/** ipvlan's port flag (bridge, private, vepa) or macvlan's mode. */
function l3s(i: Iface): boolean {
  return i.kind === "ipvlan" && i.lower!.mode.startsWith("l3s");
}

function flagOf(i: Iface): string {
  return i.kind === "ipvlan" ? (i.lower!.mode.split("/")[1] ?? "bridge") : i.lower!.mode;
}

/**
 * A frame received on the wire by a device that has children: the child it belongs to, if any.
 * L2 children are found by the next hop (the MAC the sender resolved), L3 ipvlan children by the
 * packet's destination (the sender routed it to the parent, which demultiplexes by address).
 */
export function fromWire(world: World, ns: Namespace, dev: Iface, nexthop: Addr, dst: Addr): Segment | null {
  const children = childrenOf(world, ns.name, dev.name);
  // passthru: the child takes every frame of the wire, the parent's own stack receives none
  const pt = children.find((c) => c.iface.kind === "macvlan" && c.iface.lower!.mode === "passthru");
  if (pt && !owns(pt.iface, nexthop))
    return { kind: "blocked", reason: `no neighbour ${fmt(nexthop)}: ${ns.name}/${dev.name} is in macvlan passthru mode, every frame on its wire goes to ${pt.ns.name}/${pt.iface.name}` };
  for (const c of children) {
    if (l3s(c.iface)) continue; // the parent's namespace receives it first: see l3sChild
    const target = l3(c.iface) ? dst : nexthop;
    if (owns(c.iface, target))
      return { kind: "child", ns: c.ns, iface: c.iface, detail: `${ns.name}/${dev.name} hands the frame to its ${c.iface.kind} child ${c.ns.name}/${c.iface.name} (the host's netfilter never sees it)` };
  }
  return null;
}

/** ipvlan l3s: does dev have l3s children (its namespace's PREROUTING runs before the demux)? */
export function hasL3sChildren(world: World, ns: Namespace, dev: Iface): boolean {
  return childrenOf(world, ns.name, dev.name).some((c) => l3s(c.iface));
}

/** ipvlan l3s, after the parent namespace's PREROUTING (and its conntrack de-NAT): the child that owns dst. */
export function l3sChild(world: World, ns: Namespace, dev: Iface, dst: Addr): Extract<Segment, { kind: "child" }> | null {
  const c = childrenOf(world, ns.name, dev.name).find((x) => l3s(x.iface) && owns(x.iface, dst));
  return c ? { kind: "child", ns: c.ns, iface: c.iface, detail: `ipvlan l3s: ${ns.name} passes the packet through its INPUT hook to ${c.ns.name}/${c.iface.name}` } : null;
}

/** The parent's own transmission: its children never receive it. */
export function parentSends(world: World, ns: Namespace, dev: Iface, nexthop: Addr): Segment | null {
  const child = childrenOf(world, ns.name, dev.name).find((c) => owns(c.iface, nexthop));
  if (!child) return null;
  return { kind: "blocked", reason: `no neighbour ${fmt(nexthop)} on ${dev.name}: ${dev.name}'s ${child.iface.kind} children (${child.ns.name}) never receive what the parent itself sends` };
}

/** A frame a child sends towards nexthop (dst: the packet's destination). */
export function childSends(world: World, ns: Namespace, child: Iface, nexthop: Addr, dst: Addr): Segment {
  const lower = child.lower!;
  const parentNs = world.get(lower.ns);
  const parent = parentNs.ifaces.get(lower.iface);
  if (!parent) return { kind: "blocked", reason: `${child.name}: lower device ${lower.iface} is gone` };
  const flag = flagOf(child);
  const sibling = childrenOf(world, lower.ns, lower.iface).find((c) => c.iface !== child && owns(c.iface, l3(child) ? dst : nexthop));
  if (sibling) {
    const both = child.kind === "macvlan" ? flag === "bridge" && flagOf(sibling.iface) === "bridge" : flag === "bridge";
    if (both) return { kind: "child", ns: sibling.ns, iface: sibling.iface, detail: `${child.kind} ${lower.iface} (${flag} mode) switches the frame to its child ${sibling.ns.name}/${sibling.iface.name}` };
    return { kind: "blocked", reason: `no neighbour ${fmt(nexthop)}: ${child.kind} ${flag} mode: children of ${lower.iface} do not reach each other (the frame goes to the wire, which does not send it back)` };
  }
  if (l3(child)) return { kind: "routed", ns: parentNs, parent, detail: `ipvlan ${lower.mode.split("/")[0]}: ${lower.ns} routes the packet out of ${lower.iface}` };
  if (parentNs.ifaces.get(lower.iface)!.addrs.some((a) => a.ip === nexthop) || (parentNs.isLocal(nexthop) && !parent.peer))
    return { kind: "blocked", reason: `no neighbour ${fmt(nexthop)}: a ${child.kind} child never reaches its parent ${lower.ns}/${lower.iface} (the frame leaves through the wire)` };
  if (!parent.peer) return { kind: "blocked", reason: `no neighbour ${fmt(nexthop)} on ${lower.iface} (a device without a wire)` };
  const peerNs = world.get(parent.peer.ns);
  const peer = peerNs.ifaces.get(parent.peer.iface)!;
  if (!peerNs.isLocal(nexthop)) return { kind: "blocked", reason: `no neighbour ${fmt(nexthop)} on the wire of ${lower.ns}/${lower.iface}` };
  return { kind: "wire", ns: peerNs, iface: peer, detail: `${ns.name}/${child.name} -> wire of ${lower.ns}/${lower.iface} -> ${peerNs.name}/${peer.name} (not through ${lower.ns}'s netfilter)` };
}
