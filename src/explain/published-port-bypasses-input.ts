// A port published on all addresses is DNATed in nat PREROUTING and then forwarded to the
// container (filter FORWARD): the host's filter INPUT chain (ufw, firewalld, a DROP policy) never
// sees the packet. Docker docs, "Packet filtering and firewalls" / "Docker and ufw".
import { inputVerdict, passedHook, probeFlow } from "./probe.js";
import { publishedPorts } from "./ports.js";
import type { ExplainContext, Warning } from "./types.js";

export const CODE = "published-port-bypasses-input";

export function publishedPortBypassesInput(ctx: ExplainContext): Warning[] {
  const hostIp = ctx.docker.interfaces[0]?.address.split("/")[0];
  if (!hostIp) return [];
  // An empty filter INPUT chain with an ACCEPT policy accepts every port: no probe can matter.
  const input = ctx.world.get("host").ruleset?.baseChain("filter", "INPUT");
  if (!input || (input.rules.length === 0 && (input.policy ?? "ACCEPT") === "ACCEPT")) return [];
  const out: Warning[] = [];
  for (const p of publishedPorts(ctx.docker.containers)) {
    const b = p.binding;
    // IPv4 only: the probe and the INPUT check use the host's IPv4 address.
    if (b.hostIp !== "0.0.0.0" || (b.proto !== "tcp" && b.proto !== "udp")) continue;
    // Would INPUT refuse this port? Only then is its being bypassed a surprise.
    const input = inputVerdict(ctx, hostIp, b.hostPort, b.proto);
    if (!input || input.verdict === "ACCEPT") continue;
    const probe = probeFlow(ctx, "external", `host:${b.hostPort}`, b.proto);
    if (!probe) continue;
    const t = probe.trace;
    if (t.verdict !== "delivered" || t.deliveredTo?.namespace !== p.container.name || passedHook(t, "host", "INPUT")) continue;
    const inputRule = input.hit?.rule ?? "-P INPUT DROP";
    const forward = t.steps.filter((s) => s.namespace === "host" && s.hook === "FORWARD").at(-1);
    out.push({
      code: CODE,
      message:
        `Port ${b.hostPort}/${b.proto} of ${p.container.name} is published on all addresses: packets to it are DNATed in nat PREROUTING and ` +
        `forwarded to the container (filter FORWARD), so the host's INPUT firewall, which would ${input.verdict === "REJECT" ? "reject" : "drop"} them ` +
        `(${inputRule}), never sees them. Filter in DOCKER-USER, or publish on a specific address (-p 127.0.0.1:${b.hostPort}:${b.containerPort}).`,
      refs: [
        { container: p.container.name, port: p.label, flow: probe.name },
        { namespace: "host", rule: inputRule },
        ...(forward ? [{ namespace: "host", rule: forward.rule }] : []),
      ],
    });
  }
  return out;
}
