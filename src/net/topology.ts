// Network namespaces, their interfaces, routes, sockets and rulesets: the world a packet walks.
import {
  broadcastOf, formatIPv4, inCidr, inNet, LOOPBACK6, LOOPBACK6_NET, MULTICAST6_NET, parseCidr, parseIPv4,
  type Addr, type AnyCidr, type Cidr, type Family,
} from "./address.js";
import { Conntrack } from "../netfilter/conntrack.js";
import type { NftRuleset } from "../nftables/ruleset.js";
import type { Ruleset } from "../netfilter/ruleset.js";
import type { AddrType, NamespaceView, Proto } from "../netfilter/types.js";
import type { IpvsTable } from "./ipvs.js";

/** An interface address of either family (IPv6: a bigint in an IPv6 network). */
export interface Address {
  ip: Addr;
  net: AnyCidr;
}

export interface Iface {
  name: string;
  kind: "loopback" | "veth" | "bridge" | "macvlan" | "ipvlan" | "dummy" | "vxlan";
  addrs: Address[];
  mac: string;
  /** The other end of a veth pair (also for the host uplink, whose peer is the outside world). */
  peer: { ns: string; iface: string } | null;
  /** The bridge this interface is a port of. */
  master: string | null;
  hairpin: boolean;
  routeLocalnet: boolean;
  /** macvlan/ipvlan: the lower (parent) device and the driver's mode (src/net/macvlan.ts). */
  lower?: { ns: string; iface: string; mode: string } | null;
  /** vxlan: its VNI, the namespace of its UDP socket (underlay) and the remote VTEP of each overlay address (src/net/vxlan.ts). */
  vxlan?: VxlanLink | null;
}

export interface VxlanLink {
  vni: number;
  underlay: string;
  fdb: Map<Addr, Addr>;
}

/** A route of either family: one table holds both, an address only matches its own family. */
export interface Route {
  dst: AnyCidr;
  dev: string;
  via: Addr | null;
  src: Addr | null;
}

export interface Socket {
  ip: Addr; // 0 (or 0n) = any address, of either family (a dual-stack wildcard bind)
  port: number;
  proto: Proto;
  owner: string;
  /** docker-proxy: relays each accepted connection to this address. */
  relay: { ip: Addr; port: number } | null;
}

export type NamespaceKind = "host" | "container" | "external";

const LOOPBACK = parseCidr("127.0.0.0/8");
const MULTICAST = parseCidr("224.0.0.0/4");
const LIMITED_BROADCAST = parseIPv4("255.255.255.255");

export class Namespace implements NamespaceView {
  readonly ifaces = new Map<string, Iface>();
  readonly routes: Route[] = [];
  private readonly sockets = new Map<string, Socket[]>(); // "proto/port" -> sockets
  private locals: Set<Addr> | null = null; // addresses on this namespace's interfaces
  private bcasts: Map<Addr, Iface> | null = null; // broadcast/network address -> its device
  ruleset: Ruleset | null = null;
  /** The ip6tables ruleset: IPv6 packets traverse it at the same hooks. */
  ruleset6: Ruleset | null = null;
  /** The nftables ruleset: its base chains run at their hooks beside the iptables tables. */
  nft: NftRuleset | null = null;
  conntrack = new Conntrack();
  ipForward = false;
  /** net.ipv6.conf.all.forwarding. */
  ip6Forward = false;
  /** br_netfilter's bridge-nf-call-iptables: bridged IPv4 frames traverse iptables. */
  bridgeNfCall = false;
  /** net.ipv4.conf.{all,default,IFACE}.rp_filter: 0 off, 1 strict, 2 loose (default: new interfaces). */
  readonly rpFilter = { all: 0, default: 0, ifaces: new Map<string, number>() };
  /** IPVS virtual services and connections (swarm's ingress_sbox; src/net/ipvs.ts). */
  ipvs: IpvsTable | null = null;

  constructor(readonly name: string, readonly kind: NamespaceKind) {
    this.addIface({ name: "lo", kind: "loopback", addrs: [{ ip: parseIPv4("127.0.0.1"), net: LOOPBACK }, { ip: LOOPBACK6, net: LOOPBACK6_NET }], mac: "00:00:00:00:00:00" });
  }

  addIface(spec: Partial<Iface> & Pick<Iface, "name" | "kind" | "mac">): Iface {
    const iface: Iface = { addrs: [], peer: null, master: null, hairpin: false, routeLocalnet: false, ...spec };
    this.ifaces.set(iface.name, iface);
    this.locals = null;
    this.bcasts = null;
    return iface;
  }

  addAddress(iface: Iface, addr: Address): void {
    iface.addrs.push(addr);
    this.locals?.add(addr.ip);
    this.bcasts = null;
  }

  isLocal(ip: Addr): boolean {
    if (typeof ip === "number" ? inCidr(ip, LOOPBACK) : ip === LOOPBACK6) return true;
    if (!this.locals) {
      this.locals = new Set();
      for (const i of this.ifaces.values()) for (const a of i.addrs) this.locals.add(a.ip);
    }
    return this.locals.has(ip);
  }

  /**
   * The address type the local routing table gives ip. With a device (addrtype --limit-iface-in/out)
   * a local or broadcast route counts only when it belongs to that device (__inet_dev_addr_type).
   */
  addrType(ip: Addr, dev?: string | null): AddrType {
    // No closures here: every addrtype match calls this, and a named closure costs more than the work.
    if (typeof ip === "bigint") {
      // IPv6 has no broadcast: multicast, local, or unicast (:: is UNSPEC).
      if (ip === 0n) return "UNSPEC";
      if (inNet(ip, MULTICAST6_NET)) return "MULTICAST";
      return this.isLocal(ip) ? this.localType(ip, dev) : "UNICAST";
    }
    if (ip === 0 || ip === LIMITED_BROADCAST) return "BROADCAST";
    if (inCidr(ip, MULTICAST)) return "MULTICAST";
    if (inCidr(ip, LOOPBACK)) return !dev || dev === "lo" ? "LOCAL" : "UNICAST";
    if (this.isLocal(ip)) return this.localType(ip, dev);
    const bcast = this.broadcasts().get(ip);
    if (bcast) return !dev || bcast.name === dev ? "BROADCAST" : "UNICAST";
    return "UNICAST";
  }

  /** A local address's type as seen from dev: UNICAST when another device holds it. */
  private localType(ip: Addr, dev?: string | null): AddrType {
    if (!dev) return "LOCAL";
    for (const i of this.ifaces.values()) if (i.addrs.some((a) => a.ip === ip)) return i.name === dev ? "LOCAL" : "UNICAST";
    return "LOCAL";
  }

  /**
   * Subnet broadcast and network addresses of the IPv4 subnets on this namespace's devices (the
   * first device wins, like the scan it replaces): built once, as every addrtype match asks.
   */
  private broadcasts(): Map<Addr, Iface> {
    if (!this.bcasts) {
      this.bcasts = new Map();
      for (const i of this.ifaces.values())
        for (const a of i.addrs)
          if (typeof a.net.addr === "number" && a.net.prefix < 31 && i.kind !== "loopback")
            for (const b of [broadcastOf(a.net as Cidr), a.net.addr]) if (!this.bcasts.has(b)) this.bcasts.set(b, i);
    }
    return this.bcasts;
  }

  /**
   * The reverse-path check of input routing (fib_validate_source) for an IPv4 packet from src
   * arriving on dev: null when it passes, else why the kernel drops it. The effective setting is
   * the larger of "all" and the device's own. Strict mode wants the route back to src to leave
   * through dev; loose mode any unicast route back to src.
   */
  reversePathFails(src: Addr, dev: string): string | null {
    const rp = this.rpFilter;
    // rp_filter is IPv4 only, and off unless a sysctl turned it on (every input route asks)
    if (typeof src !== "number" || (rp.all === 0 && rp.default === 0 && rp.ifaces.size === 0)) return null;
    const mode = Math.max(rp.all, rp.ifaces.get(dev) ?? rp.default);
    if (mode === 0) return null;
    const name = `rp_filter=${mode} (${mode === 1 ? "strict" : "loose"}) on ${dev}`;
    const ip = formatIPv4(src);
    if (this.isLocal(src)) return `${name}: source ${ip} is a local address`;
    const back = this.route(src);
    if (!back) return `${name}: no route back to ${ip}`;
    if (mode === 1 && back.dev !== dev) return `${name}: the route back to ${ip} leaves through ${back.dev}`;
    return null;
  }

  /** Longest-prefix match in the main table (the local table is checked by the caller). */
  route(dst: Addr): Route | null {
    let best: Route | null = null;
    for (const r of this.routes) if (inNet(dst, r.dst) && (!best || r.dst.prefix > best.dst.prefix)) best = r;
    return best;
  }

  primaryAddr(dev: string | null, family: Family = "ipv4"): Addr | null {
    const want = family === "ipv4" ? "number" : "bigint";
    return dev ? (this.ifaces.get(dev)?.addrs.find((a) => typeof a.ip === want)?.ip ?? null) : null;
  }

  sourceAddrFor(dev: string, dst: Addr): Addr | null {
    const iface = this.ifaces.get(dev);
    if (!iface) return null;
    const onLink = iface.addrs.find((a) => inNet(dst, a.net));
    return (onLink ?? iface.addrs.find((a) => typeof a.ip === typeof dst))?.ip ?? null;
  }

  /** The address a local socket sends from to reach dst (route's src hint, else the device's). */
  sourceFor(dst: Addr): Addr | null {
    if (typeof dst === "bigint" && this.isLocal(dst)) return dst;
    if (typeof dst === "bigint") {
      const r6 = this.route(dst);
      return r6 ? (r6.src ?? this.sourceAddrFor(r6.dev, r6.via ?? dst)) : null;
    }
    if (this.isLocal(dst)) return inCidr(dst, LOOPBACK) ? parseIPv4("127.0.0.1") : dst;
    const r = this.route(dst);
    if (!r) return null;
    return r.src ?? this.sourceAddrFor(r.dev, r.via ?? dst);
  }

  listen(s: Socket): void {
    const key = `${s.proto}/${s.port}`;
    this.sockets.set(key, [...(this.sockets.get(key) ?? []), s]);
  }

  close(s: Socket): void {
    const key = `${s.proto}/${s.port}`;
    this.sockets.set(key, (this.sockets.get(key) ?? []).filter((x) => x !== s));
  }

  /** The socket a packet to ip:port lands on: an exact bind wins over a wildcard one. */
  socketFor(ip: Addr, port: number, proto: Proto): Socket | undefined {
    const list = this.sockets.get(`${proto}/${port}`);
    // A wildcard of the packet's own family first (docker-proxy's "::" twin of a 0.0.0.0 binding).
    return list?.find((s) => s.ip === ip) ?? list?.find((s) => s.ip === (typeof ip === "bigint" ? 0n : 0)) ?? list?.find((s) => s.ip === 0 || s.ip === 0n);
  }

  /** Which interface in this namespace owns an address (neighbour resolution on a link). */
  ifaceWithAddr(ip: Addr): Iface | undefined {
    for (const i of this.ifaces.values()) if (i.addrs.some((a) => a.ip === ip)) return i;
    return undefined;
  }

  resetConntrack(): void {
    this.conntrack = new Conntrack();
    this.ipvs?.resetConnections();
  }
}

export class World {
  readonly namespaces = new Map<string, Namespace>();
  // Address -> owner and bridge -> (far-end address -> port) indexes: without them every flow
  // would scan every namespace, and the big benchmark would grow quadratically.
  private owners: Map<Addr, Namespace> | null = null;
  private ports = new Map<string, Map<Addr, Iface>>();

  add(ns: Namespace): Namespace {
    this.namespaces.set(ns.name, ns);
    this.changed();
    return ns;
  }

  /** Call after adding interfaces. */
  changed(): void {
    this.owners = null;
    this.ports.clear();
  }

  /** Give ns one more address on iface, keeping the indexes current. */
  addAddress(ns: Namespace, iface: Iface, addr: Address): void {
    ns.addAddress(iface, addr);
    if (this.owners && !this.owners.has(addr.ip)) this.owners.set(addr.ip, ns);
    this.ports.clear();
  }

  /** The bridge port (in ns) whose far end owns ip. */
  bridgePort(ns: Namespace, bridge: string, ip: Addr): Iface | undefined {
    const key = `${ns.name}/${bridge}`;
    let map = this.ports.get(key);
    if (!map) {
      map = new Map();
      for (const port of ns.ifaces.values()) {
        if (port.master === bridge && port.vxlan) for (const ip of port.vxlan.fdb.keys()) if (!map.has(ip)) map.set(ip, port);
        if (port.master !== bridge || !port.peer) continue;
        const far = this.namespaces.get(port.peer.ns)?.ifaces.get(port.peer.iface);
        for (const a of far?.addrs ?? []) if (!map.has(a.ip)) map.set(a.ip, port);
      }
      this.ports.set(key, map);
    }
    return map.get(ip);
  }

  get(name: string): Namespace {
    const ns = this.namespaces.get(name);
    if (!ns) throw new Error(`no namespace "${name}"`);
    return ns;
  }

  /** The namespace that owns ip on a non-loopback interface. */
  owner(ip: Addr): Namespace | undefined {
    if (!this.owners) {
      this.owners = new Map();
      for (const ns of this.namespaces.values())
        for (const i of ns.ifaces.values())
          if (i.kind !== "loopback") for (const a of i.addrs) if (!this.owners.has(a.ip)) this.owners.set(a.ip, ns);
    }
    return this.owners.get(ip);
  }
}
