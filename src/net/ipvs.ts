// IPVS as Docker swarm uses it in the ingress_sbox (and lb_ namespaces): one firewall-mark virtual
// service per published service, NAT ("masquerading") forwarding, round robin, and
// net.ipv4.vs.conntrack=1 so conntrack follows the rewritten connection.
//
// Kernel behaviour modelled (net/netfilter/ipvs):
// - ip_vs_in runs at LOCAL_IN with priority NF_IP_PRI_NAT_SRC - 1: after mangle, filter and security
//   INPUT, before nat INPUT. A packet whose mark is a virtual service's fwmark starts a connection:
//   the scheduler picks a real server, the destination is rewritten (a fwmark service keeps the
//   destination port), conntrack's reply tuple is altered (ip_vs_update_conntrack), and the packet
//   is sent on through LOCAL_OUT (OUTPUT) and POSTROUTING with skb->ipvs_property set (-m ipvs --ipvs).
// - ip_vs_out runs at FORWARD (priority 100, after filter FORWARD): a reply from a real server gets
//   the virtual address back as its source.
// - rr: destinations are kept newest first (list_add_rcu at the head of svc->destinations) and the
//   scheduler walks that list from where it stopped, starting at the head. Its position survives
//   between connections (flows), the connection table does not (each flow starts clean).
import type { Addr } from "./address.js";
import { formatAddr } from "./address.js";
import type { Packet, Proto } from "../netfilter/types.js";
import { withIpvsProperty } from "../netfilter/matches/ipvs.js";

export interface VirtualService {
  fwmark: number;
  /** Real servers in the kernel's list order: the last one added first. */
  dests: Addr[];
  /** Index of the destination the rr scheduler picked last; -1 = the list head. */
  last: number;
}

export interface IpvsConn {
  proto: Proto;
  client: { ip: Addr; port: number };
  vaddr: { ip: Addr; port: number };
  rs: { ip: Addr; port: number };
  fwmark: number;
}

export class IpvsTable {
  readonly services = new Map<number, VirtualService>();
  conns: IpvsConn[] = [];

  /** ipvsadm -A -f MARK -s rr */
  addService(fwmark: number): VirtualService {
    let s = this.services.get(fwmark);
    if (!s) this.services.set(fwmark, (s = { fwmark, dests: [], last: -1 }));
    return s;
  }

  /** ipvsadm -a -f MARK -r IP -m (weight 1): the kernel puts the new destination at the list head. */
  addDest(fwmark: number, ip: Addr): void {
    const s = this.addService(fwmark);
    if (!s.dests.includes(ip)) s.dests.unshift(ip);
  }

  /** ip_vs_rr_schedule: the destination after the last one picked, wrapping past the list head. */
  schedule(s: VirtualService): Addr | null {
    if (s.dests.length === 0) return null;
    s.last = (s.last + 1) % s.dests.length;
    return s.dests[s.last]!;
  }

  resetConnections(): void {
    this.conns = [];
  }
}

export interface IpvsVerdict {
  packet: Packet;
  conn: IpvsConn;
  /** The rule-like text shown in the trace step. */
  rule: string;
  verdict: string;
}

function describe(s: VirtualService): string {
  return `IPVS fwmark ${s.fwmark} (0x${s.fwmark.toString(16)}) rr, masquerade: ${s.dests.map((d) => formatAddr(d)).join(", ") || "no real server"}`;
}

// Conntrack entries whose reply tuple IPVS altered (ip_vs_update_conntrack). Unlike a DNAT
// binding, conntrack does not rewrite their original direction: later packets keep the virtual
// address through PREROUTING and IPVS rewrites them again at LOCAL_IN.
const altered = new WeakSet<object>();

export function markIpvsConntrack(conn: object): void {
  altered.add(conn);
}

export function isIpvsConntrack(conn: object): boolean {
  return altered.has(conn);
}

/**
 * ip_vs_in at LOCAL_IN, in the original direction: a packet of a known IPVS connection goes to its
 * real server again; a NEW one whose mark is a virtual service's fwmark is scheduled. Returns null
 * otherwise (the packet goes on to local delivery).
 */
export function ipvsIn(table: IpvsTable, p: Packet): IpvsVerdict | { dropped: string } | null {
  if (p.proto !== "tcp" && p.proto !== "udp" && p.proto !== "sctp") return null;
  const known = table.conns.find((c) => c.proto === p.proto && c.client.ip === p.src && c.client.port === p.sport && c.vaddr.ip === p.dst && c.vaddr.port === p.dport);
  if (known) {
    const packet = withIpvsProperty({ ...p, dst: known.rs.ip, dport: known.rs.port, in: null, out: null });
    return { packet, conn: known, rule: describe(table.services.get(known.fwmark)!), verdict: `IPVS → ${formatAddr(known.rs.ip)}:${known.rs.port} (existing connection)` };
  }
  if (p.ct !== "NEW") return null;
  const s = table.services.get(p.mark >>> 0);
  if (!s) return null;
  const rs = table.schedule(s);
  if (rs === null) return { dropped: `IPVS: fwmark ${s.fwmark} has no real server` };
  const conn: IpvsConn = {
    proto: p.proto, client: { ip: p.src, port: p.sport }, vaddr: { ip: p.dst, port: p.dport }, rs: { ip: rs, port: p.dport }, fwmark: s.fwmark,
  };
  table.conns.push(conn);
  const packet = withIpvsProperty({ ...p, dst: rs, in: null, out: null });
  return { packet, conn, rule: describe(s), verdict: `IPVS → ${formatAddr(rs)}:${p.dport}` };
}

/** ip_vs_out at FORWARD: a real server's reply to a client gets the virtual address as source. */
export function ipvsOut(table: IpvsTable, p: Packet): IpvsVerdict | null {
  const conn = table.conns.find((c) => c.proto === p.proto && c.rs.ip === p.src && c.rs.port === p.sport && c.client.ip === p.dst && c.client.port === p.dport);
  if (!conn) return null;
  const packet = withIpvsProperty({ ...p, src: conn.vaddr.ip, sport: conn.vaddr.port });
  const s = table.services.get(conn.fwmark)!;
  return { packet, conn, rule: describe(s), verdict: `IPVS reply ← ${formatAddr(conn.vaddr.ip)}:${conn.vaddr.port}` };
}
