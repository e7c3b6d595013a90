// A machine that routes a container subnet through this host (a LAN neighbour with a static
// route, a VPN peer) sends packets straight to the container's address: no DNAT, so nothing of
// the port mapping applies. Up to 27 Docker's rules let them through to published container
// ports (whatever host address the port was published on) and, when the FORWARD policy is
// ACCEPT, to every port; 28 added raw PREROUTING drops (moby#45610, moby PR 49325). The hidden
// probes (from "external", whose default route is this host) find out what these rules do.
import { formatCidr, formatIPv4 } from "../net/address.js";
import type { DockerContainer, DockerNetwork } from "../docker/model.js";
import { probeFlow, type Probe } from "./probe.js";
import { isWildcard, publishedPorts } from "./ports.js";
import type { ExplainContext, Warning, WarningRef } from "./types.js";

export const CODE = "direct-routing-to-containers";

const CANDIDATE_PORTS = [22, 80, 443, 8080, 3306, 5432];

/** A port the container does not publish (one it exposes, if any). */
function unpublishedPort(c: DockerContainer): number | undefined {
  const published = new Set(c.ports.filter((b) => b.proto === "tcp").map((b) => b.containerPort));
  const exposed = c.exposed.find((e) => e.proto === "tcp" && !published.has(e.port));
  return exposed?.port ?? CANDIDATE_PORTS.find((p) => !published.has(p));
}

function reached(p: Probe | null, c: DockerContainer): p is Probe {
  return p !== null && p.trace.verdict === "delivered" && p.trace.deliveredTo?.namespace === c.name;
}

function onNetwork(net: DockerNetwork, containers: DockerContainer[]): DockerContainer | undefined {
  return containers.find((c) => c.mode === "bridge" && c.endpoints.some((e) => e.network === net));
}

export function directRoutingToContainers(ctx: ExplainContext): Warning[] {
  const out: Warning[] = [];
  // One container per network: Docker's rules for unpublished ports are the same for every container of a network.
  for (const net of ctx.docker.networks) {
    if (net.driver !== "bridge" || net.internal) continue;
    const c = onNetwork(net, ctx.docker.containers);
    const port = c && unpublishedPort(c);
    if (!c || port === undefined) continue;
    const ip = formatIPv4(c.endpoints.find((e) => e.network === net)!.ip);
    const probe = probeFlow(ctx, "external", `${ip}:${port}`);
    if (!reached(probe, c)) continue;
    out.push({
      code: CODE,
      message:
        `A machine that routes network ${net.name} (${formatCidr(net.subnet)}) through this host reaches ${c.name} (${ip}) directly on port ${port}/tcp, which is not published: ` +
        `${acceptedBy(probe)}. ` +
        `Add DROP rules in DOCKER-USER for traffic that does not come in on a Docker bridge${ctx.docker.version.dialect === "A" || ctx.docker.version.dialect === "B" ? ", or upgrade to Docker 28, which drops it in raw PREROUTING" : ""}.`,
      refs: [{ container: c.name, network: net.name, port: `${port}/tcp`, flow: probe.name }, ...ruleRefs(probe)],
    });
  }
  // A port published on one host address only is meant for that address: at the container's own address it should not answer.
  for (const p of publishedPorts(ctx.docker.containers)) {
    const b = p.binding;
    if (isWildcard(b.hostIp) || b.hostIp.includes(":") || (b.proto !== "tcp" && b.proto !== "udp")) continue;
    const ep = p.container.endpoints[0];
    if (!ep) continue;
    const ip = formatIPv4(ep.ip);
    const probe = probeFlow(ctx, "external", `${ip}:${b.containerPort}`, b.proto);
    if (!reached(probe, p.container)) continue;
    out.push({
      code: CODE,
      message:
        `Port ${b.containerPort}/${b.proto} of ${p.container.name} is published on ${b.hostIp} only, but a machine that routes network ${ep.network.name} (${formatCidr(ep.network.subnet)}) ` +
        `through this host reaches it directly at ${ip}:${b.containerPort}: the rule that accepts the published port matches the container's address and port, not the host address.`,
      refs: [{ container: p.container.name, network: ep.network.name, port: p.label, flow: probe.name }, ...ruleRefs(probe)],
    });
  }
  return out;
}

/** The rule that let the probe through in FORWARD. */
function ruleRefs(p: Probe): WarningRef[] {
  const fwd = p.trace.steps.filter((s) => s.namespace === "host" && s.hook === "FORWARD").at(-1);
  return fwd ? [{ namespace: "host", rule: fwd.rule }] : [];
}

function acceptedBy(p: Probe): string {
  const fwd = p.trace.steps.filter((s) => s.namespace === "host" && s.hook === "FORWARD").at(-1);
  if (!fwd) return "no FORWARD rule filters them";
  return fwd.ruleNumber === null ? `the FORWARD policy accepts them (${fwd.rule})` : `"${fwd.rule}" accepts them`;
}
