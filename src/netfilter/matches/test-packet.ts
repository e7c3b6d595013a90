// Test helper: a packet and a match context, for the unit tests beside the matches and targets.
import { parseIPv4 } from "../../net/address.js";
import { parseRule } from "../rule.js";
import { TCP, type AddrType, type Hook, type MatchContext, type Packet, type TargetEffect } from "../types.js";

export function packet(p: Partial<Omit<Packet, "src" | "dst">> & { src?: string; dst?: string } = {}): Packet {
  const { src, dst, ...rest } = p;
  return {
    src: parseIPv4(src ?? "198.51.100.7"), dst: parseIPv4(dst ?? "203.0.113.10"), proto: "tcp", sport: 40000, dport: 80,
    icmpType: 0, icmpCode: 0, tcpFlags: TCP.SYN, in: "eth0", out: null, physIn: null, physOut: null, mark: 0,
    ct: "NEW", ctDir: "ORIGINAL", ctMark: 0, ttl: 64, length: 60, srcMac: null, ...rest,
  };
}

export function context(p: Packet, hook: Hook = "INPUT", addrType: (ip: number) => AddrType = () => "UNICAST"): MatchContext {
  return {
    packet: p, hook, ctOrig: null, ctReply: null,
    ns: { addrType, sourceAddrFor: () => null, primaryAddr: () => null },
  };
}

/** Does the rule (argv text, no quoting) match the packet? */
export function matches(rule: string, p: Packet, hook: Hook = "INPUT"): boolean {
  const r = parseRule(rule.split(" "));
  return r.matches.every((m) => m.module.match(m.opts, context(p, hook)));
}

/** Apply the rule's target module to the packet. */
export function applyTarget(rule: string, p: Packet, hook: Hook = "PREROUTING"): TargetEffect {
  const r = parseRule(rule.split(" "));
  if (!("module" in r.target)) throw new Error("not a target module");
  return r.target.module.apply(r.target.opts, context(p, hook));
}
