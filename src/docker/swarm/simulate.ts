// simulate() for a scenario with a `swarm` section: the swarm's model, its namespaces, and the
// flows traced across the nodes (src/engine.ts hands over here).
import { formatAddr, formatCidr, formatIPv4, parseCidr, type Addr } from "../../net/address.js";
import { traceFlow, type Endpoints } from "../../net/flows.js";
import type { World } from "../../net/topology.js";
import type { Budget } from "../../netfilter/evaluate.js";
import { saveRuleset } from "../../netfilter/save.js";
import type { Scenario } from "../../scenario/schema.js";
import type { ContainerResult, NetworkResult, SimulationResult, SwarmResult } from "../../result.js";
import { buildSwarm, type Service, type Swarm } from "./model.js";
import type { LifecycleOp } from "../lifecycle.js";
import { buildSwarmWorld, lbNsName, overlayNsName, sboxNsName } from "./world.js";

export function simulateSwarm(scenario: Scenario, id: string, budget: Budget): SimulationResult {
  const swarm = buildSwarm(scenario, "lifecycle" in scenario ? (scenario as Scenario & { lifecycle: LifecycleOp[] }).lifecycle : []);
  const world = buildSwarmWorld(swarm);
  const endpoints = swarmEndpoints(world, swarm);
  listenForServices(world, swarm, scenario);
  const traces = (scenario.flows ?? []).map((f, i) => traceFlow(world, endpoints, f, i, budget));
  return {
    id,
    docker: { version: swarm.docker.version.version, family: swarm.docker.version.family },
    networks: networksOf(swarm),
    containers: tasksOf(swarm),
    rules: rulesOf(world, swarm),
    traces,
    swarm: swarmOf(swarm),
  };
}

function swarmEndpoints(world: World, swarm: Swarm): Endpoints {
  const tasks = new Map([...swarm.services.flatMap((s) => s.tasks), ...swarm.containers].map((t) => [t.name, t] as const));
  const nodes = new Map(swarm.nodes.map((n) => [n.name, n]));
  const services = new Map(swarm.services.map((s) => [s.name, s]));
  return {
    containerNs: (name) => (nodes.has(name) || tasks.has(name) ? name : undefined),
    // A task is addressed on its first network: a user overlay when it has one, else ingress.
    containerIp: (name) => nodes.get(name)?.ip ?? tasks.get(name)?.attachments[0]?.ip ?? (services.has(name) ? vipOf(services.get(name)!) : undefined),
    hostIp: swarm.nodes[0]!.ip,
    // dockerd listens on every published port of the routing mesh, on every node; a mode=host port
    // is docker-proxy's on the nodes with a task and nobody's elsewhere (no stand-in listener there).
    dockerOwns: (port, proto) => [...swarm.services, ...swarm.containers.map((c) => c.service)].some((s) => [...s.ports, ...s.hostPorts].some((p) => p.published === port && p.proto === proto)),
    addExternal: (ip: Addr) => {
      if (world.owner(ip) || typeof ip !== "number") return;
      const ext = world.get("external");
      world.addAddress(ext, ext.ifaces.get("lan0")!, { ip, net: parseCidr(`${formatAddr(ip)}/32`) });
    },
  };
}

/** A service as a flow's target: its VIP on its first user overlay, else on ingress. */
function vipOf(s: Service): Addr | undefined {
  return s.networks.length ? s.vips.get(s.networks[0]!.name) : s.vips.get("ingress");
}

/** A flow to SERVICE:PORT reaches one of its tasks: each of them listens on that port. */
function listenForServices(world: World, swarm: Swarm, scenario: Scenario): void {
  for (const f of scenario.flows ?? []) {
    const [name, port] = f.to.split(":");
    const svc = swarm.services.find((s) => s.name === name);
    if (!svc || !port || f.proto === "icmp") continue;
    for (const t of svc.tasks) {
      const ns = world.get(t.name);
      if (!ns.socketFor(0, Number(port), f.proto)) ns.listen({ ip: 0, port: Number(port), proto: f.proto, owner: "app", relay: null });
    }
  }
}

function networksOf(swarm: Swarm): NetworkResult[] {
  const docker = swarm.nodes[0]!.docker;
  const bridges = docker.networks.map((n) => ({
    name: n.name, driver: n.driver as string, bridge: n.bridge, subnet: formatCidr(n.subnet), gateway: formatIPv4(n.gateway), internal: n.internal,
  }));
  const overlays = swarm.overlays.map((o) => ({
    name: o.name, driver: "overlay", bridge: "br0", subnet: formatCidr(o.subnet), gateway: formatIPv4(o.gateway), internal: false, vni: o.vni, id: o.id,
  }));
  return [...bridges, ...overlays];
}

function tasksOf(swarm: Swarm): ContainerResult[] {
  return [...swarm.services.map((s) => ({ s, tasks: s.tasks })), ...swarm.containers.map((t) => ({ s: t.service, tasks: [t] }))].flatMap(({ s, tasks }) =>
    tasks.map((t) => ({
      name: t.name,
      networkMode: t.attachments.map((a) => (a.network === "docker_gwbridge" ? a.network : a.network.name)).join(","),
      interfaces: t.attachments.map((a) => ({
        network: a.network === "docker_gwbridge" ? a.network : a.network.name,
        name: a.ifname, ip: formatIPv4(a.ip), mac: a.mac,
        hostVeth: a.network === "docker_gwbridge" ? a.peer : `${overlayNsName(t.node, a.network)}/${a.peer}`,
      })),
      ports: [...s.ports, ...s.hostPorts].map((p) => ({ hostIp: "0.0.0.0", hostPort: p.published, containerPort: p.target, proto: p.proto })),
      node: t.node.name,
    })),
  );
}

function rulesOf(world: World, swarm: Swarm): SimulationResult["rules"] {
  const commands = new Map<string, string[]>();
  for (const n of swarm.nodes) {
    commands.set(n.name, n.docker.commands);
    commands.set(sboxNsName(n), n.sbox.commands);
    for (const lb of n.lbs.values()) commands.set(lbNsName(n, lb.network), lb.commands);
    for (const t of n.tasks) commands.set(t.name, t.commands);
  }
  const rules: SimulationResult["rules"] = {};
  for (const ns of world.namespaces.values()) {
    if (!ns.ruleset) continue;
    const cmds = commands.get(ns.name);
    rules[ns.name] = { "iptables-save": saveRuleset(ns.ruleset), ...(cmds?.length ? { commands: cmds } : {}) };
  }
  return rules;
}

function swarmOf(swarm: Swarm): SwarmResult {
  return {
    nodes: swarm.nodes.map((n) => ({
      name: n.name, role: n.role, address: formatIPv4(n.ip),
      namespaces: [
        n.name, sboxNsName(n),
        ...swarm.overlays.filter((o) => o.ingress || n.lbs.has(o.name)).map((o) => overlayNsName(n, o)),
        ...[...n.lbs.values()].map((lb) => lbNsName(n, lb.network)),
      ],
      ingressSbox: { ingress: formatIPv4(n.sbox.ingressIp), gwbridge: formatIPv4(n.sbox.gwIp) },
    })),
    services: swarm.services.map((s) => ({
      name: s.name,
      vips: Object.fromEntries([...s.vips].map(([net, ip]) => [net, formatIPv4(ip)])),
      fwmark: s.fwmark,
      ports: [...s.ports, ...s.hostPorts].map((p) => `${p.published}:${p.target}/${p.proto}${p.mode === "host" ? " mode=host" : ""}`),
      tasks: s.tasks.map((t) => ({ name: t.name, node: t.node.name })),
    })),
  };
}
