// When dockerd turns IP forwarding on itself, it also sets the filter FORWARD policy to DROP
// (Docker docs, "Packet filtering and firewalls"): the host keeps forwarding Docker's traffic,
// which its own rules accept, and drops everything else it used to route (a VPN, a VM bridge,
// a LAN it is the gateway of). The probe: a neighbour on another interface routing through this
// host to the internet.
import { fromNeighbour } from "./probe.js";
import type { ExplainContext, Warning } from "./types.js";

export const CODE = "forward-policy-drop";

export function forwardPolicyDrop(ctx: ExplainContext): Warning[] {
  const set = ctx.docker.commands.find((c) => / -P FORWARD DROP$/.test(c) && c.startsWith("iptables "));
  if (ctx.hostPasted || !set) return [];
  // Only a host with a second interface routes anybody else's traffic; the neighbour sits on the
  // last one (on a router, the LAN side) and sends to the internet behind the first.
  if (ctx.docker.interfaces.length < 2) return [];
  const lan = ctx.docker.interfaces[ctx.docker.interfaces.length - 1]!;
  const probe = fromNeighbour(ctx, lan, "198.51.100.7", 443, "tcp");
  const last = probe?.steps[probe.steps.length - 1];
  if (!probe || probe.outcome.kind !== "dropped" || !last || last.hook !== "FORWARD" || last.ruleNumber !== null) return [];
  return [{
    code: CODE,
    message:
      `dockerd enabled IP forwarding and set the FORWARD policy to DROP: traffic this host forwards for others (a VPN, virtual machines, ` +
      `a LAN it routes for) is now dropped unless a rule accepts it. Accept it in DOCKER-USER, or set net.ipv4.ip_forward=1 before dockerd starts` +
      `${["C", "D", "E"].includes(ctx.docker.version.dialect) ? " (or run dockerd --ip-forward-no-drop)" : ""}.`,
    refs: [{ namespace: "host", rule: last.rule, flow: probe.name }],
  }];
}
