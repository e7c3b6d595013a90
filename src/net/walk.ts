// The packet's path through the kernel, namespace by namespace: routing, the netfilter hooks in
// kernel order (raw -> conntrack -> mangle -> nat -> filter -> security), bridges with
// br_netfilter, veth pairs and loopback. Every rule hit becomes a trace step.
//
// IPv6 packets (bigint addresses) take the same path through the ip6tables ruleset of each
// namespace (ns.ruleset6), with their own conntrack tuples and net.ipv6.conf.all.forwarding.
// Neighbour discovery is not simulated: like ARP for IPv4, a next hop on a link is resolved by
// looking up which interface owns the address, and no NS/NA (ICMPv6 135/136) packet is walked.
import { formatAddr, inCidr, LOOPBACK_NET, type Addr } from "./address.js";
import type { Iface, Namespace, World } from "./topology.js";
import { applyNat, manipOf, type Connection } from "../netfilter/conntrack.js";
import { runTable, type Budget, type RuleHit } from "../netfilter/evaluate.js";
import { isIcmp, type Hook, type Packet, type TableName } from "../netfilter/types.js";
import type { Ruleset } from "../netfilter/ruleset.js";
import { CONNTRACK_PRIORITY, nftFilterChains, nftNatChains, runNatChains, tablePriority, type NftTableLabel } from "../nftables/hooks.js";
import { runNftChain, type NftBase, type NftHit } from "../nftables/eval.js";
import { childSends, fromWire, hasL3sChildren, isStacked, l3sChild, parentSends, type Segment } from "./macvlan.js";
import { ipvsIn, ipvsOut, isIpvsConntrack, markIpvsConntrack } from "./ipvs.js";
import { decapsulate, encapsulate } from "./vxlan.js";
import { scrubIpvsProperty } from "../netfilter/matches/ipvs.js";

// Tables at each hook in priority order (NF_IP_PRI_RAW < CONNTRACK < MANGLE < NAT_DST < FILTER
// < SECURITY < NAT_SRC).
const HOOK_TABLES: Record<Hook, TableName[]> = {
  PREROUTING: ["raw", "mangle", "nat"],
  INPUT: ["mangle", "filter", "security", "nat"],
  FORWARD: ["mangle", "filter", "security"],
  OUTPUT: ["raw", "mangle", "nat", "filter", "security"],
  POSTROUTING: ["mangle", "nat"],
};

export interface PacketView {
  src: string;
  sport: number | null;
  dst: string;
  dport: number | null;
  in: string | null;
  out: string | null;
  ct: string;
  /** Set only on a VXLAN outer packet (udp to 4789): its protocol is not the flow's. */
  proto?: string;
}

export interface TraceStep {
  namespace: string;
  hook: Hook;
  /** "ipvs": IPVS's own hook function (src/net/ipvs.ts), between the iptables tables;
   *  "ip docker-bridges": an nftables table (family and name). */
  table: TableName | "ipvs" | NftTableLabel;
  chain: string;
  rule: string;
  ruleNumber: number | null;
  verdict: string;
  packet: PacketView;
}

export interface Hop {
  namespace: string;
  event: "send" | "route" | "bridge" | "veth" | "loopback" | "deliver" | "drop" | "reject" | "unroutable" | "proxy" | "vxlan";
  detail: string;
}

export type Outcome =
  | { kind: "delivered"; ns: Namespace; packet: Packet }
  | { kind: "dropped"; reason: string }
  /** With the refused packet as REJECT saw it, its namespace and connection: the answer starts there. */
  | { kind: "rejected"; with: string; ns?: Namespace; packet?: Packet; conn?: CtRef | null }
  | { kind: "unroutable"; reason: string };

// Every trace step prints its packet's addresses: the same few thousand at most, formatted once.
const ADDR_TEXT = new Map<Addr, string>();

function addrText(ip: Addr): string {
  let text = ADDR_TEXT.get(ip);
  if (text === undefined) {
    if (ADDR_TEXT.size >= 65536) ADDR_TEXT.clear(); // a long-lived worker must not grow without bound
    text = formatAddr(ip);
    ADDR_TEXT.set(ip, text);
  }
  return text;
}

export function viewOf(p: Packet): PacketView {
  const ports = !isIcmp(p.proto);
  return {
    src: addrText(p.src),
    sport: ports ? p.sport : null,
    dst: addrText(p.dst),
    dport: ports ? p.dport : null,
    in: p.in,
    out: p.out,
    ct: p.ct,
    ...((p as { encap?: unknown }).encap ? { proto: p.proto } : {}),
  };
}

export interface CtRef {
  conn: Connection;
  dir: "ORIGINAL" | "REPLY";
}

/**
 * The packet's conntrack entry in this namespace. Conntrack runs after the raw table
 * (priority -200 vs -300), so at PREROUTING/OUTPUT the lookup is `pending` until raw is done;
 * raw sees no entry yet (ctstate INVALID) and may opt the packet out (NOTRACK: UNTRACKED).
 */
interface CtSlot {
  ref: CtRef | null;
  pending: boolean;
}

function tuples(ct: CtRef | null) {
  return { ctOrig: ct?.conn.orig ?? null, ctReply: ct?.conn.reply ?? null };
}

/** The ruleset a packet traverses: iptables for IPv4, ip6tables for IPv6. */
function rulesetOf(ns: Namespace, p: Packet): Ruleset | null {
  return typeof p.dst === "number" ? ns.ruleset : ns.ruleset6;
}

/** A loopback address that may not come from outside (127/8 unless route_localnet; ::1 always). */
function loopbackAddr(ip: Addr): boolean {
  return typeof ip === "number" ? inCidr(ip, LOOPBACK_NET) : ip === 1n;
}

const MAX_HOPS = 32; // a routing loop ends here instead of spinning

export class Walker {
  readonly steps: TraceStep[] = [];
  readonly hops: Hop[] = [];
  private hopCount = 0;

  constructor(private world: World, private budget: Budget) {}

  private hop(ns: Namespace, event: Hop["event"], detail: string): void {
    this.hops.push({ namespace: ns.name, event, detail });
  }

  private record(ns: Namespace, hook: Hook, hits: (RuleHit | NftHit)[]): void {
    // Consecutive hits usually carry the same packet (only a target that changes it makes a new
    // one): they share one view instead of formatting it again.
    let last: Packet | null = null;
    let view: PacketView | null = null;
    for (const h of hits) {
      if (h.packet !== last) {
        last = h.packet;
        view = viewOf(h.packet);
      }
      this.steps.push({
        namespace: ns.name, hook, table: h.table, chain: h.chain, rule: h.rule,
        ruleNumber: h.ruleNumber, verdict: h.verdict, packet: view!,
      });
    }
  }

  /** Namespaces whose conntrack this walk touched (reset between flows). */
  readonly touched = new Set<Namespace>();

  /** A packet entering ns's netfilter: its conntrack lookup waits for the raw table. */
  private entry(ns: Namespace, p: Packet): { p: Packet; ct: CtSlot } {
    this.touched.add(ns);
    // No rule needs conntrack: the kernel never loaded it here, so no packet has an entry.
    if (!rulesetOf(ns, p)?.needsConntrack() && !ns.nft?.needsConntrack()) return { p: { ...p, ct: "UNTRACKED", ctDir: "ORIGINAL" }, ct: { ref: null, pending: false } };
    return { p: { ...p, ct: "INVALID", ctDir: "ORIGINAL" }, ct: { ref: null, pending: true } };
  }

  private attach(ns: Namespace, p: Packet, to: CtRef): { p: Packet; ct: CtSlot } {
    this.touched.add(ns);
    const dir = to.dir === "ORIGINAL" ? "REPLY" : "ORIGINAL";
    return { p: { ...p, ct: "RELATED", ctDir: dir, ctMark: to.conn.mark }, ct: { ref: { conn: to.conn, dir }, pending: false } };
  }

  private track(ns: Namespace, p: Packet, slot: CtSlot): Packet {
    slot.pending = false;
    if (p.ct === "UNTRACKED") return p;
    const t = ns.conntrack.track(p);
    if (!t.conn) return { ...p, ct: "INVALID" };
    slot.ref = { conn: t.conn, dir: t.dir };
    return { ...p, ct: t.state, ctDir: t.dir, ctMark: t.conn.mark };
  }

  /** Rules may have changed the connection mark (CONNMARK): it belongs to the connection. */
  private saveCtMark(ct: CtSlot, p: Packet): void {
    if (ct.ref) ct.ref.conn.mark = p.ctMark;
  }

  /** Run every table of one hook; returns the packet or the verdict that stopped it. */
  private runHook(ns: Namespace, hook: Hook, p: Packet, ct: CtSlot): Packet | Outcome {
    const manip = manipOf(hook);
    const rs = rulesetOf(ns, p);
    // nftables base chains (other than nat) run between the tables, by priority.
    const nft = nftFilterChains(ns.nft, p, hook);
    let k = 0;
    for (const table of HOOK_TABLES[hook]) {
      for (; k < nft.length && nft[k]!.chain.base!.priority < tablePriority(table, hook); k++) {
        const out = this.runNft(ns, hook, nft[k]!, p, ct);
        if ("kind" in out) return out;
        p = out;
      }
      if (table !== "raw" && ct.pending) p = this.track(ns, p, ct);
      // IPVS's ip_vs_in sits at LOCAL_IN between security and nat (NF_IP_PRI_NAT_SRC - 1).
      if (table === "nat" && hook === "INPUT" && ns.ipvs) {
        const stolen = this.ipvsLocalIn(ns, p, ct);
        if (stolen) return stolen;
      }
      if (table === "nat") {
        const before = p;
        if (ct.ref) {
          const natted = this.nat(ns, hook, p, ct.ref, manip!);
          if (natted === null) return this.stop(ns, { kind: "dropped", reason: `nat ${hook} policy` });
          p = natted;
        }
        this.saveCtMark(ct, p);
        if (hook === "OUTPUT" && p.dst !== before.dst) {
          const stuck = this.rerouteFails(ns, p);
          if (stuck) return this.stop(ns, { kind: "dropped", reason: stuck });
        }
        continue;
      }
      const base = rs?.baseChain(table, hook);
      if (!base) continue;
      const res = runTable(rs!, table, hook, base, { packet: p, ns, ...tuples(ct.ref) }, this.budget);
      this.record(ns, hook, res.hits);
      p = res.packet;
      this.saveCtMark(ct, p);
      if (res.verdict === "DROP") return this.stop(ns, { kind: "dropped", reason: `${table} ${hook}` });
      if (res.verdict === "REJECT") return this.stop(ns, { kind: "rejected", with: res.reject ?? (rs?.family === "ipv6" ? "icmp6-port-unreachable" : "icmp-port-unreachable"), ns, packet: p, conn: ct.ref });
    }
    for (; k < nft.length; k++) {
      const out = this.runNft(ns, hook, nft[k]!, p, ct);
      if ("kind" in out) return out;
      p = out;
    }
    // IPVS's ip_vs_out at FORWARD (priority 100, after filter): a real server's reply gets the virtual address.
    if (hook === "FORWARD" && ns.ipvs) p = this.ipvsReply(ns, p);
    return p;
  }

  /** One nftables base chain: accept ends only this chain, drop and reject end the packet. */
  private runNft(ns: Namespace, hook: Hook, b: NftBase, p: Packet, ct: CtSlot): Packet | Outcome {
    if (b.chain.base!.priority > CONNTRACK_PRIORITY && ct.pending) p = this.track(ns, p, ct);
    const res = runNftChain(b, { packet: p, hook, ns, ...tuples(ct.ref) }, this.budget);
    this.record(ns, hook, res.hits);
    this.saveCtMark(ct, res.packet);
    if (res.verdict === "DROP") return this.stop(ns, { kind: "dropped", reason: `${b.table.family} ${b.table.name} ${b.chain.name}` });
    if (res.verdict === "REJECT") return this.stop(ns, { kind: "rejected", with: res.reject!, ns, packet: res.packet, conn: ct.ref });
    return res.packet;
  }

  // --- IPVS (src/net/ipvs.ts): the swarm ingress_sbox's fwmark services ---

  /** ip_vs_in: a marked NEW packet is rewritten to a real server and sent on through LOCAL_OUT. */
  private ipvsLocalIn(ns: Namespace, p: Packet, ct: CtSlot): Outcome | null {
    if (p.ctDir !== "ORIGINAL") return null;
    const v = ipvsIn(ns.ipvs!, p);
    if (!v) return null;
    if ("dropped" in v) return this.stop(ns, { kind: "dropped", reason: v.dropped });
    this.steps.push({ namespace: ns.name, hook: "INPUT", table: "ipvs", chain: "ip_vs_in", rule: v.rule, ruleNumber: null, verdict: v.verdict, packet: viewOf(v.packet) });
    // net.ipv4.vs.conntrack=1: ip_vs_update_conntrack makes the reply come from the real server.
    if (ct.ref && !isIpvsConntrack(ct.ref.conn)) {
      ns.conntrack.bind(ct.ref.conn, "DNAT", v.conn.rs.ip, v.conn.rs.port);
      markIpvsConntrack(ct.ref.conn);
    }
    const route = this.routeOut(ns, v.packet.dst);
    if ("kind" in route) return this.stop(ns, route);
    this.hop(ns, "route", `IPVS forwards to ${formatAddr(v.packet.dst)} via ${route.dev}`);
    const out = this.runHook(ns, "OUTPUT", { ...v.packet, out: route.dev }, ct);
    if ("kind" in out) return out;
    return this.postrouting(ns, { ...out, out: route.dev }, ct, route);
  }

  private ipvsReply(ns: Namespace, p: Packet): Packet {
    const v = ipvsOut(ns.ipvs!, p);
    if (!v) return p;
    this.steps.push({ namespace: ns.name, hook: "FORWARD", table: "ipvs", chain: "ip_vs_out", rule: v.rule, ruleNumber: null, verdict: v.verdict, packet: viewOf(v.packet) });
    return v.packet;
  }

  // --- VXLAN (src/net/vxlan.ts): overlay frames cross hosts as UDP 4789 in the underlay ---

  private vxlanOut(ns: Namespace, dev: Iface, p: Packet, nexthop: Addr): Outcome {
    const e = encapsulate(this.world, ns, dev, p, nexthop);
    if ("unroutable" in e) return this.stop(ns, { kind: "unroutable", reason: e.unroutable });
    this.hop(ns, "vxlan", e.detail);
    return this.send(e.host, e.outer);
  }

  private vxlanIn(host: Namespace, t: NonNullable<ReturnType<typeof decapsulate>>): Outcome {
    if ("dropped" in t) return this.stop(host, { kind: "dropped", reason: t.dropped });
    this.hop(host, "vxlan", t.detail);
    const inner: Packet = { ...t.inner, in: null, out: null, physIn: null, physOut: null, mark: 0, ctMark: 0 };
    return t.dev.master ? this.bridgeIngress(t.ns, t.dev, inner, t.nexthop) : this.receive(t.ns, t.dev, inner);
  }

  // The nat table is consulted only for the first packet of a connection, once per manip type;
  // every packet (both directions) then gets the bindings applied (nf_nat_inet_fn).
  /**
   * After DNAT in OUTPUT the kernel routes the packet again (ip_route_me_harder) with its old
   * source: 127.0.0.1 may only leave through a device with route_localnet=1.
   */
  private rerouteFails(ns: Namespace, p: Packet): string | null {
    if (typeof p.src !== "number" || !inCidr(p.src, LOOPBACK_NET) || ns.isLocal(p.dst)) return null;
    const r = ns.route(p.dst);
    if (!r) return `no route to ${formatAddr(p.dst)} after DNAT`;
    if (ns.ifaces.get(r.dev)?.routeLocalnet) return null;
    return `re-routing after DNAT fails: source ${formatAddr(p.src)} may not leave through ${r.dev} (route_localnet=0)`;
  }

  /** The packet after the nat table and the connection's bindings; null when a nat policy dropped it. */
  private nat(ns: Namespace, hook: Hook, p: Packet, ct: CtRef, manip: "dst" | "src"): Packet | null {
    // IPVS altered this connection's reply tuple, not a DNAT: its original direction keeps its destination.
    if (manip === "dst" && ct.dir === "ORIGINAL" && isIpvsConntrack(ct.conn)) return p;
    const rs = rulesetOf(ns, p);
    const base = rs?.baseChain("nat", hook);
    // A TCP reset REJECT sent is RELATED to the refused connection, yet goes through the nat chain
    // of a manip the connection has not decided yet (nf_nat_inet_fn treats RELATED like NEW).
    const first = (p.ct === "NEW" && ct.dir === "ORIGINAL") || (p.ct === "RELATED" && !isIcmp(p.proto));
    const nftNat = nftNatChains(ns.nft, p, hook);
    if (first && !ct.conn.natDone[manip] && (base || nftNat.length)) {
      const ctx = { packet: p, ns, ...tuples(ct) };
      const res = runNatChains(base ? () => runTable(rs!, "nat", hook, base, ctx, this.budget) : null, tablePriority("nat", hook), nftNat, { ...ctx, hook }, this.budget);
      ct.conn.natDone[manip] = true;
      if (res.nat) ns.conntrack.bind(ct.conn, res.nat.kind, res.nat.ip, res.nat.port);
      const after = applyNat(ct.conn, ct.dir, manip, res.packet);
      const last = res.hits[res.hits.length - 1];
      if (last && res.nat) last.packet = after;
      this.record(ns, hook, res.hits);
      // A nat base chain may have policy DROP, and it drops like any other (R1).
      return res.verdict === "DROP" ? null : after;
    }
    if (p.ct === "NEW" && ct.dir === "ORIGINAL") ct.conn.natDone[manip] = true;
    return applyNat(ct.conn, ct.dir, manip, p);
  }

  private stop(ns: Namespace, o: Outcome): Outcome {
    const detail = o.kind === "dropped" ? `dropped by ${o.reason}` : o.kind === "rejected" ? `rejected with ${o.with}` : o.kind === "unroutable" ? o.reason : "";
    this.hop(ns, o.kind === "dropped" ? "drop" : o.kind === "rejected" ? "reject" : "unroutable", detail);
    return o;
  }

  private guard(): void {
    if (++this.hopCount > MAX_HOPS) throw new Error("routing loop: the packet crossed more than 32 devices");
  }

  /**
   * A socket in ns sends p (src 0 = let routing choose). `attached`: the connection the kernel
   * attached to a packet it built (nf_ct_attach: REJECT's TCP reset), RELATED in the other direction.
   */
  send(ns: Namespace, p: Packet, attached?: CtRef): Outcome {
    const first = this.routeOut(ns, p.dst);
    if ("kind" in first) return this.stop(ns, first);
    const src = p.src || ns.sourceFor(p.dst) || (typeof p.dst === "bigint" ? 0n : 0);
    let pkt: Packet = { ...p, src, in: null, out: first.dev, physIn: null, physOut: null };
    this.hop(ns, "send", `${formatAddr(src)} -> ${formatAddr(pkt.dst)} via ${first.dev}`);
    const tracked = attached ? this.attach(ns, pkt, attached) : this.entry(ns, pkt);
    pkt = tracked.p;
    const out = this.runHook(ns, "OUTPUT", pkt, tracked.ct);
    if ("kind" in out) return out;
    let route = first;
    if (out.dst !== pkt.dst) {
      const again = this.routeOut(ns, out.dst);
      if ("kind" in again) return this.stop(ns, again);
      route = again;
      this.hop(ns, "route", `rerouted after NAT: ${formatAddr(out.dst)} via ${route.dev}`);
    }
    return this.postrouting(ns, { ...out, out: route.dev }, tracked.ct, route);
  }

  private routeOut(ns: Namespace, dst: Addr): { dev: string; nexthop: Addr } | Outcome {
    if (ns.isLocal(dst)) return { dev: "lo", nexthop: dst };
    const r = ns.route(dst);
    if (!r) return { kind: "unroutable", reason: `no route to ${formatAddr(dst)} in ${ns.name}` };
    return { dev: r.dev, nexthop: r.via ?? dst };
  }

  private postrouting(ns: Namespace, p: Packet, ct: CtSlot, route: { dev: string; nexthop: Addr }): Outcome {
    const post = this.runHook(ns, "POSTROUTING", p, ct);
    if ("kind" in post) return post;
    if (ns.ifaces.get(route.dev)?.kind === "loopback") this.looped = { ns, slot: ct, p: post };
    return this.transmit(ns, route.dev, post, route.nexthop);
  }

  private transmit(ns: Namespace, dev: string, p: Packet, nexthop: Addr): Outcome {
    this.guard();
    const iface = ns.ifaces.get(dev)!;
    // The frame leaves with the sending device's MAC; a namespace boundary clears the skb's
    // mark (skb_scrub_packet); loopback keeps both, it never leaves the namespace.
    const looped = iface.kind === "loopback";
    const clean: Packet = {
      ...(looped ? p : scrubIpvsProperty(p)), in: null, out: null, physIn: null, physOut: null, ct: "NEW", ctDir: "ORIGINAL",
      srcMac: looped ? null : iface.mac, mark: looped ? p.mark : 0, ctMark: 0,
    };
    if (iface.kind === "loopback") {
      this.hop(ns, "loopback", "looped back on lo");
      return this.receive(ns, iface, clean);
    }
    if (iface.kind === "bridge") {
      const port = this.portFor(ns, iface, nexthop);
      if (!port) return this.stop(ns, { kind: "unroutable", reason: `no neighbour ${formatAddr(nexthop)} on ${dev}` });
      this.hop(ns, "bridge", `${dev} forwards the frame out of port ${port.name}`);
      return this.acrossVeth(ns, port, clean, nexthop);
    }
    if (isStacked(iface)) return this.stackedOut(ns, iface, clean, nexthop);
    const toChild = parentSends(this.world, ns, iface, nexthop);
    if (toChild?.kind === "blocked") return this.stop(ns, { kind: "unroutable", reason: toChild.reason });
    return this.acrossVeth(ns, iface, clean, nexthop);
  }

  // --- macvlan/ipvlan (src/net/macvlan.ts decides where a frame goes on the parent's segment) ---

  /** A macvlan/ipvlan child transmits: to a sibling, the wire, or (ipvlan L3) the parent's routing. */
  private stackedOut(ns: Namespace, child: Iface, p: Packet, nexthop: Addr): Outcome {
    const seg = childSends(this.world, ns, child, nexthop, p.dst);
    if (seg.kind === "blocked") return this.stop(ns, { kind: "unroutable", reason: seg.reason });
    this.hop(ns, "veth", seg.detail);
    if (seg.kind !== "routed") return this.receive(seg.ns, seg.iface, p);
    // ipvlan l3/l3s: ip_local_out in the parent's namespace, routed out of the parent only.
    const route = this.routeOut(seg.ns, p.dst);
    if ("kind" in route) return this.stop(seg.ns, route);
    if (route.dev !== seg.parent.name && route.dev !== "lo")
      return this.stop(seg.ns, { kind: "unroutable", reason: `ipvlan: no route to ${formatAddr(p.dst)} through ${seg.parent.name} in ${seg.ns.name}` });
    const tracked = this.entry(seg.ns, { ...p, in: null, out: route.dev });
    const out = this.runHook(seg.ns, "OUTPUT", tracked.p, tracked.ct);
    if ("kind" in out) return out;
    return this.postrouting(seg.ns, { ...out, out: route.dev }, tracked.ct, route);
  }

  /** A frame from the wire for a macvlan/ipvlan child: straight to it, bypassing this namespace. */
  private toChild(ns: Namespace, seg: Extract<Segment, { kind: "child" }>, p: Packet): Outcome {
    this.hop(ns, "veth", seg.detail);
    return this.receive(seg.ns, seg.iface, p);
  }

  /**
   * ipvlan l3s: the parent's namespace receives the packet (PREROUTING, conntrack: a MASQUERADEd
   * reply is un-NATed here), then l3mdev hands it to the child that owns the destination,
   * through the INPUT hook; anything else goes on as a packet of the host.
   */
  private l3sIngress(ns: Namespace, dev: Iface, p: Packet): Outcome {
    const tracked = this.entry(ns, { ...p, in: dev.name, out: null });
    const pre = this.runHook(ns, "PREROUTING", tracked.p, tracked.ct);
    if ("kind" in pre) return pre;
    const seg = l3sChild(this.world, ns, dev, pre.dst);
    if (!seg) return this.routeInput(ns, dev, pre, tracked.ct);
    this.hop(ns, "veth", seg.detail);
    const input = this.runHook(ns, "INPUT", pre, tracked.ct);
    if ("kind" in input) return input;
    return this.receive(seg.ns, seg.iface, { ...input, in: null, out: null, mark: 0, ctMark: 0 });
  }

  private acrossVeth(ns: Namespace, iface: Iface, p: Packet, nexthop: Addr): Outcome {
    if (iface.vxlan) return this.vxlanOut(ns, iface, p, nexthop);
    if (!iface.peer) return this.stop(ns, { kind: "unroutable", reason: `${iface.name} has no peer` });
    const peerNs = this.world.get(iface.peer.ns);
    const peer = peerNs.ifaces.get(iface.peer.iface)!;
    this.hop(ns, "veth", `${ns.name}/${iface.name} -> ${peerNs.name}/${peer.name}`);
    const child = fromWire(this.world, peerNs, peer, nexthop, p.dst);
    if (child?.kind === "child") return this.toChild(peerNs, child, p);
    if (child?.kind === "blocked") return this.stop(ns, { kind: "unroutable", reason: child.reason });
    if (hasL3sChildren(this.world, peerNs, peer)) return this.l3sIngress(peerNs, peer, p);
    if (peer.master) return this.bridgeIngress(peerNs, peer, p, nexthop);
    return this.receive(peerNs, peer, p);
  }

  private portFor(ns: Namespace, bridge: Iface, ip: Addr): Iface | undefined {
    return this.world.bridgePort(ns, bridge.name, ip);
  }

  private bridgeIngress(ns: Namespace, port: Iface, p: Packet, nexthop: Addr): Outcome {
    const bridge = ns.ifaces.get(port.master!)!;
    if (bridge.addrs.some((a) => a.ip === nexthop)) return this.receive(ns, bridge, { ...p, physIn: port.name });
    const outPort = this.portFor(ns, bridge, nexthop);
    if (!outPort) return this.stop(ns, { kind: "unroutable", reason: `no neighbour ${formatAddr(nexthop)} on ${bridge.name}` });
    if (!ns.bridgeNfCall) return this.bridgeOut(ns, port, outPort, p, nexthop);
    // br_netfilter: the bridged frame goes through iptables as if routed from bridge to bridge.
    let pkt: Packet = { ...p, in: bridge.name, out: null, physIn: port.name };
    const tracked = this.entry(ns, pkt);
    const pre = this.runHook(ns, "PREROUTING", tracked.p, tracked.ct);
    if ("kind" in pre) return pre;
    if (pre.dst !== p.dst) return this.routeInput(ns, bridge, pre, tracked.ct);
    pkt = { ...pre, out: bridge.name, physOut: outPort.name };
    const fwd = this.runHook(ns, "FORWARD", pkt, tracked.ct);
    if ("kind" in fwd) return fwd;
    const post = this.runHook(ns, "POSTROUTING", { ...fwd, in: null }, tracked.ct);
    if ("kind" in post) return post;
    return this.bridgeOut(ns, port, outPort, post, nexthop);
  }

  private bridgeOut(ns: Namespace, inPort: Iface, outPort: Iface, p: Packet, nexthop: Addr): Outcome {
    if (outPort === inPort && !inPort.hairpin)
      return this.stop(ns, { kind: "dropped", reason: `bridge: hairpin mode is off on ${inPort.name}, a frame is never sent back out its ingress port` });
    this.hop(ns, "bridge", `${inPort.master} bridges the frame from ${inPort.name} to ${outPort.name}`);
    return this.acrossVeth(ns, outPort, { ...p, in: null, out: null, physIn: null, physOut: null, mark: 0, ctMark: 0 }, nexthop);
  }

  /**
   * A packet sent through lo keeps its conntrack entry (loopback_xmit does not reset skb->_nfct):
   * back at PREROUTING it is not looked up again by its (possibly NATed) tuple.
   */
  private looped: { ns: Namespace; slot: CtSlot; p: Packet } | null = null;

  private receive(ns: Namespace, iface: Iface, p: Packet): Outcome {
    this.guard();
    const fromOutside = iface.kind !== "loopback";
    if (fromOutside && loopbackAddr(p.src) && (typeof p.src === "bigint" || !iface.routeLocalnet))
      return this.stop(ns, { kind: "dropped", reason: `martian source ${formatAddr(p.src)} on ${iface.name}` });
    const kept = !fromOutside && this.looped?.ns === ns ? this.looped : null;
    this.looped = null;
    const tracked = kept
      ? { p: { ...p, in: iface.name, out: null, ct: kept.p.ct, ctDir: kept.p.ctDir }, ct: { ref: kept.slot.ref, pending: false } }
      : this.entry(ns, { ...p, in: iface.name, out: null });
    const pre = this.runHook(ns, "PREROUTING", tracked.p, tracked.ct);
    if ("kind" in pre) return pre;
    const bridgedDnat = ns.bridgeNfCall && p.physIn !== null && p.physIn !== undefined && pre.dst !== tracked.p.dst;
    return this.routeInput(ns, iface, pre, tracked.ct, bridgedDnat);
  }

  /** rp_filter: input routing (fib_validate_source) drops a packet whose source does not route back. */
  private reversePath(ns: Namespace, iface: Iface, p: Packet): Outcome | null {
    if (iface.kind === "loopback") return null;
    const fails = ns.reversePathFails(p.src, iface.name);
    return fails ? this.stop(ns, { kind: "dropped", reason: fails }) : null;
  }

  private routeInput(ns: Namespace, iface: Iface, p: Packet, ct: CtSlot, bridgedDnat = false): Outcome {
    if (ns.isLocal(p.dst)) {
      if (iface.kind !== "loopback" && loopbackAddr(p.dst) && (typeof p.dst === "bigint" || !iface.routeLocalnet))
        return this.stop(ns, { kind: "dropped", reason: `martian destination ${formatAddr(p.dst)} on ${iface.name} (route_localnet=0)` });
      const spoofed = this.reversePath(ns, iface, p);
      if (spoofed) return spoofed;
      this.hop(ns, "route", `${addrText(p.dst)} is local: input`);
      const input = this.runHook(ns, "INPUT", p, ct);
      if ("kind" in input) return input;
      const tunnel = decapsulate(this.world, ns, input);
      if (tunnel) return this.vxlanIn(ns, tunnel);
      this.hop(ns, "deliver", `delivered to ${ns.name} ${formatAddr(input.dst)}${isIcmp(input.proto) ? "" : `:${input.dport}`}`);
      return { kind: "delivered", ns, packet: input };
    }
    if (typeof p.dst === "bigint" ? !ns.ip6Forward : !ns.ipForward)
      return this.stop(ns, { kind: "dropped", reason: typeof p.dst === "bigint" ? "net.ipv6.conf.all.forwarding=0: not a router" : "ip_forward=0: not a router" });
    const r = ns.route(p.dst);
    if (!r) return this.stop(ns, { kind: "unroutable", reason: `no route to ${formatAddr(p.dst)} in ${ns.name}` });
    const spoofed = this.reversePath(ns, iface, p);
    if (spoofed) return spoofed;
    this.hop(ns, "route", `forward ${addrText(p.dst)} via ${r.dev}${r.via ? ` gw ${addrText(r.via)}` : ""}`);
    // Routing decrements the TTL before FORWARD (ip_forward); bridging does not.
    const fwd = this.runHook(ns, "FORWARD", { ...p, out: r.dev, ttl: p.ttl - 1 }, ct);
    if ("kind" in fwd) return fwd;
    // br_netfilter's bridged_dnat: a frame DNATed back out of the bridge it came in on is bridged,
    // and br_nf_post_routing runs POSTROUTING with no input device (nft `iifname` sees "").
    const post = bridgedDnat && r.dev === iface.name ? { ...fwd, in: null } : fwd;
    return this.postrouting(ns, post, ct, { dev: r.dev, nexthop: r.via ?? p.dst });
  }
}
