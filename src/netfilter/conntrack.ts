// Connection tracking for one namespace: the original/reply tuples of each connection and the
// NAT bindings decided on its first packet (nf_conntrack + nf_nat in miniature).
import type { Addr } from "../net/address.js";
import { isIcmp, TCP, type CtState, type CtTuple, type Hook, type Packet } from "./types.js";

export interface Connection {
  orig: CtTuple;
  reply: CtTuple;
  /** NAT manip types already decided (null binding included), as nf_nat_initialized(). */
  natDone: { dst: boolean; src: boolean };
  seenReply: boolean;
  /** The connection mark (CONNMARK, -m connmark). */
  mark: number;
}

function same(a: CtTuple, p: Packet): boolean {
  return a.proto === p.proto && a.src === p.src && a.dst === p.dst && a.sport === p.sport && a.dport === p.dport;
}

function sameTuple(a: CtTuple, b: CtTuple): boolean {
  return a.proto === b.proto && a.src === b.src && a.dst === b.dst && a.sport === b.sport && a.dport === b.dport;
}

function tupleOf(p: Packet): CtTuple {
  return { proto: p.proto, src: p.src, dst: p.dst, sport: p.sport, dport: p.dport };
}

// ICMP types that may start a connection: echo, timestamp, info and address-mask requests.
const ICMP_REQUESTS = new Set([8, 13, 15, 17]);
// ICMPv6: echo request and node information query (nf_conntrack_proto_icmpv6's valid_new).
const ICMPV6_REQUESTS = new Set([128, 139]);

/**
 * Whether a packet with no connection may start one (nf_conntrack_proto_tcp's state table with
 * nf_conntrack_tcp_loose=1: a SYN, or a plain ACK picked up mid-stream; never a SYN-ACK, RST or
 * FIN). ICMP errors and replies never do.
 */
function opensConnection(p: Packet): boolean {
  if (p.proto === "icmp") return ICMP_REQUESTS.has(p.icmpType);
  if (p.proto === "icmpv6") return ICMPV6_REQUESTS.has(p.icmpType);
  if (p.proto !== "tcp") return true;
  const f = p.tcpFlags;
  if (f & (TCP.RST | TCP.FIN)) return false;
  if (f & TCP.SYN) return !(f & TCP.ACK);
  return (f & TCP.ACK) !== 0;
}

export function invert(t: CtTuple): CtTuple {
  return { proto: t.proto, src: t.dst, dst: t.src, sport: t.dport, dport: t.sport };
}

export class Conntrack {
  private conns: Connection[] = [];

  /**
   * Find or create the connection of p; returns it with p's direction and conntrack state, or
   * INVALID without a connection for a packet that cannot open one.
   */
  track(p: Packet): { conn: Connection; dir: "ORIGINAL" | "REPLY"; state: CtState } | { conn: null; state: "INVALID" } {
    if (p.inner) return this.related(p.inner);
    for (const conn of this.conns) {
      if (same(conn.orig, p)) return { conn, dir: "ORIGINAL", state: conn.seenReply ? "ESTABLISHED" : "NEW" };
      if (same(conn.reply, p)) {
        conn.seenReply = true;
        return { conn, dir: "REPLY", state: "ESTABLISHED" };
      }
    }
    if (!opensConnection(p)) return { conn: null, state: "INVALID" };
    const orig = tupleOf(p);
    const conn: Connection = { orig, reply: invert(orig), natDone: { dst: false, src: false }, seenReply: false, mark: 0 };
    this.conns.push(conn);
    return { conn, dir: "ORIGINAL", state: "NEW" };
  }

  /** An ICMP error is RELATED to the connection of the packet it quotes (icmp_error_message). */
  private related(inner: CtTuple): { conn: Connection; dir: "ORIGINAL" | "REPLY"; state: CtState } | { conn: null; state: "INVALID" } {
    const quoted = invert(inner);
    for (const conn of this.conns) {
      if (sameTuple(conn.reply, quoted)) return { conn, dir: "REPLY", state: "RELATED" };
      if (sameTuple(conn.orig, quoted)) return { conn, dir: "ORIGINAL", state: "RELATED" };
    }
    return { conn: null, state: "INVALID" };
  }

  /** Record a NAT binding: the reply tuple changes so replies can be un-NATed. */
  bind(conn: Connection, kind: "DNAT" | "SNAT", ip: Addr, port: number | null): void {
    if (kind === "DNAT") conn.reply = { ...conn.reply, src: ip, sport: port ?? conn.reply.sport };
    else conn.reply = { ...conn.reply, dst: ip, dport: port ?? conn.reply.dport };
  }

  size(): number {
    return this.conns.length;
  }
}

/** Which NAT manip a hook performs: destination before routing, source after. */
export function manipOf(hook: Hook): "dst" | "src" | null {
  if (hook === "PREROUTING" || hook === "OUTPUT") return "dst";
  if (hook === "POSTROUTING" || hook === "INPUT") return "src";
  return null;
}

/**
 * Rewrite p to what the connection's NAT bindings say for this manip, in either direction:
 * the packet becomes the inverse of the other direction's tuple (nf_nat_packet).
 */
export function applyNat(conn: Connection, dir: "ORIGINAL" | "REPLY", manip: "dst" | "src", p: Packet): Packet {
  const target = invert(dir === "ORIGINAL" ? conn.reply : conn.orig);
  // An ICMP error's quoted header is NATed along with it, so later hops can still relate it.
  if (p.inner) p = { ...p, inner: dir === "REPLY" ? conn.orig : conn.reply };
  if (manip === "dst") {
    if (p.dst === target.dst && p.dport === target.dport) return p;
    return { ...p, dst: target.dst, dport: isIcmp(p.proto) ? p.dport : target.dport };
  }
  if (p.src === target.src && p.sport === target.sport) return p;
  return { ...p, src: target.src, sport: isIcmp(p.proto) ? p.sport : target.sport };
}
