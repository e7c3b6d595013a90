// Hidden probes: packets the explain modules send through the same engine as the user's flows,
// to prove a pitfall on this host's model and rules. They never appear in the result's traces:
// each one starts from empty conntrack tables and leaves the world as it found it.
import { EngineError } from "../errors.js";
import { formatIPv4, inCidr, LOOPBACK_NET, parseCidr, parseIPv4, broadcastOf, type Addr } from "../net/address.js";
import { traceFlow, type Trace } from "../net/flows.js";
import { Namespace } from "../net/topology.js";
import { Walker, type Outcome, type TraceStep } from "../net/walk.js";
import { runTable, type RuleHit } from "../netfilter/evaluate.js";
import { TCP, type Packet, type Proto } from "../netfilter/types.js";
import type { ExplainContext } from "./types.js";

// Client ports of hidden flows start far above the user's (40000 + flow index).
const PROBE_INDEX = 9000;

export interface Probe {
  name: string;
  trace: Trace;
}

/** A flow through the engine, as if the user had asked for it; null when it cannot be expressed here. */
export function probeFlow(ctx: ExplainContext, from: string, to: string, proto: Proto = "tcp"): Probe | null {
  const name = `${from} -> ${to}/${proto}`;
  try {
    const trace = traceFlow(ctx.world, ctx.endpoints, { name, from, to, proto: proto as "tcp" }, PROBE_INDEX + (ctx.seq.n++ % 1000), ctx.budget);
    return { name, trace };
  } catch (e) {
    if (e instanceof EngineError) return null;
    throw e;
  }
}

/** The deciding rule of a probe that stopped: its last step (a rule or a policy). */
export function decidingStep(t: Trace): TraceStep | undefined {
  return t.steps[t.steps.length - 1];
}

export function passedHook(t: Trace, namespace: string, hook: string): boolean {
  return t.steps.some((s) => s.namespace === namespace && s.hook === hook);
}

/**
 * A machine on the LAN of a host interface that hands the host crafted packets (moby#41872:
 * `packit -d 127.0.0.1 -E <host MAC>`): unlike a normal stack, 127.0.0.0/8 is not local to it,
 * so a packet to 127.0.0.1 leaves through its link with the host as next hop.
 */
class Neighbour extends Namespace {
  override isLocal(ip: Addr): boolean {
    if (typeof ip === "number" && inCidr(ip, LOOPBACK_NET)) return [...this.ifaces.values()].some((i) => i.kind !== "loopback" && i.addrs.some((a) => a.ip === ip));
    return super.isLocal(ip);
  }
}

/** The first packet of a connection from a LAN neighbour (on host interface `uplink`) to dst:dport. */
export function fromNeighbour(ctx: ExplainContext, uplink: { name: string; address: string }, dst: string, dport: number, proto: Proto): { name: string; outcome: Outcome; steps: TraceStep[] } | null {
  const host = ctx.world.get("host");
  const iface = host.ifaces.get(uplink.name);
  const net = parseCidr(uplink.address);
  const hostIp = parseIPv4(uplink.address.split("/")[0]!);
  if (!iface || net.prefix >= 31) return null;
  let src = broadcastOf(net) - 1;
  while (src > net.addr && (ctx.world.owner(src) || src === hostIp)) src--;
  if (src <= net.addr) return null;
  const name = `LAN neighbour ${formatIPv4(src)} on ${uplink.name} -> ${dst}:${dport}/${proto}`;
  const lan = new Neighbour("lan-neighbour (probe)", "external");
  lan.addIface({ name: "eth0", kind: "veth", mac: "02:42:cb:00:71:fe", addrs: [{ ip: src, net }], peer: { ns: "host", iface: uplink.name } });
  lan.routes.push({ dst: net, dev: "eth0", via: null, src }, { dst: parseCidr("0.0.0.0/0"), dev: "eth0", via: hostIp, src });
  ctx.world.add(lan);
  const walker = new Walker(ctx.world, ctx.budget);
  try {
    const packet: Packet = {
      src, dst: parseIPv4(dst), proto, sport: 41000, dport, icmpType: 0, icmpCode: 0, tcpFlags: proto === "tcp" ? TCP.SYN : 0,
      in: null, out: null, physIn: null, physOut: null, mark: 0, ct: "NEW", ctDir: "ORIGINAL", ctMark: 0, ttl: 64,
      length: proto === "tcp" ? 60 : 33, srcMac: null,
    };
    return { name, outcome: walker.send(lan, packet), steps: walker.steps };
  } finally {
    for (const ns of walker.touched) ns.resetConntrack();
    ctx.world.namespaces.delete(lan.name);
    ctx.world.changed();
  }
}

/**
 * What the host's filter INPUT chain would do with the first packet of a connection from the
 * internet to hostIp:port, had it been delivered locally: the verdict and the deciding rule.
 * null when the host has no filter INPUT chain (nothing filters input).
 */
export function inputVerdict(ctx: ExplainContext, hostIp: string, port: number, proto: Proto): { verdict: string; hit: RuleHit | undefined } | null {
  const host = ctx.world.get("host");
  const rs = host.ruleset;
  const base = rs?.baseChain("filter", "INPUT");
  if (!rs || !base) return null;
  const uplink = ctx.docker.interfaces[0];
  const ext = ctx.world.namespaces.get("external")?.ifaces.get("up0");
  const packet: Packet = {
    src: parseIPv4("198.51.100.7"), dst: parseIPv4(hostIp), proto, sport: 41000, dport: port, icmpType: 0, icmpCode: 0,
    tcpFlags: proto === "tcp" ? TCP.SYN : 0, in: uplink?.name ?? "eth0", out: null, physIn: null, physOut: null, mark: 0,
    ct: rs.needsConntrack() ? "NEW" : "UNTRACKED", ctDir: "ORIGINAL", ctMark: 0, ttl: 64, length: proto === "tcp" ? 60 : 33, srcMac: ext?.mac ?? null,
  };
  const tuple = { src: packet.src, dst: packet.dst, sport: packet.sport, dport: packet.dport, proto };
  const res = runTable(rs, "filter", "INPUT", base, { packet, ns: host, ctOrig: tuple, ctReply: { ...tuple, src: tuple.dst, dst: tuple.src, sport: tuple.dport, dport: tuple.sport } }, ctx.budget);
  return { verdict: res.verdict, hit: res.hits[res.hits.length - 1] };
}
