// simulate(scenario) -> result: the one entry point of the engine, shared by the sandbox worker,
// the CLI and the browser. Pure and deterministic: no clock, no randomness, no platform API.
import { buildDocker, type DockerHost } from "./docker/model.js";
import { embeddedDns } from "./docker/dns.js";
import { assumedHostListener } from "./explain/assumed-host-listener.js";
import { explain } from "./explain/index.js";
import { applyLifecycle } from "./docker/lifecycle.js";
import { addExternalHost, buildWorld } from "./docker/topology.js";
import { budgetExceeded, EngineError, impossible, invalid } from "./errors.js";
import { AddressError, formatCidr, formatCidr6, formatIPv4, formatIPv6, parseIPv4, type Family } from "./net/address.js";
import { driverResult } from "./docker/drivers/index.js";
import { traceFlow, type Endpoints } from "./net/flows.js";
import type { World } from "./net/topology.js";
import { BudgetExceededError, type Budget } from "./netfilter/evaluate.js";
import { restoreRuleset, RestoreError } from "./netfilter/restore.js";
import { IpsetError, parseIpsetSave, withIpsets, type IpsetStore } from "./netfilter/ipset.js";
import { Ruleset } from "./netfilter/ruleset.js";
import { saveRuleset } from "./netfilter/save.js";
import { loadNftRules } from "./nftables/scenario.js";
import { printRuleset } from "./nftables/print.js";
import { withCommands } from "./scenario/commands.js";
import { repoint, withCompose } from "./scenario/compose.js";
import type { Scenario } from "./scenario/schema.js";
import { simulateSwarm } from "./docker/swarm/simulate.js";
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
  let pointers: Map<string, string> | undefined; // compose: where generated networks/containers came from
  try {
    const composed = withCompose(input);
    pointers = composed.composePointers;
    const scenario = withCommands(composed);
    parsedIpsets.delete(scenario); // -j SET changes the sets: every simulation starts from the text
    if (scenario.swarm) return simulateSwarm(scenario, options.id ?? "", budget);
    const onNode = (scenario.containers ?? []).findIndex((c) => c.node !== undefined);
    if (onNode >= 0) throw impossible(`/containers/${onNode}/node`, "a container's node needs a \"swarm\" section");
    const docker = buildDocker(scenario);
    applyLifecycle(docker, scenario, scenario.lifecycle);
    docker.resolvers = embeddedDns(docker.containers, docker.daemon.firewallBackend); // the containers running at the end
    const pasted = pastedRules(scenario, "host");
    const pasted6 = pastedRules(scenario, "host", "ipv6");
    const world = buildWorld(docker, pasted, { scenario, hostRules6: pasted6 });
    loadContainerRules(world, scenario);
    loadNftRules(world, scenario, docker.nft);
    applyRpFilter(world, scenario);
    const endpoints = endpointsOf(world, docker);
    const traces = (scenario.flows ?? []).map((f, i) => traceFlow(world, endpoints, f, i, budget));
    const rules = rulesOf(world, docker, pasted !== null || scenario.rules?.host?.nft !== undefined);
    // After the traces (its hidden probes never touch them) and after the rules are printed.
    const warnings = [...assumedHostListener(traces), ...explain({ docker, world, endpoints, hostPasted: pasted !== null }, budget.left)];
    return {
      id: options.id ?? "",
      docker: { version: docker.version.version, family: docker.version.family },
      networks: networksOf(docker),
      containers: containersOf(docker),
      rules,
      traces,
      ...(warnings.length ? { warnings } : {}),
    };
  } catch (e) {
    if (e instanceof BudgetExceededError) throw budgetExceeded(limit);
    // An address some importer did not check: still the user's input, never a 500.
    if (e instanceof AddressError) throw invalid("", e.message);
    throw repoint(e, pointers);
  }
}

function pastedRules(s: Scenario, ns: string, family: Family = "ipv4"): Ruleset | null {
  const key = family === "ipv4" ? "iptables-save" : "ip6tables-save";
  const text = s.rules?.[ns]?.[key];
  if (text === undefined) return null;
  const sets = ipsetsOf(s, ns);
  try {
    return withIpsets(sets, () => restoreRuleset(text, new Ruleset(family)));
  } catch (e) {
    if (e instanceof RestoreError) throw invalid(`/rules/${ns}/${key}`, e.message);
    throw e;
  }
}

/** host.sysctl's net.ipv4.conf.{all,default,IFACE}.rp_filter: the host's reverse-path filter. */
function applyRpFilter(world: World, s: Scenario): void {
  const host = world.get("host");
  for (const [key, value] of Object.entries(s.host?.sysctl ?? {})) {
    const m = /^net\.ipv4\.conf\.([^.]+)\.rp_filter$/.exec(key);
    if (!m) continue;
    const at = `/host/sysctl/${key}`;
    const mode = Number(value);
    if (mode !== 0 && mode !== 1 && mode !== 2) throw invalid(at, "rp_filter is 0 (off), 1 (strict) or 2 (loose)");
    const dev = m[1]!;
    if (dev === "all") host.rpFilter.all = mode;
    else if (dev === "default") host.rpFilter.default = mode;
    else if (host.ifaces.has(dev)) host.rpFilter.ifaces.set(dev, mode);
    else throw invalid(at, `the host has no interface "${dev}"`);
  }
}

/** The namespace's pasted `ipset save` text, parsed (once per namespace and scenario). */
function ipsetsOf(s: Scenario, ns: string): IpsetStore | null {
  const text = s.rules?.[ns]?.["ipset-save"];
  if (text === undefined) return null;
  const cached = parsedIpsets.get(s)?.get(ns);
  if (cached) return cached;
  try {
    const store = parseIpsetSave(text);
    const byNs = parsedIpsets.get(s) ?? new Map<string, IpsetStore>();
    parsedIpsets.set(s, byNs.set(ns, store));
    return store;
  } catch (e) {
    if (e instanceof IpsetError) throw invalid(`/rules/${ns}/ipset-save`, e.message);
    throw e;
  }
}

// Per namespace, the iptables and ip6tables rules share one store, as they share the kernel's sets.
const parsedIpsets = new WeakMap<Scenario, Map<string, IpsetStore>>();

function loadContainerRules(world: World, s: Scenario): void {
  for (const name of Object.keys(s.rules ?? {})) {
    if (name === "host") continue;
    const ns = world.namespaces.get(name);
    if (!ns || ns.kind !== "container") throw invalid(`/rules/${name}`, `no container namespace "${name}"`);
    // A pasted ruleset replaces what Docker wrote there (the embedded DNS rules); an absent one keeps it.
    ns.ruleset = pastedRules(s, name) ?? ns.ruleset;
    if (s.rules?.[name]?.["iptables-save"] !== undefined) ns.nft = null; // and so does it Docker's nftables table
    ns.ruleset6 = pastedRules(s, name, "ipv6") ?? ns.ruleset6;
  }
}

function endpointsOf(world: World, docker: DockerHost): Endpoints {
  const byName = new Map(docker.containers.map((c) => [c.name, c]));
  const hostIp = parseIPv4(docker.interfaces[0]!.address.split("/")[0]!);
  return {
    containerNs: (name) => {
      const c = byName.get(name);
      return c ? (c.mode === "host" ? "host" : c.name) : undefined;
    },
    // --network host: the container's address is the host's (its sockets live in the host netns)
    containerIp: (name) => (byName.get(name)?.mode === "host" ? hostIp : byName.get(name)?.endpoints[0]?.ip),
    hostIp,
    // IPv6 (flows with "family": "ipv6"): the first IPv6 address of the namespace's interfaces.
    containerIp6: (name) => {
      const c = byName.get(name);
      return c && c.mode !== "host" ? firstIPv6(world, c.name, c.endpoints[0]?.ifname) : firstIPv6(world, "host", docker.interfaces[0]!.name);
    },
    hostIp6: firstIPv6(world, "host", docker.interfaces[0]!.name),
    dockerOwns: (port, proto) => docker.containers.some((c) => c.ports.some((p) => p.hostPort === port && p.proto === proto)),
    addExternal: (ip) => addExternalHost(world, ip),
  };
}

function firstIPv6(world: World, ns: string, iface: string | undefined): bigint | undefined {
  const addr = iface ? world.namespaces.get(ns)?.ifaces.get(iface)?.addrs.find((a) => typeof a.ip === "bigint") : undefined;
  return addr?.ip as bigint | undefined;
}

function networksOf(docker: DockerHost): NetworkResult[] {
  return docker.networks.map((n) => ({
    name: n.name, driver: n.driver, bridge: n.bridge, subnet: formatCidr(n.subnet), gateway: n.noGateway ? "" : formatIPv4(n.gateway), internal: n.internal,
    ...(n.subnet6 && n.gateway6 !== null ? { subnet6: formatCidr6(n.subnet6), gateway6: formatIPv6(n.gateway6) } : {}),
    ...driverResult(n),
  }));
}

function containersOf(docker: DockerHost): ContainerResult[] {
  return docker.containers.map((c) => ({
    name: c.name,
    networkMode: c.mode === "bridge" ? c.endpoints.map((e) => e.network.name).join(",") : c.mode,
    interfaces: c.endpoints.map((e) => ({ network: e.network.name, name: e.ifname, ip: formatIPv4(e.ip), mac: e.mac, hostVeth: e.hostVeth, ...(e.ip6 !== null ? { ip6: formatIPv6(e.ip6) } : {}),
      ...(e.network.containerGateway !== undefined ? { gateway: formatIPv4(e.network.containerGateway) } : {}),
      ...(e.ip6 !== null && e.network.containerGateway6 !== undefined ? { gateway6: formatIPv6(e.network.containerGateway6) } : {}) })),
    ports: c.ports.map((p) => ({ hostIp: p.hostIp, hostPort: p.hostPort, containerPort: p.containerPort, proto: p.proto })),
  }));
}

function rulesOf(world: World, docker: DockerHost, pasted: boolean): SimulationResult["rules"] {
  const rules: SimulationResult["rules"] = {};
  // Every container's embedded DNS shares one ruleset object: print each ruleset once.
  const printed = new Map<object, string>();
  for (const ns of world.namespaces.values()) {
    if (!ns.ruleset && !ns.ruleset6 && !ns.nft) continue;
    const v6 = ns.ruleset6 ? printOnce(printed, ns.ruleset6, saveRuleset) : "";
    const entry = { "iptables-save": ns.ruleset ? printOnce(printed, ns.ruleset, saveRuleset) : "", "ip6tables-save": v6, ...(ns.nft ? { nft: printOnce(printed, ns.nft, printRuleset) } : {}) };
    const resolver = docker.resolvers.get(ns.name);
    const generated = resolver && (resolver.ruleset ? ns.ruleset === resolver.ruleset : ns.nft === resolver.nft) ? resolver.commands : null;
    const sets = ns.name === "host" && !pasted && docker.ipsets ? { "ipset-save": docker.ipsets.save() } : {};
    rules[ns.name] = ns.name === "host" && !pasted ? { ...entry, ...sets, commands: docker.commands } : generated ? { ...entry, commands: generated } : entry;
  }
  return rules;
}

function printOnce<T extends object>(printed: Map<object, string>, rs: T, print: (rs: T) => string): string {
  let text = printed.get(rs);
  if (text === undefined) printed.set(rs, (text = print(rs)));
  return text;
}

export { EngineError };
