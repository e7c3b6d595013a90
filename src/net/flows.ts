// A flow from the scenario ("external" -> "host:8543") becomes packets: the first packet of the
// connection, the answer back to the sender, and, when docker-proxy relays it, the proxy's own
// connection to the container.
import { formatAddr, isIPv4, isIPv6, parseIPv4, parseIPv6, type Addr } from "./address.js";
import type { Namespace, World } from "./topology.js";
import { Walker, viewOf, type Hop, type Outcome, type TraceStep } from "./walk.js";
import { isIcmp, TCP, type Packet, type Proto } from "../netfilter/types.js";
import type { Budget } from "../netfilter/evaluate.js";
import { isTcpReset, rejectAnswer } from "../netfilter/targets/reject.js";
import { impossible } from "../errors.js";
import type { FlowSpec } from "../scenario/schema.js";

export interface Endpoints {
  /** Namespace name of a container, or undefined. Containers in host mode map to "host". */
  containerNs(name: string): string | undefined;
  containerIp(name: string): Addr | undefined;
  hostIp: Addr;
  /** IPv6 addresses of a container (its first network) and of the host's first interface, if any. */
  containerIp6?(name: string): Addr | undefined;
  hostIp6?: Addr | undefined;
  /** Host ports Docker owns (docker-proxy or dockerd), per proto. */
  dockerOwns(port: number, proto: Proto): boolean;
  addExternal(ip: Addr): void;
}

export interface Trace {
  name: string;
  verdict: "delivered" | "dropped" | "rejected" | "unroutable";
  deliveredTo: { namespace: string; ip: string; port: number | null } | null;
  connects: boolean;
  reason?: string;
  /** Nothing in the model listened at the destination: the trace assumes an application does. */
  assumedListener?: true;
  /** Null when the first packet was not delivered (the contract); a REJECT's answer is rejectReply. */
  reply: { verdict: Trace["verdict"]; steps: TraceStep[]; hops: Hop[] } | null;
  /** The ICMP error or TCP reset a REJECT sent back, traced to the sender (rejected flows only). */
  rejectReply?: NonNullable<Trace["reply"]>;
  steps: TraceStep[];
  hops: Hop[];
}

interface Resolved {
  from: Namespace;
  srcIp: Addr;
  dst: Addr;
  dport: number;
  destNs: Namespace | undefined;
}

const CLIENT_PORT = 40000;
const PROXY_PORT = 50000;
/** The internet client of IPv6 flows "from": "external" (documentation prefix, RFC 3849). */
export const EXTERNAL_CLIENT6 = "2001:db8:100::7";

/** An address of either family from a flow endpoint ("[fd00::2]" or a bare IPv6 address too). */
function literal(text: string): Addr | null {
  const bare = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  // Cheap tests first: names such as "host" or "web" are the common case (ipaddr.js is slow to say no).
  if (bare.includes(":")) return isIPv6(bare) ? parseIPv6(bare) : null;
  return /^\d/.test(bare) && isIPv4(bare) ? parseIPv4(bare) : null;
}

function split(to: string): [string, number | null] {
  // "[fd00::2]:80", "[fd00::2]" and a bare "fd00::2" (no port) are IPv6.
  if (to.startsWith("[")) {
    const close = to.indexOf("]");
    if (close > 0 && to.length > close + 1 && to[close + 1] === ":") {
      const port = Number(to.slice(close + 2));
      return [to.slice(0, close + 1), Number.isInteger(port) && port >= 1 && port <= 65535 ? port : NaN];
    }
    return [to, null];
  }
  if (to.indexOf(":") !== to.lastIndexOf(":") && isIPv6(to)) return [to, null];
  const i = to.lastIndexOf(":");
  if (i < 0) return [to, null];
  const port = Number(to.slice(i + 1));
  return [to.slice(0, i), Number.isInteger(port) && port >= 1 && port <= 65535 ? port : NaN];
}

function resolve(world: World, ep: Endpoints, f: FlowSpec, at: string): Resolved {
  const [target, port] = split(f.to);
  const targetIp = target.includes(":") ? literal(target) : null; // only IPv6 literals matter here
  // "family": "ipv6" makes names (external, host, localhost, containers) stand for their IPv6 addresses.
  const v6 = typeof targetIp === "bigint" || f.family === "ipv6";
  if (f.family === "ipv4" && v6) throw impossible(`${at}/family`, `"${f.to}" is an IPv6 address but the flow's family is ipv4`);
  let from: Namespace;
  let srcIp: Addr = 0;
  if (f.from === "external") {
    from = world.get("external");
    srcIp = v6 ? parseIPv6(EXTERNAL_CLIENT6) : parseIPv4("198.51.100.7");
    if (v6) ep.addExternal(srcIp);
  } else if (f.from === "host") from = world.get("host");
  else if (ep.containerNs(f.from)) from = world.get(ep.containerNs(f.from)!);
  else if (literal(f.from) !== null) {
    srcIp = literal(f.from)!;
    const owner = world.owner(srcIp);
    if (!owner) ep.addExternal(srcIp);
    from = owner ?? world.get("external");
  } else throw impossible(`${at}/from`, `"${f.from}" is not "external", "host", a container or an IP address`);

  if (Number.isNaN(port)) throw impossible(`${at}/to`, `"${f.to}" has an invalid port`);
  if (f.proto !== "icmp" && port === null) throw impossible(`${at}/to`, `a ${f.proto} flow needs a port: "HOST:PORT"`);
  let dst: Addr;
  if (target === "host") dst = v6 ? named6(ep.hostIp6, `${at}/to`, "the host has no IPv6 address (host.interfaces[0].address6)") : ep.hostIp;
  else if (target === "localhost") dst = v6 ? parseIPv6("::1") : parseIPv4("127.0.0.1");
  else if (v6 && ep.containerNs(target)) dst = named6(ep.containerIp6?.(target), `${at}/to`, `container "${target}" has no IPv6 address (an IPv6 network: subnet6 / --ipv6)`);
  else if (ep.containerIp(target) !== undefined) dst = ep.containerIp(target)!;
  else if ((targetIp ?? literal(target)) !== null) dst = (targetIp ?? literal(target))!;
  else throw impossible(`${at}/to`, `"${target}" is not "host", "localhost", a container with an address or an IP address ("[fd00::2]:80" for IPv6)`);
  // An explicit family must match the literal addresses too (an IPv4 destination of an ipv6 flow).
  const wrongFamily = (ip: Addr) => (typeof ip === "bigint") !== (f.family === "ipv6");
  if (f.family !== undefined && (wrongFamily(dst) || (srcIp !== 0 && wrongFamily(srcIp))))
    throw impossible(`${at}/family`, `the flow's family is ${f.family} but "${wrongFamily(dst) ? target : f.from}" is an ${f.family === "ipv6" ? "IPv4" : "IPv6"} address`);
  if (typeof srcIp !== typeof dst && srcIp !== 0) throw impossible(`${at}/to`, `"${f.from}" and "${target}" are not of the same address family`);
  // "localhost" is the sender's own loopback: from outside the Docker host it is the client's own machine.
  if (target === "localhost" && from.kind === "external")
    throw impossible(`${at}/to`, `"localhost" is the sender's own loopback: from "${f.from}" (a machine outside the Docker host) it never reaches the host; use "host:${port ?? "PORT"}" for the host's address, or "from": "host" for the host's own localhost`);
  if (!world.owner(dst) && target !== "localhost" && !from.isLocal(dst)) ep.addExternal(dst);
  const destNs = target === "localhost" ? from : world.owner(dst) ?? (from.isLocal(dst) ? from : undefined);
  return { from, srcIp, dst, dport: port ?? 0, destNs };
}

function named6(ip: Addr | undefined, pointer: string, why: string): Addr {
  if (ip === undefined) throw impossible(pointer, why);
  return ip;
}

function firstPacket(flowProto: Proto, src: Addr, sport: number, dst: Addr, dport: number): Packet {
  const v6 = typeof dst === "bigint";
  // A "ping" to an IPv6 address is an ICMPv6 echo request (type 128).
  const proto: Proto = flowProto === "icmp" && v6 ? "icmpv6" : flowProto;
  const icmp = isIcmp(proto);
  return {
    src: v6 && src === 0 ? 0n : src, dst, proto, sport: icmp ? 0 : sport, dport: icmp ? 0 : dport,
    icmpType: icmp ? (v6 ? 128 : 8) : 0, icmpCode: 0, tcpFlags: proto === "tcp" ? TCP.SYN : 0,
    in: null, out: null, physIn: null, physOut: null, mark: 0, ct: "NEW", ctDir: "ORIGINAL",
    ctMark: 0, ttl: 64, length: lengthOf(proto, proto === "tcp" ? TCP.SYN : 0, icmp ? (v6 ? 128 : 8) : 8, v6), srcMac: null,
  };
}

/**
 * IP total length of the packets nfplay sends: a Linux SYN or SYN-ACK carries 20 bytes of TCP
 * options (MSS, SACK-permitted, timestamps, window scale), other TCP segments none; a UDP request
 * carries a 5-byte payload; ICMP is an echo with ping's 56 bytes, or an error quoting 28 bytes.
 */
function lengthOf(proto: Proto, tcpFlags: number, icmpType = 8, v6 = false): number {
  // IPv6: a 40-byte header instead of 20 (ip6tables' -m length counts it too).
  const extra = v6 ? 20 : 0;
  if (proto === "tcp") return extra + (tcpFlags & TCP.SYN ? 60 : 40);
  if (proto === "udp") return extra + 33;
  if (proto === "icmp") return icmpType === 8 || icmpType === 0 ? 84 : 56;
  if (proto === "icmpv6") return icmpType === 128 || icmpType === 129 ? 104 : 96;
  return extra + 20;
}

function answer(p: Packet, listening: boolean): Packet {
  const base = {
    ...p, src: p.dst, dst: p.src, sport: p.dport, dport: p.sport, in: null, out: null, physIn: null, physOut: null,
    // A new skb: no packet mark (the kernel never copies skb->mark to the answer) and no
    // connection mark of its own (the walk must load the connection's).
    mark: 0, ctMark: 0, ttl: 64, srcMac: null,
  };
  const v6 = typeof p.dst === "bigint";
  if (p.proto === "tcp") {
    const tcpFlags = listening ? TCP.SYN | TCP.ACK : TCP.RST | TCP.ACK;
    return { ...base, tcpFlags, length: lengthOf("tcp", tcpFlags, 8, v6) };
  }
  if (p.proto === "icmp") return { ...base, icmpType: 0, length: lengthOf("icmp", 0, 0) };
  if (p.proto === "icmpv6") return { ...base, icmpType: 129, length: lengthOf("icmpv6", 0, 129, true) };
  if (listening) return { ...base, length: lengthOf("udp", 0, 8, v6) };
  // Closed UDP port: the kernel answers with ICMP port unreachable.
  const inner = { proto: p.proto, src: p.src, dst: p.dst, sport: p.sport, dport: p.dport };
  if (v6) return { ...base, proto: "icmpv6", sport: 0, dport: 0, icmpType: 1, icmpCode: 4, tcpFlags: 0, length: 40 + 8 + p.length, inner };
  return { ...base, proto: "icmp", sport: 0, dport: 0, icmpType: 3, icmpCode: 3, tcpFlags: 0, length: 20 + 8 + p.length, inner };
}

function verdictOf(o: Outcome): Trace["verdict"] {
  return o.kind;
}

function reasonOf(o: Outcome): string | undefined {
  if (o.kind === "dropped") return o.reason;
  if (o.kind === "rejected") return `rejected with ${o.with}`;
  if (o.kind === "unroutable") return o.reason;
  return undefined;
}

export function traceFlow(world: World, ep: Endpoints, f: FlowSpec, index: number, budget: Budget): Trace {
  const at = `/flows/${index}`;
  const r = resolve(world, ep, f, at);
  const extraSocket = listenForFlow(r, ep, f.proto);
  const walkers: Walker[] = [];
  const newWalker = () => {
    const w = new Walker(world, budget);
    walkers.push(w);
    return w;
  };
  const walker = newWalker();
  const replyWalker = newWalker();
  const established = f.state === "established";
  try {
    const syn = firstPacket(f.proto, r.srcIp, CLIENT_PORT + index, r.dst, r.dport);
    const pkt = established ? handshake(newWalker, r.from, syn) : syn;
    const first = walker.send(r.from, pkt);
    const trace: Trace = {
      name: f.name ?? `${f.from} -> ${f.to}/${f.proto}`,
      verdict: verdictOf(first), deliveredTo: null, connects: false, reason: reasonOf(first),
      reply: null, steps: walker.steps, hops: walker.hops,
    };
    if (first.kind === "rejected") {
      const answer = rejectReply(replyWalker, first);
      if (answer) trace.rejectReply = answer;
    }
    if (first.kind !== "delivered") return trace;
    const socket = f.proto === "icmp" ? null : first.ns.socketFor(first.packet.dst, first.packet.dport, f.proto);
    const listening = f.proto === "icmp" || socket !== undefined;
    trace.deliveredTo = { namespace: first.ns.name, ip: formatAddr(first.packet.dst), port: f.proto === "icmp" ? null : first.packet.dport };
    if (socket && socket === extraSocket) trace.assumedListener = true;
    const back = replyWalker.send(first.ns, answer(first.packet, listening));
    const backHome = back.kind === "delivered" && back.ns === r.from;
    trace.reply = { verdict: verdictOf(back), steps: replyWalker.steps, hops: replyWalker.hops };
    trace.connects = listening && backHome && (f.proto !== "udp" || socket !== undefined);
    // TCP connects only when the client's ACK, the handshake's third packet, gets through too.
    if (trace.connects && f.proto === "tcp") trace.connects = ackArrives(newWalker(), r.from, pkt, first.ns);
    // docker-proxy dials the container only once it has accepted the client's connection.
    if (socket?.relay && trace.connects) relay(trace, walker, first.ns, socket.relay, f.proto, index, established ? newWalker : null);
    return trace;
  } finally {
    // Each flow starts from empty conntrack tables, like the oracle's `conntrack -F`.
    for (const w of walkers) for (const ns of w.touched) ns.resetConntrack();
    if (extraSocket) r.destNs?.close(extraSocket);
  }
}

/**
 * REJECT's answer (ICMP error or TCP reset), sent by the rejecting namespace back to the sender:
 * the reply the client gets instead of a SYN-ACK (it makes `connect` fail with ECONNREFUSED).
 */
function rejectReply(w: Walker, o: Extract<Outcome, { kind: "rejected" }>): Trace["reply"] {
  if (!o.ns || !o.packet) return null;
  const answer = rejectAnswer(o.packet, o.with, o.ns.isLocal(o.packet.dst));
  if (!answer) return null;
  const back = w.send(o.ns, answer, isTcpReset(o.with) && o.conn ? o.conn : undefined);
  return { verdict: verdictOf(back), steps: w.steps, hops: w.hops };
}

/** The contract's listener at the flow's destination port (unless Docker owns it on the host). */
function listenForFlow(r: Resolved, ep: Endpoints, proto: Proto) {
  const ns = r.destNs;
  if (!ns || proto === "icmp" || ns.socketFor(r.dst, r.dport, proto)) return null;
  if (ns.kind === "host" && ep.dockerOwns(r.dport, proto)) return null;
  const s = { ip: 0, port: r.dport, proto, owner: "app", relay: null };
  ns.listen(s);
  return s;
}

/**
 * For a flow with "state": "established": open the connection first, untraced (first packet and
 * its answer), so conntrack holds it as on a live host; returns the next packet to trace.
 */
function handshake(newWalker: () => Walker, from: Namespace, syn: Packet): Packet {
  const opened = newWalker().send(from, syn);
  if (opened.kind === "delivered") newWalker().send(opened.ns, answer(opened.packet, true));
  if (syn.proto !== "tcp") return syn;
  return { ...syn, src: syn.src || (from.sourceFor(syn.dst) ?? 0), tcpFlags: TCP.ACK, length: 52 };
}

function ackArrives(w: Walker, from: Namespace, sent: Packet, server: Namespace): boolean {
  const ack = { ...sent, src: sent.src || (from.sourceFor(sent.dst) ?? 0), tcpFlags: TCP.ACK, length: 52 };
  const o = w.send(from, ack);
  return o.kind === "delivered" && o.ns === server;
}

/** docker-proxy accepted the connection; its own connection to the container continues the trace. */
function relay(
  trace: Trace, walker: Walker, ns: Namespace, to: { ip: Addr; port: number }, proto: Proto, index: number,
  establishedWith: (() => Walker) | null,
): void {
  walker.hops.push({ namespace: ns.name, event: "proxy", detail: `docker-proxy relays to ${typeof to.ip === "bigint" ? `[${formatAddr(to.ip)}]` : formatAddr(to.ip)}:${to.port}` });
  const syn = firstPacket(proto, 0, PROXY_PORT + index, to.ip, to.port);
  const leg = walker.send(ns, establishedWith ? handshake(establishedWith, ns, syn) : syn);
  trace.verdict = verdictOf(leg);
  trace.reason = reasonOf(leg);
  // docker-proxy closes the client's connection when it cannot reach the container.
  trace.connects = trace.connects && leg.kind === "delivered";
  trace.deliveredTo = leg.kind === "delivered"
    ? { namespace: leg.ns.name, ip: formatAddr(leg.packet.dst), port: proto === "icmp" ? null : leg.packet.dport }
    : null;
}

export { viewOf };
