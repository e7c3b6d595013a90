// The answer REJECT sends (nf_reject_ipv4.c / nf_reject_ipv6.c): an ICMP(v6) destination
// unreachable quoting the refused packet, or for --reject-with tcp-reset a TCP RST from the
// address and port the packet was sent to. The kernel sends it from the rejecting namespace
// through OUTPUT and POSTROUTING, RELATED to the refused packet's connection.
import { TCP, type Packet } from "../types.js";

// ICMP destination-unreachable codes (type 3) and ICMPv6 ones (type 1), by --reject-with name.
const ICMP_CODES: Record<string, number> = {
  "icmp-net-unreachable": 0, "icmp-host-unreachable": 1, "icmp-proto-unreachable": 2, "icmp-port-unreachable": 3,
  "icmp-net-prohibited": 9, "icmp-host-prohibited": 10, "icmp-admin-prohibited": 13,
};
const ICMP6_CODES: Record<string, number> = {
  "icmp6-no-route": 0, "icmp6-adm-prohibited": 1, "icmp6-addr-unreachable": 3, "icmp6-port-unreachable": 4,
  "icmp6-policy-fail": 5, "icmp6-reject-route": 6,
};

/** A fresh skb: no marks, no devices, TTL 64 (the answer is a new packet). */
const FRESH = { in: null, out: null, physIn: null, physOut: null, mark: 0, ctMark: 0, ttl: 64, srcMac: null, ct: "NEW", ctDir: "ORIGINAL" } as const;

export function isTcpReset(type: string): boolean {
  return type === "tcp-reset";
}

/**
 * The answer to p, refused with `type`. An ICMP error's source is left to routing (0) unless p
 * was addressed to this namespace (`local`): icmp_send answers from the address p was sent to.
 */
export function rejectAnswer(p: Packet, type: string, local: boolean): Packet | null {
  const v6 = typeof p.dst === "bigint";
  if (isTcpReset(type)) {
    // nf_send_reset never answers a reset; a segment without ACK gets RST+ACK, one with ACK a bare RST.
    if (p.proto !== "tcp" || p.tcpFlags & TCP.RST) return null;
    const tcpFlags = p.tcpFlags & TCP.ACK ? TCP.RST : TCP.RST | TCP.ACK;
    return {
      ...p, ...FRESH, src: p.dst, dst: p.src, sport: p.dport, dport: p.sport, tcpFlags, length: v6 ? 60 : 40, inner: undefined,
    };
  }
  // An ICMP error is never sent about an ICMP error (icmp_send's own check).
  if ((p.proto === "icmp" && ![0, 8, 13, 14, 15, 16, 17, 18].includes(p.icmpType)) || (p.proto === "icmpv6" && p.icmpType < 128)) return null;
  const inner = { proto: p.proto, src: p.src, dst: p.dst, sport: p.sport, dport: p.dport };
  const src = local ? p.dst : v6 ? 0n : 0;
  if (v6) {
    // The quoted packet is cut so the error fits in the IPv6 minimum MTU (1280).
    const length = Math.min(1280, 40 + 8 + p.length);
    return { ...p, ...FRESH, src, dst: p.src, proto: "icmpv6", sport: 0, dport: 0, icmpType: 1, icmpCode: ICMP6_CODES[type] ?? 4, tcpFlags: 0, length, inner };
  }
  // IPv4 quotes at most what fits in 576 bytes.
  const length = Math.min(576, 20 + 8 + p.length);
  return { ...p, ...FRESH, src, dst: p.src, proto: "icmp", sport: 0, dport: 0, icmpType: 3, icmpCode: ICMP_CODES[type] ?? 3, tcpFlags: 0, length, inner };
}
