// What dockerd does when the host changes after the fact: `docker stop/start/restart/kill/rm`,
// `docker network connect/disconnect/rm`, and containers and networks created later on. Docker
// deletes rules when endpoints go away (iptables -D) and adds them again on start, at the end of
// their chains, so the order of later rules depends on the history: nfplay replays it.
//
// libnetwork 20.10 (vendor/github.com/docker/libnetwork): a stopped container's sandbox leaves
// its endpoints in sandbox order (sandbox.delete -> sbLeave); leaving the gateway endpoint revokes
// the port mappings (portmapper Unmap: Forward(Delete)) and programs them on the next gateway
// endpoint, if any (allocating host ports again); joining one (sbJoin) that becomes the gateway
// moves them there. IPAM hands out the lowest free address (non-serial) and keeps rotating through
// the pools for subnets; the ephemeral port allocator goes on from its last port. Checked against
// real 20.10 captures (test/golden/docker-20.10/l*).
import { containerIfname } from "./options.js";
import { driverEndpoint } from "./drivers/index.js";
import type { Dialect } from "./dialect.js";
import { EngineError, impossible } from "../errors.js";
import { applyUserIptables, type UserIptables } from "./user-iptables.js";
import type { ContainerSpec, NetworkSpec, Scenario } from "../scenario/schema.js";
import {
  addNetwork, containerGateway, endpoint, gatewayEndpoint, programPorts, randomMacs, startContainer, userNetwork,
  type DockerContainer, type DockerHost, type Endpoint,
} from "./model.js";

export type LifecycleOp =
  | { op: "network create"; at: string; spec: NetworkSpec }
  | { op: "network rm"; at: string; name: string }
  | { op: "create"; at: string; spec: ContainerSpec; start: boolean; autoRemove?: boolean }
  | { op: "start" | "stop" | "restart" | "kill"; at: string; name: string }
  | { op: "rm"; at: string; name: string; force: boolean }
  | { op: "connect"; at: string; network: string; container: string; ip?: string }
  | { op: "disconnect"; at: string; network: string; container: string; force: boolean }
  | ({ op: "iptables" } & UserIptables);

/** What Docker keeps of a container between runs: its create options and networks. */
interface Config {
  spec: ContainerSpec;
  /** Its networks in the order they were given (or "host", "none"). */
  networks: string[];
  /** Static addresses per network (--ip, network connect --ip). */
  ips: Record<string, string>;
  /** docker run --rm: removed when it stops. */
  autoRemove?: boolean;
}

const SPECIAL = (n: string) => n === "host" || n === "none" || n.startsWith("container:");

function networksOf(c: ContainerSpec): string[] {
  const n = c.network ?? "bridge";
  return Array.isArray(n) ? [...n] : [n];
}

/** Apply the operations, in order, to a host built from the scenario's networks and containers. */
export function applyLifecycle(host: DockerHost, s: Scenario, ops: LifecycleOp[]): void {
  if (ops.length === 0) return;
  const life = new Lifecycle(host, s.containers ?? [], s.networks?.length ?? 0);
  for (const op of ops) pointAt(op.at, () => life.apply(op));
}

/** Errors of an operation name its command (/commands/N), not a field under it. */
function pointAt(at: string, fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof EngineError) || !e.errors.some((x) => x.pointer.startsWith(`${at}/`))) throw e;
    const errors = e.errors.map((x) => ({ ...x, pointer: x.pointer.startsWith(`${at}/`) ? at : x.pointer }));
    throw new EngineError(e.status, e.type, e.title, errors);
  }
}

class Lifecycle {
  private configs = new Map<string, Config>();
  private networksCreated: number;
  private runtime: NonNullable<DockerHost["runtime"]>;

  constructor(private host: DockerHost, containers: ContainerSpec[], networks: number) {
    if (!host.runtime) throw new Error("docker host without runtime state");
    this.runtime = host.runtime;
    for (const c of containers) this.configs.set(c.name, this.configOf(c));
    this.networksCreated = networks;
  }

  private configOf(c: ContainerSpec): Config {
    const networks = networksOf(c);
    return { spec: c, networks, ips: c.ip ? { [networks[0]!]: c.ip } : {} };
  }

  apply(op: LifecycleOp): void {
    switch (op.op) {
      case "network create": return this.createNetwork(op.spec, op.at);
      case "network rm": return this.removeNetwork(op.name, op.at);
      case "create": return this.create(op.spec, op.start, op.at, op.autoRemove ?? false);
      case "start": return this.start(this.config(op.name, op.at).spec.name, op.at);
      case "stop": return this.stop(this.config(op.name, op.at).spec.name);
      case "kill": {
        this.config(op.name, op.at);
        if (!this.running(op.name)) throw impossible(op.at, `Cannot kill container: ${op.name}: Container ${op.name} is not running`);
        return this.stop(op.name);
      }
      case "restart":
        this.config(op.name, op.at);
        this.stop(op.name);
        return this.start(op.name, op.at);
      case "rm": return this.remove(op.name, op.force, op.at);
      case "connect": return this.connect(op.network, op.container, op.ip, op.at);
      case "disconnect": return this.disconnect(op.network, op.container, op.at);
      case "iptables": return applyUserIptables(this.host, op);
    }
  }

  private config(name: string, at: string): Config {
    const c = this.configs.get(name);
    if (!c) throw impossible(at, `No such container: ${name}`);
    return c;
  }

  private running(name: string): DockerContainer | undefined {
    return this.host.containers.find((c) => c.name === name);
  }

  private network(name: string, at: string) {
    const net = this.host.networks.find((n) => n.name === name);
    if (!net) throw impossible(at, `network ${name} not found`);
    return net;
  }

  /** The endpoint that carries the published ports (see model.ts startContainer). */
  private gateway(ctr: DockerContainer): Endpoint | undefined {
    return containerGateway(this.host, ctr.endpoints);
  }

  private createNetwork(spec: NetworkSpec, at: string): void {
    if (this.host.networks.some((n) => n.name === spec.name) || spec.name === "host" || spec.name === "none")
      throw impossible(at, `network with name ${spec.name} already exists`);
    // IDs (and so br-… names) count the user networks ever created, JSON ones first: the same
    // host described as JSON or as commands gets the same names.
    const net = userNetwork(spec, at, this.runtime.ipam, this.host.version, this.networksCreated++, this.host.daemon.defaultNetworkOpts);
    addNetwork(this.host, net, this.runtime.dialect);
  }

  private removeNetwork(name: string, at: string): void {
    if (name === "host" || name === "none" || name === "bridge") throw impossible(at, `${name} is a pre-defined network and cannot be removed`);
    const net = this.host.networks.find((n) => n.name === name);
    if (!net) throw impossible(at, `No such network: ${name}`);
    if (this.host.containers.some((c) => c.endpoints.some((e) => e.network === net)))
      throw impossible(at, `error while removing network: network ${name} id ${net.id} has active endpoints`);
    if (net.driver === "bridge") this.dialect("network rm", at)?.removeNetwork!(net);
    this.runtime.ipam.release(net.subnet);
    this.host.networks.splice(this.host.networks.indexOf(net), 1);
    this.host.bridgeMacs.delete(net.bridge);
  }

  private create(spec: ContainerSpec, start: boolean, at: string, autoRemove: boolean): void {
    if (this.configs.has(spec.name))
      throw impossible(at, `Conflict. The container name "/${spec.name}" is already in use by container "${spec.name}". You have to remove (or rename) that container to be able to reuse that name.`);
    const config = this.configOf(spec);
    // docker create already resolves its networks.
    for (const n of config.networks) if (!SPECIAL(n)) this.network(n, at);
    this.configs.set(spec.name, { ...config, autoRemove });
    if (start) this.start(spec.name, at);
  }

  /**
   * docker start: the first network with the container (as startContainer does), then each
   * further network joined one by one (daemon allocateNetwork: the default bridge first).
   */
  private start(name: string, at: string): void {
    if (this.running(name)) return;
    const config = this.configs.get(name)!;
    // disconnected from every network: it runs with its loopback only
    const [first = "none", ...rest] = [...config.networks].sort((a, b) => Number(b === "bridge") - Number(a === "bridge"));
    for (const n of [first, ...rest]) if (!SPECIAL(n)) this.network(n, at);
    const ip = config.ips[first];
    const { ip: _static, ...spec } = config.spec;
    startContainer(this.host, { ...spec, network: first, ...(ip ? { ip } : {}) }, at, this.runtime.alloc, this.runtime.dialect);
    const ctr = this.running(name)!;
    for (const n of rest) this.join(ctr, config, n, at);
  }

  /** Stop (and kill): the sandbox leaves its endpoints in sandbox order. */
  private stop(name: string): void {
    const ctr = this.running(name);
    if (!ctr) return;
    const order = this.host.version.dialect === "A" ? sandboxOrder(ctr.endpoints) : [...ctr.endpoints];
    // sbLeave programs the ports on the next gateway endpoint even while the sandbox goes away
    // (20.10 endpoint.go; 28.5 likewise), so a stop allocates ephemeral ports once more.
    for (const ep of order) this.leave(ctr, ep);
    this.host.containers.splice(this.host.containers.indexOf(ctr), 1);
    if (this.configs.get(name)?.autoRemove) this.configs.delete(name);
  }

  private remove(name: string, force: boolean, at: string): void {
    this.config(name, at);
    if (this.running(name)) {
      if (!force) throw impossible(at, `You cannot remove a running container ${name}. Stop the container before attempting removal or force remove`);
      this.stop(name);
    }
    this.configs.delete(name);
  }

  private connect(netName: string, name: string, ip: string | undefined, at: string): void {
    const config = this.config(name, at);
    this.network(netName, at);
    if (config.networks.includes("host")) throw impossible(at, "container cannot be disconnected from host network or connected to host network");
    if (config.networks.includes("none") || this.running(name)?.mode === "none") throw impossible(at, "container cannot be connected to multiple networks with one of the networks in private (none) mode");
    if (config.networks.includes(netName)) throw impossible(at, `endpoint with name ${name} already exists in network ${netName}`);
    if (ip && netName === "bridge") throw impossible(at, "user specified IP address is supported on user defined networks only");
    config.networks.push(netName);
    if (ip) config.ips[netName] = ip;
    const ctr = this.running(name);
    if (ctr) this.join(ctr, config, netName, at);
  }

  private disconnect(netName: string, name: string, at: string): void {
    const config = this.config(name, at);
    const ctr = this.running(name);
    const net = this.host.networks.find((n) => n.name === netName);
    if (ctr && !net) throw impossible(at, `network ${netName} not found`);
    if (config.networks.includes("host") && netName === "host") throw impossible(at, "container cannot be disconnected from host network or connected to host network");
    if (!config.networks.includes(netName))
      throw impossible(at, ctr ? `container ${name} is not connected to network ${netName}` : `container ${name} is not connected to the network ${netName}`);
    config.networks = config.networks.filter((n) => n !== netName);
    delete config.ips[netName];
    const ep = ctr?.endpoints.find((e) => e.network.name === netName);
    if (ctr && ep) this.leave(ctr, ep);
  }

  /** sbJoin: a new endpoint; if it becomes the gateway, the ports move to it. */
  private join(ctr: DockerContainer, config: Config, netName: string, at: string): void {
    const net = this.network(netName, at);
    const before = this.gateway(ctr);
    const ep = driverEndpoint(endpoint(net, { name: ctr.name, ip: config.ips[netName] }, 0, at, randomMacs(this.host.version)), this.host, at);
    ep.ifname = net.driver === "bridge" ? containerIfname(net.ifacePrefix, ctr.endpoints.map((e) => e.ifname)) : nextIfname(ctr);
    ctr.endpoints.push(ep);
    if (net.driver === "bridge") this.runtime.dialect?.joinEndpoint(ep); // drivers/: no rules for macvlan, ipvlan, remote
    const after = this.gateway(ctr)!;
    if (after === before) return;
    if (before) this.revoke(ctr, before);
    if (!net.internal) this.program(ctr, config.spec, after, at);
  }

  /** sbLeave: revoke the ports if this is the gateway, leave, then program the next gateway. */
  private leave(ctr: DockerContainer, ep: Endpoint): void {
    const wasGateway = this.gateway(ctr) === ep;
    if (wasGateway) this.revoke(ctr, ep);
    if (ep.network.driver === "bridge") this.leaveEndpoint(ep);
    ep.network.used.delete(ep.ip);
    if (ep.ip6 !== null) ep.network.used6.delete(ep.ip6);
    ctr.endpoints.splice(ctr.endpoints.indexOf(ep), 1);
    const next = this.gateway(ctr);
    if (wasGateway && next && !next.network.internal) {
      const config = this.configs.get(ctr.name)!;
      this.program(ctr, config.spec, next, "");
    }
  }

  /** RevokeExternalConnectivity: the mappings' rules deleted, their host ports free again. */
  private revoke(ctr: DockerContainer, ep: Endpoint): void {
    if (ctr.ports.length === 0) return;
    this.dialect("port revoke", "")?.unpublish!(ep, ctr.ports);
    for (const [key, owners] of this.host.bound) {
      const left = owners.filter((o) => o.owner !== ctr);
      if (left.length) this.host.bound.set(key, left);
      else this.host.bound.delete(key);
    }
    ctr.ports = [];
  }

  /** ProgramExternalConnectivity: the sandbox's port bindings allocated and mapped on `ep` (bridge driver only). */
  private program(ctr: DockerContainer, spec: ContainerSpec, ep: Endpoint, at: string): void {
    programPorts(this.host, spec, ctr, ep, at, this.runtime.alloc, this.runtime.dialect);
  }

  private leaveEndpoint(ep: Endpoint): void {
    this.dialect("endpoint leave", "")?.leaveEndpoint!(ep);
  }

  /** The dialect, if it has the removal paths (the nftables backend has none yet). */
  private dialect(what: string, at: string): Dialect | null {
    const d = this.runtime.dialect as Dialect | null;
    if (d && (!d.unpublish || !d.leaveEndpoint || !d.removeNetwork))
      throw impossible(at, `${what}: removing rules is not simulated for this firewall backend yet`);
    return d;
  }
}

/** 20.10's sandbox keeps its endpoints sorted as the gateway choice does (epHeap order). */
function sandboxOrder(eps: Endpoint[]): Endpoint[] {
  const out: Endpoint[] = [];
  let left = [...eps];
  while (left.length) {
    const first = gatewayEndpoint(left);
    out.push(first);
    left = left.filter((e) => e !== first);
  }
  return out;
}

/** The next free ethN in the container (Docker numbers interfaces as they are added). */
function nextIfname(ctr: DockerContainer): string {
  for (let k = 0; ; k++) if (!ctr.endpoints.some((e) => e.ifname === `eth${k}`)) return `eth${k}`;
}

