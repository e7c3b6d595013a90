// enable_icc=false (--icc=false for docker0) drops traffic between containers of one bridge in
// filter FORWARD, but a container still reaches another one's published port through the host's
// address: docker-proxy relays it, or (userland proxy off) hairpin NAT sends it back into the
// bridge. Two hidden probes: container -> container directly, and container -> host:port.
import type { DockerContainer, DockerNetwork } from "../docker/model.js";
import { decidingStep, probeFlow } from "./probe.js";
import type { ExplainContext, Warning } from "./types.js";

export const CODE = "icc-off-same-network";

const onNet = (c: DockerContainer, net: DockerNetwork) => c.mode === "bridge" && c.endpoints.some((e) => e.network === net);

export function iccOffSameNetwork(ctx: ExplainContext): Warning[] {
  const out: Warning[] = [];
  for (const net of ctx.docker.networks) {
    if (net.driver !== "bridge" || net.icc) continue;
    const members = ctx.docker.containers.filter((c) => onNet(c, net));
    const server = members.find((c) => c.ports.some((b) => b.hostPort !== 0 && b.proto === "tcp"));
    const client = members.find((c) => c !== server);
    if (!server || !client) continue;
    const b = server.ports.find((x) => x.hostPort !== 0 && x.proto === "tcp")!;
    const direct = probeFlow(ctx, client.name, `${server.name}:${b.containerPort}`);
    if (!direct || direct.trace.verdict === "delivered") continue; // icc=false did not stop it: nothing surprising
    const viaHost = probeFlow(ctx, client.name, `host:${b.hostPort}`);
    if (!viaHost || !viaHost.trace.connects || viaHost.trace.deliveredTo?.namespace !== server.name) continue;
    const drop = decidingStep(direct.trace);
    const relay = viaHost.trace.hops.some((h) => h.event === "proxy") ? "docker-proxy relays it" : "hairpin NAT sends it back into the bridge";
    out.push({
      code: CODE,
      message:
        `Inter-container communication is off on ${net.name}: ${client.name} cannot reach ${server.name}:${b.containerPort} directly` +
        `${drop ? ` (${drop.rule})` : ""}, but it still connects to the same service through the host's published port ${b.hostPort} (${relay}). ` +
        `icc=false does not isolate published ports; drop such traffic in DOCKER-USER or do not publish the port.`,
      refs: [
        { network: net.name, container: client.name, flow: direct.name, ...(drop ? { rule: drop.rule } : {}) },
        { container: server.name, port: `${b.hostIp}:${b.hostPort}->${b.containerPort}/${b.proto}`, flow: viaHost.name },
      ],
    });
  }
  return out;
}
