// simulate(scenario) -> result: the one entry point of the engine, shared by the sandbox worker,
// the CLI and the browser. Pure and deterministic: no clock, no randomness, no platform API.
import { buildDocker, type DockerHost } from "./docker/model.js";
import { addExternalHost, buildWorld } from "./docker/topology.js";
import { budgetExceeded, EngineError, invalid } from "./errors.js";
import { formatCidr, formatIPv4, parseIPv4, type Family } from "./net/address.js";
import { traceFlow, type Endpoints } from "./net/flows.js";
import type { World } from "./net/topology.js";
import { BudgetExceededError, type Budget } from "./netfilter/evaluate.js";
import { restoreRuleset, RestoreError } from "./netfilter/restore.js";
import { Ruleset } from "./netfilter/ruleset.js";
import { saveRuleset } from "./netfilter/save.js";
import { withCommands } from "./scenario/commands.js";
import type { Scenario } from "./scenario/schema.js";
import type { ContainerResult, NetworkResult, SimulationResult } from "./result.js";

export interface SimulateOptions {
  id?: string;
  /** Maximum rule evaluations for the whole scenario; exceeding it is an error, never a hang. */
  budget?: number;
}

export const DEFAULT_BUDGET = 20_000_000;

export function simulate(input: Scenario, options: SimulateOptions = {}): SimulationResult {
  const limit = options.budget ?? DEFAULT_BUDGET;
  const budget: Budget = { left: limit };
  try {
    const scenario = withCommands(input);
    const docker = buildDocker(scenario);
    const pasted = pastedRules(scenario, "host");
    const pasted6 = pastedRules(scenario, "host", "ipv6");
    const world = buildWorld(docker, pasted, { scenario, hostRules6: pasted6 });
    loadContainerRules(world, scenario);
    const endpoints = endpointsOf(world, docker);
    const traces = (scenario.flows ?? []).map((f, i) => traceFlow(world, endpoints, f, i, budget));
    return {
      id: options.id ?? "",
      docker: { version: docker.version.version, family: docker.version.family },
      networks: networksOf(docker),
      containers: containersOf(docker),
      rules: rulesOf(world, docker, pasted !== null),
      traces,
    };
  } catch (e) {
    if (e instanceof BudgetExceededError) throw budgetExceeded(limit);
    throw e;
  }
}

function pastedRules(s: Scenario, ns: string, family: Family = "ipv4"): Ruleset | null {
  const key = family === "ipv4" ? "iptables-save" : "ip6tables-save";
  const text = s.rules?.[ns]?.[key];
  if (text === undefined) return null;
  try {
    return restoreRuleset(text, new Ruleset(family));
  } catch (e) {
    if (e instanceof RestoreError) throw invalid(`/rules/${ns}/${key}`, e.message);
    throw e;
  }
}

function loadContainerRules(world: World, s: Scenario): void {
  for (const name of Object.keys(s.rules ?? {})) {
    if (name === "host") continue;
    const ns = world.namespaces.get(name);
    if (!ns || ns.kind !== "container") throw invalid(`/rules/${name}`, `no container namespace "${name}"`);
    ns.ruleset = pastedRules(s, name);
    ns.ruleset6 = pastedRules(s, name, "ipv6");
  }
}

function endpointsOf(world: World, docker: DockerHost): Endpoints {
  const byName = new Map(docker.containers.map((c) => [c.name, c]));
  return {
    containerNs: (name) => {
      const c = byName.get(name);
      return c ? (c.mode === "host" ? "host" : c.name) : undefined;
    },
    containerIp: (name) => byName.get(name)?.endpoints[0]?.ip,
    hostIp: parseIPv4(docker.interfaces[0]!.address.split("/")[0]!),
    dockerOwns: (port, proto) => docker.containers.some((c) => c.ports.some((p) => p.hostPort === port && p.proto === proto)),
    addExternal: (ip) => addExternalHost(world, ip),
  };
}

function networksOf(docker: DockerHost): NetworkResult[] {
  return docker.networks.map((n) => ({
    name: n.name, driver: n.driver, bridge: n.bridge, subnet: formatCidr(n.subnet), gateway: formatIPv4(n.gateway), internal: n.internal,
  }));
}

function containersOf(docker: DockerHost): ContainerResult[] {
  return docker.containers.map((c) => ({
    name: c.name,
    networkMode: c.mode === "bridge" ? c.endpoints.map((e) => e.network.name).join(",") : c.mode,
    interfaces: c.endpoints.map((e) => ({ network: e.network.name, name: e.ifname, ip: formatIPv4(e.ip), mac: e.mac, hostVeth: e.hostVeth })),
    ports: c.ports.map((p) => ({ hostIp: p.hostIp, hostPort: p.hostPort, containerPort: p.containerPort, proto: p.proto })),
  }));
}

function rulesOf(world: World, docker: DockerHost, pasted: boolean): SimulationResult["rules"] {
  const rules: SimulationResult["rules"] = {};
  for (const ns of world.namespaces.values()) {
    if (!ns.ruleset && !ns.ruleset6) continue;
    const v6 = ns.ruleset6 ? saveRuleset(ns.ruleset6) : "";
    const entry = { "iptables-save": ns.ruleset ? saveRuleset(ns.ruleset) : "", "ip6tables-save": v6 };
    rules[ns.name] = ns.name === "host" && !pasted ? { ...entry, commands: docker.commands } : entry;
  }
  return rules;
}

export { EngineError };
