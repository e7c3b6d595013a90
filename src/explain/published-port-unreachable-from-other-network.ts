// A published port is meant for everybody, containers on other networks included (Docker docs,
// "Port publishing"). Without the userland proxy, up to 28, a container on another bridge that
// connects to the host's address is DNATed into the server's bridge and then dropped by the
// network isolation rules (DOCKER-ISOLATION-STAGE-2; moby#38784): the port answers from the
// internet but not from next door. Probes: client container -> host:port, external -> host:port.
import type { DockerContainer, DockerNetwork } from "../docker/model.js";
import { decidingStep, probeFlow } from "./probe.js";
import type { ExplainContext, Warning } from "./types.js";

export const CODE = "published-port-unreachable-from-other-network";

const networksOf = (c: DockerContainer): DockerNetwork[] => (c.mode === "bridge" ? c.endpoints.map((e) => e.network) : []);

export function publishedPortUnreachableFromOtherNetwork(ctx: ExplainContext): Warning[] {
  const out: Warning[] = [];
  const seen = new Set<DockerNetwork>();
  for (const server of ctx.docker.containers) {
    const b = server.ports.find((x) => x.hostPort !== 0 && x.proto === "tcp");
    const home = networksOf(server);
    // One server per network: the isolation rules are per bridge.
    if (!b || home.length === 0 || home.some((n) => seen.has(n))) continue;
    home.forEach((n) => seen.add(n));
    const client = ctx.docker.containers.find((c) => networksOf(c).length > 0 && !networksOf(c).some((n) => home.includes(n) || n.internal));
    if (!client) continue;
    const probe = probeFlow(ctx, client.name, `host:${b.hostPort}`);
    if (!probe || probe.trace.connects) continue;
    const outside = probeFlow(ctx, "external", `host:${b.hostPort}`);
    if (!outside?.trace.connects) continue; // not reachable at all: a different problem
    const drop = decidingStep(probe.trace);
    out.push({
      code: CODE,
      message:
        `${client.name} (network ${networksOf(client)[0]!.name}) cannot connect to ${server.name}'s published port ${b.hostPort} through the host's address, ` +
        `although it is reachable from outside: ${drop ? `"${drop.rule}" drops it` : "the packet is dropped"} after DNAT sent it into ${home[0]!.name}'s bridge. ` +
        `Connect ${client.name} to ${home[0]!.name}, or run dockerd with the userland proxy.`,
      refs: [
        { container: client.name, network: networksOf(client)[0]!.name, flow: probe.name, ...(drop ? { rule: drop.rule } : {}) },
        { container: server.name, network: home[0]!.name, port: `${b.hostIp}:${b.hostPort}->${b.containerPort}/${b.proto}`, flow: outside.name },
      ],
    });
  }
  return out;
}
