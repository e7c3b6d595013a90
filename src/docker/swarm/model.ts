// What a Docker 20.10 swarm does on each node: docker0 and docker_gwbridge (the bridge driver,
// through the existing 20.10 dialect), the ingress overlay network and the user overlay networks
// (one namespace "1-<id>" per network and node with br0 + vxlan0), the ingress_sbox namespace,
// the service's tasks, and the iptables commands of libnetwork 20.10 (service_linux.go:
// programIngress on the host, fwMarker in the ingress_sbox, redirector in each task).
//
// Deterministic choices where Docker draws at random or races (documented in ./README.md):
// - Tasks are placed round robin over the service's nodes (placement, or every node) in order,
//   starting with the first: web.1 on node1, web.2 on node2, web.3 on node1...
// - Addresses: each overlay network's gateway is .1; on ingress the nodes' ingress-sbox endpoints
//   come next (in node order), then per service its VIP and its tasks; on a user overlay per
//   service its VIP and its tasks, then the standalone containers, then the nodes' lb endpoints in
//   reverse node order (as captured). docker_gwbridge: the ingress-sbox .2, then the node's tasks
//   and containers.
// - VXLAN IDs: ingress 4096, user overlays 4097, 4098... in order (as swarmkit hands them out).
// - Firewall marks: 256 (0x100) for the first service with published ports, then 257...
import { broadcastOf, formatCidr, formatIPv4, inCidr, parseCidr, parseIPv4, type Cidr, type IPv4 } from "../../net/address.js";
import { impossible } from "../../errors.js";
import { Ruleset } from "../../netfilter/ruleset.js";
import type { Proto } from "../../netfilter/types.js";
import type { ContainerSpec, NetworkSpec, Scenario, SwarmServiceSpec } from "../../scenario/schema.js";
import { hexId, macFromIPv4 } from "../ids.js";
import { Ipt } from "../ipt.js";
import { buildDocker, type DockerHost } from "../model.js";
import { ingressSboxRules, programIngress, taskRedirectRules } from "./rules.js";
import { resolverPorts, writeResolverRules } from "../dns.js";
import type { LifecycleOp } from "../lifecycle.js";

export interface Overlay {
  name: string;
  id: string;
  subnet: Cidr;
  gateway: IPv4;
  vni: number;
  ingress: boolean;
  attachable: boolean;
  used: Set<IPv4>;
}

export interface Published {
  published: number;
  target: number;
  proto: Proto;
  /** ingress: the routing mesh on every node; host: a port mapping on the nodes that run a task. */
  mode: "ingress" | "host";
}

export interface TaskAttachment {
  network: Overlay | "docker_gwbridge";
  ifname: string;
  ip: IPv4;
  subnet: Cidr;
  mac: string;
  /** Name of the other end of the veth: in the node's overlay namespace, or on docker_gwbridge. */
  peer: string;
}

export interface Task {
  name: string;
  service: Service;
  node: SwarmNode;
  attachments: TaskAttachment[];
  ruleset: Ruleset | null;
  commands: string[];
  /** A standalone container (docker run --network <attachable overlay>), not a service's task. */
  standalone?: boolean;
}

export interface Service {
  name: string;
  /** Ports published through the routing mesh (mode=ingress). */
  ports: Published[];
  /** Ports published with mode=host: each task's own port mapping on its node's docker_gwbridge. */
  hostPorts: Published[];
  fwmark: number | null;
  /** The service's virtual IP on each of its networks (ingress included when it publishes). */
  vips: Map<string, IPv4>;
  networks: Overlay[];
  tasks: Task[];
}

export interface SwarmNode {
  name: string;
  role: "manager" | "worker";
  ip: IPv4;
  lan: Cidr;
  docker: DockerHost;
  gwbridge: { subnet: Cidr; gateway: IPv4; next: IPv4 };
  sbox: LoadBalancer & { ingressIp: IPv4; gwIp: IPv4 };
  /** lb_<network id>: the node's load balancer on each user overlay it has tasks on (service VIPs). */
  lbs: Map<string, LoadBalancer & { ip: IPv4; network: Overlay }>;
  tasks: Task[];
}

/** A sandbox with IPVS: the ingress_sbox, or a user overlay's lb_ namespace. */
export interface LoadBalancer {
  ruleset: Ruleset;
  commands: string[];
  vips: IPv4[];
  /** fwmark -> real servers, in the order they were added. */
  backends: Map<number, IPv4[]>;
}

export interface Swarm {
  docker: DockerHost;
  lanGateway: IPv4;
  nodes: SwarmNode[];
  overlays: Overlay[];
  ingress: Overlay;
  services: Service[];
  /** Standalone containers on attachable overlays (their `service` is a stand-in: no VIP, not listed). */
  containers: Task[];
}

export const VNI_BASE = 4096;
const FWMARK_BASE = 256;
const GWBRIDGE = "172.18.0.0/16";
const GWBRIDGE_OPTIONS = {
  "com.docker.network.bridge.name": "docker_gwbridge",
  "com.docker.network.bridge.enable_icc": "false",
  "com.docker.network.bridge.enable_ip_masquerade": "true",
};

/** Swarm network IDs are 25 lowercase characters; nfplay derives them from the name. */
function swarmId(name: string): string {
  return hexId(`swarm-network:${name}`, 25);
}

function take(net: { subnet: Cidr; used: Set<IPv4> }, pointer: string, what: string): IPv4 {
  for (let ip = net.subnet.addr + 1; ip < broadcastOf(net.subnet); ip++)
    if (!net.used.has(ip)) {
      net.used.add(ip);
      return ip;
    }
  throw impossible(pointer, `no free address left for ${what} in ${formatCidr(net.subnet)}`);
}

function overlayOf(spec: NetworkSpec, at: string, k: number, taken: Cidr[]): Overlay {
  if (spec.name === "ingress" || spec.name === "docker_gwbridge") throw impossible(`${at}/name`, `network name "${spec.name}" is reserved by the swarm`);
  if (spec.options && Object.keys(spec.options).length)
    throw impossible(`${at}/options`, "overlay driver options (encrypted, vxlanid_list...) are not simulated yet");
  let subnet: Cidr;
  if (spec.subnet) subnet = parseCidr(spec.subnet);
  else {
    // swarmkit's default address pool 10.0.0.0/8 in /24s; ingress holds 10.0.0.0/24.
    let n = 1;
    while (taken.some((t) => inCidr(parseIPv4(`10.${n >> 8}.${n & 255}.0`), t))) n++;
    subnet = parseCidr(`10.${n >> 8}.${n & 255}.0/24`);
  }
  const clash = taken.find((t) => inCidr(subnet.addr, t) || inCidr(t.addr, subnet));
  if (clash) throw impossible(`${at}/subnet`, `subnet ${formatCidr(subnet)} of network "${spec.name}" overlaps ${formatCidr(clash)}`);
  taken.push(subnet);
  const gateway = spec.gateway ? parseIPv4(spec.gateway) : subnet.addr + 1;
  if (!inCidr(gateway, subnet)) throw impossible(`${at}/gateway`, `gateway ${formatIPv4(gateway)} is not inside ${formatCidr(subnet)}`);
  return { name: spec.name, id: swarmId(spec.name), subnet, gateway, vni: VNI_BASE + k, ingress: false, attachable: spec.attachable ?? false, used: new Set([gateway]) };
}

function publishedOf(svc: SwarmServiceSpec, at: string): Published[] {
  return (svc.publish ?? []).map((p, k) => {
    if (typeof p === "string") {
      const [ports, proto] = p.split("/");
      const [published, target] = ports!.split(":").map(Number);
      if (!published || published > 65535 || !target || target > 65535) throw impossible(`${at}/publish/${k}`, `"${p}": ports must be 1-65535`);
      return { published, target, proto: (proto ?? "tcp") as Proto, mode: "ingress" as const };
    }
    return { published: p.published, target: p.target, proto: p.protocol, mode: p.mode };
  });
}

/** The nodes' shared LAN: every node on one subnet, whose first address is the gateway. */
function lanOf(s: Scenario): Cidr {
  const nodes = s.swarm!.nodes;
  const lan = parseCidr(nodes[0]!.address);
  const lanNet = parseCidr(`${formatIPv4(lan.addr)}/${lan.prefix}`);
  const seen = new Set<string>();
  nodes.forEach((n, i) => {
    const c = parseCidr(n.address);
    const ip = n.address.split("/")[0]!;
    if (c.prefix !== lanNet.prefix || !inCidr(parseIPv4(ip), lanNet)) throw impossible(`/swarm/nodes/${i}/address`, `node "${n.name}" must be on the same LAN as "${nodes[0]!.name}" (${formatCidr(lanNet)})`);
    if (parseIPv4(ip) === lanNet.addr + 1) throw impossible(`/swarm/nodes/${i}/address`, `${ip} is the LAN's gateway (the subnet's first address)`);
    if (lanNet.prefix < 31 && (parseIPv4(ip) === lanNet.addr || parseIPv4(ip) === broadcastOf(lanNet))) throw impossible(`/swarm/nodes/${i}/address`, `${ip} is the LAN's network or broadcast address`);
    if (seen.has(ip) || seen.has(n.name)) throw impossible(`/swarm/nodes/${i}`, `node "${n.name}" or address ${ip} is given twice`);
    seen.add(ip).add(n.name);
    if (inCidr(parseIPv4(ip), parseCidr("10.0.0.0/8")) || inCidr(parseIPv4(ip), parseCidr("172.16.0.0/12")))
      throw impossible(`/swarm/nodes/${i}/address`, `${n.address} overlaps Docker's address pools (10.0.0.0/8 overlays, 172.16.0.0/12 bridges): use another LAN`);
  });
  return lanNet;
}

function checkScenario(s: Scenario, docker: DockerHost): void {
  // 28 and 29: their host rules are checked against moby's iptablesdoc swarm-portmap.md pages; the
  // sandbox rules (fwMarker, redirector, resolver) are the same code as 20.10's there.
  if (!["20.10", "28", "29"].includes(docker.version.family))
    throw impossible("/docker/version", `swarm is simulated for Docker 20.10, 28 and 29 only (asked: ${docker.version.version})`);
  if (s.rules && Object.keys(s.rules).length) throw impossible("/rules", "pasted rules are not supported with a swarm");
  if (s.daemon && Object.keys(s.daemon).length) throw impossible("/daemon", "daemon options are not simulated with a swarm yet (every node runs the defaults)");
  // host.sysctl (every node's, before dockerd starts) is taken: ip_forward=1 keeps FORWARD's policy.
  const extra = Object.keys(s.host ?? {}).find((k) => k !== "sysctl");
  if (extra) throw impossible(`/host/${extra}`, "with a swarm, each node's address comes from swarm.nodes (only host.sysctl is taken, for every node)");
}

/** The overlay networks the commands create (`docker network create -d overlay`); any other docker command is refused. */
function networksFromCommands(ops: LifecycleOp[]): { spec: NetworkSpec; at: string }[] {
  return ops.map((op) => {
    if (op.op !== "network create") throw impossible(op.at, `"${op.op}" next to a swarm is not simulated yet (swarm init/join, service create and overlay networks are)`);
    if (op.spec.driver !== "overlay") throw impossible(op.at, `network "${op.spec.name}": only overlay networks are simulated with a swarm`);
    return { spec: op.spec, at: op.at };
  });
}

export function buildSwarm(s: Scenario, ops: LifecycleOp[] = []): Swarm {
  const spec = s.swarm!;
  const lan = lanOf(s);
  const nodeScenario = (address: string, containers: ContainerSpec[] = []): Scenario => ({
    ...s,
    host: { interfaces: [{ name: "eth0", address, gateway: formatIPv4(lan.addr + 1) }], ...(s.host?.sysctl ? { sysctl: s.host.sysctl } : {}) },
    networks: [{ name: "docker_gwbridge", driver: "bridge", subnet: GWBRIDGE, options: GWBRIDGE_OPTIONS }],
    containers, commands: undefined, swarm: undefined, daemon: undefined,
  });
  const first = buildDocker(nodeScenario(spec.nodes[0]!.address));
  checkScenario(s, first);

  const taken: Cidr[] = [parseCidr("10.0.0.0/24")];
  const ingress: Overlay = {
    name: "ingress", id: swarmId("ingress"), subnet: parseCidr("10.0.0.0/24"), gateway: parseIPv4("10.0.0.1"), vni: VNI_BASE, ingress: true, attachable: false, used: new Set([parseIPv4("10.0.0.1")]),
  };
  const overlays: Overlay[] = [ingress];
  const specs = [...(s.networks ?? []).map((spec, i) => ({ spec, at: `/networks/${i}` })), ...networksFromCommands(ops)];
  for (const { spec: n, at } of specs) {
    if (n.driver !== "overlay") throw impossible(`${at}/driver`, `only overlay networks are simulated with a swarm (got "${n.driver}")`);
    if (overlays.some((o) => o.name === n.name)) throw impossible(`${at}/name`, `network "${n.name}" is defined twice`);
    overlays.push(overlayOf(n, at, overlays.length, taken));
  }

  const nodes: SwarmNode[] = spec.nodes.map((n, i) => {
    const docker = i === 0 ? first : buildDocker(nodeScenario(n.address));
    const gw = parseCidr(GWBRIDGE);
    const ruleset = new Ruleset();
    return {
      name: n.name, role: n.role, ip: parseIPv4(n.address.split("/")[0]!), lan, docker,
      gwbridge: { subnet: gw, gateway: gw.addr + 1, next: gw.addr + 3 },
      sbox: { ingressIp: take(ingress, `/swarm/nodes/${i}`, "the ingress-sbox"), gwIp: gw.addr + 2, ruleset, commands: withResolver(ruleset), vips: [], backends: new Map() },
      lbs: new Map(),
      tasks: [],
    };
  });
  if (!nodes.some((n) => n.role === "manager")) throw impossible("/swarm/nodes", "a swarm needs at least one manager node");

  let fwmark = FWMARK_BASE;
  const services = (spec.services ?? []).map((svc, i) => {
    const at = `/swarm/services/${i}`;
    const published = publishedOf(svc, at);
    const ports = published.filter((p) => p.mode === "ingress");
    const seenPort = new Set<string>();
    published.forEach((p, k) => {
      const key = `${p.proto}/${p.published}`;
      if (seenPort.has(key)) throw impossible(`${at}/publish/${k}`, `port ${key} is published twice`);
      seenPort.add(key);
    });
    const nets = (svc.networks ?? []).map((name, k) => {
      const o = overlays.find((x) => x.name === name && !x.ingress);
      if (!o) throw impossible(`${at}/networks/${k}`, `overlay network "${name}" not found in networks`);
      return o;
    });
    const eligible = (svc.placement ?? spec.nodes.map((n) => n.name)).map((name, k) => {
      const n = nodes.find((x) => x.name === name);
      if (!n) throw impossible(`${at}/placement/${k}`, `node "${name}" not found in swarm.nodes`);
      return n;
    });
    // every service with a VIP (published ports or a network) gets the node-wide firewall mark
    const service: Service = { name: svc.name, ports, hostPorts: published.filter((p) => p.mode === "host"), fwmark: ports.length || nets.length ? fwmark++ : null, vips: new Map(), networks: nets, tasks: [] };
    return { service, eligible, replicas: svc.replicas, at, published };
  });
  checkPublishConflicts(services.map((x) => ({ name: x.service.name, published: x.published })));

  // Addresses: per service its VIPs, then its tasks (round robin over the eligible nodes).
  for (const { service, eligible, replicas, at } of services) {
    if (services.filter((x) => x.service.name === service.name).length > 1) throw impossible(`${at}/name`, `service "${service.name}" is defined twice`);
    if (nodes.some((n) => n.name === service.name)) throw impossible(`${at}/name`, `"${service.name}" names a node too: flows could not tell them apart`);
    const withIngress = service.ports.length > 0;
    // Without any overlay endpoint the executor leaves the container on the default bridge (docker0).
    if (!withIngress && service.networks.length === 0 && replicas > 0)
      throw impossible(`${at}/networks`, `service "${service.name}" has no overlay network (no networks, no routing-mesh port): its tasks would run on the default bridge, which is not simulated yet`);
    if (withIngress) service.vips.set("ingress", take(ingress, at, `the VIP of "${service.name}"`));
    for (const o of service.networks) service.vips.set(o.name, take(o, at, `the VIP of "${service.name}"`));
    for (let r = 0; r < replicas; r++) {
      const node = eligible[r % eligible.length]!;
      const task: Task = { name: `${service.name}.${r + 1}`, service, node, attachments: [], ruleset: null, commands: [] };
      const nets = [...service.networks, ...(withIngress ? [ingress] : [])];
      nets.forEach((o, k) => {
        const ip = take(o, at, `task ${task.name}`);
        task.attachments.push({ network: o, ifname: `eth${k}`, ip, subnet: o.subnet, mac: macFromIPv4(ip), peer: "" });
      });
      const gwIp = node.gwbridge.next++;
      task.attachments.push({ network: "docker_gwbridge", ifname: `eth${nets.length}`, ip: gwIp, subnet: node.gwbridge.subnet, mac: macFromIPv4(gwIp), peer: `veth${hexId(`veth:${task.name}:docker_gwbridge`, 7)}` });
      service.tasks.push(task);
      node.tasks.push(task);
    }
  }

  const containers = (s.containers ?? []).map((c, i) => standalone(c, `/containers/${i}`, nodes, overlays, services.map((x) => x.service)));
  checkHostPorts(nodes, [...services.map((x) => ({ service: x.service, at: `${x.at}/replicas` })), ...containers.map((t, i) => ({ service: t.service, at: `/containers/${i}/node` }))]);
  // mode=host ports: libnetwork gives the task's docker_gwbridge endpoint (the sandbox's default
  // gateway endpoint, setupDefaultGW) the container's port bindings, so the bridge driver maps them
  // like any container's: the node's DOCKER chains DNAT to the task's docker_gwbridge address.
  // 28+: every docker_gwbridge endpoint (the ingress-sbox's, then the tasks' and containers') is
  // a bridge endpoint whose address only the bridge may reach (filterDirectAccess, raw PREROUTING
  // DROP, 28.2+); 20.10 writes nothing for an endpoint without ports.
  const allEndpoints = first.version.dialect !== "A";
  nodes.forEach((node, i) => {
    const onNode = node.tasks.filter((t) => allEndpoints || t.service.hostPorts.length);
    if (!onNode.length && !allEndpoints) return;
    const gwIp = (t: Task) => t.attachments.at(-1)!.ip;
    const endpoints: ContainerSpec[] = [...onNode].sort((a, b) => gwIp(a) - gwIp(b)).map((t) => ({
      name: t.name, network: "docker_gwbridge", ip: formatIPv4(gwIp(t)),
      ...(t.service.hostPorts.length ? { ports: t.service.hostPorts.map((p) => `${p.published}:${p.target}/${p.proto}`) } : {}),
    }));
    const sbox: ContainerSpec[] = allEndpoints ? [{ name: "ingress-sbox", network: "docker_gwbridge", ip: formatIPv4(node.sbox.gwIp) }] : [];
    node.docker = buildDocker(nodeScenario(spec.nodes[i]!.address, [...sbox, ...endpoints]));
  });

  // The lb-<network> endpoints: one per node with tasks on a user overlay, after the tasks.
  // swarmkit allocates a node's lb attachment when its allocator sees a task assigned to that node
  // (allocator doTaskAlloc -> reallocateNode -> allocateNode), i.e. after the tasks' own addresses,
  // which are allocated when the tasks are created. The scheduler commits a batch of assignments by
  // ranging over a Go map of decisions (applySchedulingDecisions), so which node comes first is
  // random; nfplay takes the nodes in reverse order, as the 20.10 capture had them (node2 .5, node1 .6).
  for (const o of overlays.filter((x) => !x.ingress))
    for (const node of [...nodes].reverse())
      if (node.tasks.some((t) => t.attachments.some((a) => a.network === o))) {
        const ruleset = new Ruleset();
        node.lbs.set(o.name, { ip: take(o, "/swarm", `the lb-${o.name} endpoint of ${node.name}`), network: o, ruleset, commands: withResolver(ruleset), vips: [], backends: new Map() });
      }

  // What each node's dockerd programs, service by service: host DOCKER-INGRESS, the ingress_sbox
  // fwmark service and its real servers, each user overlay's lb_ namespace (the service's VIP
  // there), and each local task's redirect rules.
  for (const node of nodes) {
    const host = new Ipt(node.docker.ruleset, node.docker.commands);
    const sbox = new Ipt(node.sbox.ruleset, node.sbox.commands);
    // libnetwork programs a service's load balancing when its first backend (task) appears.
    for (const { service } of services)
      for (const o of service.tasks.length ? service.networks : []) {
        const lb = node.lbs.get(o.name);
        if (!lb || service.fwmark === null) continue;
        const vip = service.vips.get(o.name)!;
        ingressSboxRules(new Ipt(lb.ruleset, lb.commands), vip, service.fwmark, [], lb.ip, o.subnet);
        lb.vips.push(vip);
        lb.backends.set(service.fwmark, service.tasks.map((t) => t.attachments.find((a) => a.network === o)!.ip));
      }
    for (const { service } of services) {
      if (service.ports.length === 0 || service.tasks.length === 0) continue;
      const vip = service.vips.get("ingress")!;
      programIngress(host, node.sbox.gwIp, service.ports, node.docker.version.dialect);
      ingressSboxRules(sbox, vip, service.fwmark!, service.ports, node.sbox.ingressIp, ingress.subnet);
      node.sbox.vips.push(vip);
      node.sbox.backends.set(service.fwmark!, service.tasks.map((t) => t.attachments.find((a) => a.network === ingress)!.ip));
    }
    for (const task of node.tasks) {
      task.ruleset = new Ruleset();
      task.commands = withResolver(task.ruleset);
      const onIngress = task.attachments.find((a) => a.network === ingress);
      if (onIngress) taskRedirectRules(new Ipt(task.ruleset, task.commands), onIngress.ip, task.service.ports);
    }
  }
  return { docker: first, lanGateway: lan.addr + 1, nodes, overlays, ingress, services: services.map((x) => x.service), containers };
}

/**
 * Docker's embedded DNS resolver in a swarm sandbox: every task (its endpoints are on overlay
 * networks, which are user-defined), the ingress_sbox and each lb_ namespace get it when their
 * first endpoint joins, before any load-balancing rule (as captured in s01-swarm-ingress). Returns
 * the sandbox's command log, which the later rules extend.
 */
function withResolver(ruleset: Ruleset): string[] {
  const ipt = new Ipt(ruleset);
  const { udpPort, tcpPort } = resolverPorts();
  writeResolverRules(ipt, udpPort, tcpPort);
  return ipt.log;
}

/**
 * A standalone container on attachable overlays (docker run --network app on a node): the manager
 * allocates its address on each overlay (a network attachment task, after the services' tasks
 * here), and like a task it gets docker_gwbridge as its default gateway (setupDefaultGW), where
 * its -p ports are mapped (mode=host-like), and the embedded DNS resolver.
 */
function standalone(c: ContainerSpec, at: string, nodes: SwarmNode[], overlays: Overlay[], services: Service[]): Task {
  for (const key of ["ip", "ip6", "expose", "publish-all"] as const)
    if (c[key] !== undefined) throw impossible(`${at}/${key}`, `"${key}" for a container on an overlay network is not simulated yet`);
  if ((c.state ?? "running") !== "running") throw impossible(`${at}/state`, "only running containers are simulated next to a swarm");
  const taken = [...nodes.map((n) => n.name), ...services.flatMap((sv) => [sv.name, ...sv.tasks.map((t) => t.name)]), ...nodes.flatMap((n) => n.tasks.map((t) => t.name))];
  if (taken.includes(c.name)) throw impossible(`${at}/name`, `"${c.name}" already names a node, a service, a task or a container`);
  const node = c.node === undefined ? nodes[0]! : nodes.find((n) => n.name === c.node);
  if (!node) throw impossible(`${at}/node`, `node "${c.node}" not found in swarm.nodes`);
  if (c.network === undefined) throw impossible(`${at}/network`, "next to a swarm a container must name an attachable overlay network (the default bridge is not simulated there yet)");
  const names = typeof c.network === "string" ? [c.network] : c.network;
  const nets = names.map((name, k) => {
    const where = typeof c.network === "string" ? `${at}/network` : `${at}/network/${k}`;
    const o = overlays.find((x) => x.name === name && !x.ingress);
    if (!o) throw impossible(where, `overlay network "${name}" not found in networks (next to a swarm only attachable overlays are simulated)`);
    // dockerd: "Could not attach to network app: rpc error: ... network app not manually attachable"
    if (!o.attachable) throw impossible(where, `network "${name}" is not manually attachable: create it with --attachable`);
    return o;
  });
  const hostPorts = (c.ports ?? []).map((spec, k): Published => {
    const m = /^(\d{1,5}):(\d{1,5})(?:\/(tcp|udp))?$/.exec(spec);
    if (!m || !Number(m[1]) || Number(m[1]) > 65535 || !Number(m[2]) || Number(m[2]) > 65535)
      throw impossible(`${at}/ports/${k}`, `"${spec}": only HOST_PORT:CONTAINER_PORT[/tcp|udp] is simulated for a container on an overlay network`);
    return { published: Number(m[1]), target: Number(m[2]), proto: (m[3] ?? "tcp") as Proto, mode: "host" };
  });
  const service: Service = { name: c.name, ports: [], hostPorts, fwmark: null, vips: new Map(), networks: nets, tasks: [] };
  const task: Task = { name: c.name, service, node, attachments: [], ruleset: null, commands: [], standalone: true };
  nets.forEach((o, k) => {
    const ip = take(o, at, `container ${c.name}`);
    task.attachments.push({ network: o, ifname: `eth${k}`, ip, subnet: o.subnet, mac: macFromIPv4(ip), peer: "" });
  });
  const gwIp = node.gwbridge.next++;
  task.attachments.push({ network: "docker_gwbridge", ifname: `eth${nets.length}`, ip: gwIp, subnet: node.gwbridge.subnet, mac: macFromIPv4(gwIp), peer: `veth${hexId(`veth:${c.name}:docker_gwbridge`, 7)}` });
  node.tasks.push(task);
  return task;
}

/** Two services cannot publish the same port: the routing mesh holds it on every node. */
function checkPublishConflicts(services: { name: string; published: Published[] }[]): void {
  const owner = new Map<string, { name: string; mode: string }>();
  services.forEach((svc, i) =>
    svc.published.forEach((p, k) => {
      const key = `${p.proto}/${p.published}`;
      const other = owner.get(key);
      // mode=host ports of two services only clash on a node that runs tasks of both (checked after placement)
      if (other && (other.mode === "ingress" || p.mode === "ingress"))
        throw impossible(`/swarm/services/${i}/publish/${k}`, `port ${key} is already in use by service "${other.name}"`);
      if (!other || p.mode === "ingress") owner.set(key, { name: svc.name, mode: p.mode });
    }),
  );
}

/** mode=host: a node can bind a published port once; swarmkit's scheduler would leave a second task pending. */
function checkHostPorts(nodes: SwarmNode[], services: { service: Service; at: string }[]): void {
  for (const node of nodes) {
    const seen = new Map<string, string>();
    for (const t of node.tasks)
      for (const p of t.service.hostPorts) {
        const key = `${p.proto}/${p.published}`;
        const at = services.find((x) => x.service === t.service)!.at;
        if (seen.has(key)) throw impossible(at, `tasks ${seen.get(key)} and ${t.name} would both publish ${key} (mode=host) on ${node.name}: the scheduler leaves one pending (use placement or fewer replicas)`);
        seen.set(key, t.name);
      }
  }
}
