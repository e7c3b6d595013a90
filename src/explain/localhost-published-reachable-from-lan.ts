// A port published on 127.0.0.1 is DNATed in nat PREROUTING by a rule that matches the
// destination address only, before routing could call a packet to 127.0.0.1 from the wire a
// martian: a LAN neighbour that sends a crafted packet to 127.0.0.1 with the host's MAC reaches
// the container (moby#41872, moby#45610). Docker 28 drops such packets in raw PREROUTING
// (`-d 127.0.0.1/32 ! -i lo -j DROP`). The probe sends that packet through this host's rules.
import { inCidr, LOOPBACK_NET, parseIPv4 } from "../net/address.js";
import { fromNeighbour } from "./probe.js";
import { publishedPorts } from "./ports.js";
import type { ExplainContext, Warning } from "./types.js";

export const CODE = "localhost-published-reachable-from-lan";

export function localhostPublishedReachableFromLan(ctx: ExplainContext): Warning[] {
  const uplink = ctx.docker.interfaces[0];
  if (!uplink) return [];
  const out: Warning[] = [];
  for (const p of publishedPorts(ctx.docker.containers)) {
    const b = p.binding;
    if (b.hostIp === "0.0.0.0" || b.hostIp.includes(":") || !inCidr(parseIPv4(b.hostIp), LOOPBACK_NET) || (b.proto !== "tcp" && b.proto !== "udp")) continue;
    const probe = fromNeighbour(ctx, uplink, b.hostIp, b.hostPort, b.proto);
    if (!probe || probe.outcome.kind !== "delivered" || probe.outcome.ns.name !== p.container.name) continue;
    const dnat = probe.steps.find((s) => s.namespace === "host" && s.verdict === "DNAT");
    out.push({
      code: CODE,
      message:
        `Port ${b.hostPort}/${b.proto} of ${p.container.name} is published on ${b.hostIp} only, yet a machine on ${uplink.name}'s network reaches it: ` +
        `a packet to ${b.hostIp}:${b.hostPort} sent to this host's MAC address is DNATed to the container in nat PREROUTING before routing could drop it ` +
        `as a martian, and then forwarded. Docker 28 and later drop such packets in raw PREROUTING.`,
      refs: [
        { container: p.container.name, port: p.label, flow: probe.name },
        ...(dnat ? [{ namespace: "host", rule: dnat.rule }] : []),
      ],
    });
  }
  return out;
}
