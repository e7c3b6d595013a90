// The request body of POST /simulate (and input of `nfplay simulate`), as the public
// contract (shared/api-contract.md) describes it. Objects are strict so that a typo in a
// key is reported with its JSON pointer instead of being silently ignored.
import { z } from "zod";
import { isIPv4, isIPv4Cidr, isIP, isIPv6, isIPv6Cidr } from "../net/address.js";

/** Caps that keep every scenario small enough to simulate well inside one request. */
export const LIMITS = {
  bodyBytes: 131072,
  networks: 32,
  containers: 256,
  portsPerContainer: 64,
  flows: 64,
  commands: 256,
  commandLength: 2048,
  nameLength: 128,
  rulesText: 96 * 1024,
  composeText: 64 * 1024,
} as const;

const name = z
  .string()
  .min(1)
  .max(LIMITS.nameLength)
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, "must be a Docker name: [a-zA-Z0-9][a-zA-Z0-9_.-]*");

const ipv4 = z.string().refine(isIPv4, "must be an IPv4 address");
const ipv4Cidr = z.string().refine(isIPv4Cidr, "must be an IPv4 CIDR such as 172.17.0.1/16");
const anyIp = z.string().refine(isIP, "must be an IPv4 or IPv6 address");
const ipv6 = z.string().refine(isIPv6, "must be an IPv6 address");
const ipv6Cidr = z.string().refine(isIPv6Cidr, "must be an IPv6 CIDR such as fd00::1/64");

/**
 * What people paste as a version: "v20.10.24", Debian's "20.10.24+dfsg1", "27.0.0-rc.1" (a
 * pre-release is simulated as the release it leads to: same rule family) or the whole
 * `docker --version` line "Docker version 20.10.24, build 297e128" (src/docker/version.ts).
 */
export const VERSION_TEXT = /^(?:Docker version\s+)?v?(\d+(?:\.\d+){0,2})(?:[-+~][0-9A-Za-z.+~-]*)?(?:,\s*build\s+[0-9A-Za-z]+)?$/;

export const dockerSchema = z.strictObject({
  version: z
    .string()
    .max(64)
    .regex(VERSION_TEXT, "must be a Docker release such as \"20.10\", \"26\", \"20.10.24\" or \"20.10.24+dfsg1\"")
    .optional(),
});

const addressPool = z.strictObject({ base: ipv4Cidr, size: z.number().int().min(1).max(32) });

export const daemonSchema = z.strictObject({
  bip: ipv4Cidr.optional(),
  "fixed-cidr": ipv4Cidr.optional(),
  mtu: z.number().int().min(68).max(65535).optional(),
  iptables: z.boolean().optional(),
  ip6tables: z.boolean().optional(),
  "ip-forward": z.boolean().optional(),
  "ip-masq": z.boolean().optional(),
  icc: z.boolean().optional(),
  "userland-proxy": z.boolean().optional(),
  ip: anyIp.optional(),
  "default-address-pools": z.array(addressPool).max(32).optional(),
  "firewall-backend": z.enum(["iptables", "nftables"]).optional(),
  bridge: z.string().min(1).max(15).optional(),
  "ip-forward-no-drop": z.boolean().optional(),
  "allow-direct-routing": z.boolean().optional(),
  /** IPv6 subnet of the default bridge (docker0 gets its ::1); only the topology uses it so far. */
  "fixed-cidr-v6": ipv6Cidr.optional(),
  /** dockerd --ipv6: IPv6 on the default bridge (needs fixed-cidr-v6). */
  ipv6: z.boolean().optional(),
  /** 24+: options every new network of a driver gets unless it sets them ({"bridge": {"com.docker.network.bridge.enable_icc": "false"}}). */
  "default-network-opts": z.record(z.string().regex(/^[a-z][a-z0-9_.-]*$/, "must be a driver name such as bridge").max(64), z.record(z.string().max(128), z.string().max(256))).optional(),
  /** Where docker-proxy lives: accepted, no effect on the simulation. */
  "userland-proxy-path": z.string().max(256).optional(),
  /** Overlay control-plane MTU: accepted, no effect on bridge networks. */
  "network-control-plane-mtu": z.number().int().min(68).max(65535).optional(),
  /** Known to Docker, not simulated yet: a 422 naming them (src/docker/OPTIONS.md). */
  bip6: ipv6Cidr.optional(),
  "default-gateway": ipv4.optional(),
  "default-gateway-v6": ipv6.optional(),
  "bridge-accept-fwmark": z.string().max(32).optional(),
});

const hostInterface = z.strictObject({
  /** "loopback0" marks a WSL2 host in mirrored networking mode: nfplay adds Docker 28/29's loopback0 rules. */
  name: z.string().min(1).max(15).regex(/^[a-zA-Z0-9_.-]+$/, "must be an interface name"),
  address: ipv4Cidr,
  gateway: ipv4.optional(),
  /** An IPv6 address of the interface ("2001:db8:1::10/64") and its IPv6 default gateway. */
  address6: ipv6Cidr.optional(),
  gateway6: ipv6.optional(),
});

export const hostSchema = z.strictObject({
  interfaces: z.array(hostInterface).min(1).max(8).optional(),
  sysctl: z.record(z.string().max(128), z.union([z.number().int(), z.string().max(64)])).optional(),
  /** The user's own iptables/ip6tables commands ("iptables -I DOCKER-USER -i eth0 ! -s 192.168.1.1 -j DROP"), run after Docker's rules. */
  iptables: z.array(z.string().min(1).max(LIMITS.commandLength)).max(LIMITS.commands).optional(),
});

const savedRules = z.strictObject({
  "iptables-save": z.string().max(LIMITS.rulesText).optional(),
  "ip6tables-save": z.string().max(LIMITS.rulesText).optional(),
  /** The namespace's ipsets as `ipset save` prints them; `-m set` rules refer to them by name. */
  "ipset-save": z.string().max(LIMITS.rulesText).optional(),
  /** `nft list ruleset` text (the nftables backend's tables, or your own). */
  nft: z.string().max(LIMITS.rulesText).optional(),
});

/**
 * A remote (plugin) network driver's answers, in libnetwork's remote protocol JSON
 * (NetworkDriver.CreateEndpoint and .Join responses), plus what the plugin does on the host
 * that the protocol does not carry: how the host side of the veth is wired and its iptables
 * commands. See src/docker/drivers/remote.ts.
 */
const pluginRoute = z.strictObject({
  Destination: ipv4Cidr,
  /** 0: via NextHop, 1: connected (on the interface). */
  RouteType: z.union([z.literal(0), z.literal(1)]),
  NextHop: ipv4.optional(),
});

export const pluginSchema = z.strictObject({
  name: z.string().min(1).max(LIMITS.nameLength).regex(/^[a-zA-Z0-9][a-zA-Z0-9_.\/:-]*$/, "must be a plugin name"),
  CreateEndpoint: z.strictObject({
    Interface: z.strictObject({ MacAddress: z.string().regex(/^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$/, "must be a MAC address").optional() }).optional(),
  }).optional(),
  Join: z.strictObject({
    InterfaceName: z.strictObject({
      SrcName: z.string().min(1).max(15).regex(/^[a-zA-Z0-9_.-]+$/, "must be an interface name"),
      DstPrefix: z.string().min(1).max(12).regex(/^[a-zA-Z_.-]+$/, "must be an interface name prefix"),
    }).optional(),
    Gateway: ipv4.optional(),
    StaticRoutes: z.array(pluginRoute).max(16).optional(),
    DisableGatewayService: z.boolean().optional(),
  }).optional(),
  /** The plugin's bridge (with the network's gateway address) or per-container host routes. */
  hostSide: z.union([
    z.strictObject({ bridge: z.string().min(1).max(15).regex(/^[a-zA-Z0-9_.-]+$/, "must be an interface name") }),
    z.strictObject({ route: z.literal(true) }),
  ]).optional(),
  /** iptables commands the plugin runs when the network is created, e.g. "-t nat -A POSTROUTING -s 10.9.0.0/24 -j MASQUERADE". */
  rules: z.array(z.string().min(1).max(1024)).max(64).optional(),
});

export const networkSchema = z.strictObject({
  name,
  driver: z.enum(["bridge", "host", "null", "overlay", "macvlan", "ipvlan", "remote"]).default("bridge"),
  subnet: ipv4Cidr.optional(),
  gateway: ipv4.optional(),
  "ip-range": ipv4Cidr.optional(),
  /** IPv6 subnet of the bridge (its gateway is ::1 of it unless gateway6 says otherwise). */
  subnet6: ipv6Cidr.optional(),
  gateway6: ipv6.optional(),
  /** docker network create --ipv6 (compose enable_ipv6); implied by subnet6. */
  ipv6: z.boolean().optional(),
  internal: z.boolean().optional(),
  options: z.record(z.string().max(128), z.string().max(256)).optional(),
  /** driver "remote": the plugin's answers (libnetwork remote protocol). */
  plugin: pluginSchema.optional(),
  /** driver "overlay": docker network create --attachable (standalone containers may join). */
  attachable: z.boolean().optional(),
});

/** A compose-style port string: [HOST_IP:][HOST_PORT[-END]:]CONTAINER_PORT[-END][/PROTO]. */
/** The host address of a port spec, if any, is a real address (the regex only shapes it). */
function validPortHostIp(spec: string): boolean {
  const ip = PORT_SPEC.exec(spec)?.[1];
  if (ip === undefined) return true;
  return ip.startsWith("[") ? isIPv6(ip.slice(1, -1)) : isIPv4(ip);
}

export const PORT_SPEC = /^(?:(\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:.]+\]):)?(?:(\d{0,5}(?:-\d{1,5})?):)?(\d{1,5}(?:-\d{1,5})?)(?:\/(tcp|udp|sctp))?$/;

export const containerSchema = z.strictObject({
  name,
  network: z.union([z.string().min(1).max(LIMITS.nameLength), z.array(name).min(1).max(8)]).optional(),
  ip: ipv4.optional(),
  /** The container's IPv6 address on its first network (default: the subnet6 address with the IPv4 host part). */
  ip6: ipv6.optional(),
  ports: z
    .array(
      z
        .string()
        .regex(PORT_SPEC, "must be a port like \"8080:80\", \"127.0.0.1:53:53/udp\" or \"9000-9002:9000-9002\"")
        .refine(validPortHostIp, "has an invalid host IP address (an IPv4 address, or IPv6 in brackets: \"[::1]:8080:80\")"),
    )
    .max(LIMITS.portsPerContainer)
    .optional(),
  expose: z.array(z.string().regex(/^\d{1,5}(-\d{1,5})?(\/(tcp|udp|sctp))?$/, "must be a port like \"80\" or \"53/udp\"")).max(LIMITS.portsPerContainer).optional(),
  "publish-all": z.boolean().optional(),
  /** docker run --mac-address: the MAC of the container's interface on its first network. */
  "mac-address": z.string().regex(/^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$/, "must be a MAC address such as 02:42:ac:11:00:99").optional(),
  /** running (default); created/stopped: no address and no ports until a later `docker start`. */
  state: z.enum(["running", "created", "stopped"]).optional(),
  /** With a swarm: the node the container runs on (default: the first node); its networks are attachable overlays. */
  node: name.optional(),
});

/**
 * What a CI job or a docs check expects of a flow (`nfplay check`, POST /check). Additive:
 * the engine ignores it; only the checks read it.
 */
export const flowExpectSchema = z.strictObject({
  verdict: z.enum(["delivered", "dropped", "rejected", "unroutable"]).optional(),
  deliveredTo: z
    .string()
    .min(1)
    .max(LIMITS.nameLength)
    .describe('"NAMESPACE", "NAMESPACE:PORT" or "IP:PORT" of where the first packet must arrive')
    .optional(),
  connects: z.boolean().optional(),
  passes: z
    .union([z.string().min(1).max(1024), z.array(z.string().min(1).max(1024)).max(32)])
    .describe("rule text (a substring of an -A line) that must be among the steps")
    .optional(),
});

/** What a CI job expects of the rules: lines that must (not) be there, or the whole golden text. */
export const scenarioExpectSchema = z.strictObject({
  rules: z
    .strictObject({
      mustContain: z.array(z.string().min(1).max(1024)).max(256).optional(),
      mustNotContain: z.array(z.string().min(1).max(1024)).max(256).optional(),
    })
    .optional(),
  "iptables-save": z.string().max(LIMITS.rulesText).describe("golden iptables-save of the host (comments and counters ignored)").optional(),
});

/** Free text shown line by line (trace headers, Markdown tables): no control characters or line breaks. */
const oneLine = z
  .string()
  .min(1)
  .max(LIMITS.nameLength)
  .regex(/^[^\p{Cc}\u2028\u2029]*$/u, "must not contain control characters or line breaks");

export const flowSchema = z.strictObject({
  name: oneLine.optional(),
  from: oneLine,
  to: oneLine,
  proto: z.enum(["tcp", "udp", "sctp", "icmp"]).default("tcp"),
  /** Which address of a named endpoint (host, container, external) to use; "ipv6" traces over IPv6. */
  family: z.enum(["ipv4", "ipv6"]).optional(),
  state: z.enum(["new", "established"]).optional(),
  expect: flowExpectSchema.optional(),
});

/**
 * A swarm of Docker hosts (src/docker/swarm/): its nodes on one LAN and its services. With a
 * swarm, flows name nodes ("node2:8080"), tasks ("web.1") and "external" (a client behind the LAN's
 * gateway). Tasks are placed round robin over the nodes in order (or over `placement`).
 */
const swarmNode = z.strictObject({
  name,
  /** The node's eth0 address on the LAN, e.g. "203.0.113.11/24" (the LAN's gateway is its .1). */
  address: ipv4Cidr,
  role: z.enum(["manager", "worker"]).default("worker"),
});

/** docker service create --publish: "8080:80", "8080:80/udp" or the long form. */
const servicePublish = z.union([
  z.string().regex(/^\d{1,5}:\d{1,5}(\/(tcp|udp))?$/, "must be a publish like \"8080:80\" or \"5353:53/udp\""),
  z.strictObject({
    published: z.number().int().min(1).max(65535),
    target: z.number().int().min(1).max(65535),
    protocol: z.enum(["tcp", "udp"]).default("tcp"),
    mode: z.enum(["ingress", "host"]).default("ingress"),
  }),
]);

export const swarmServiceSchema = z.strictObject({
  name,
  replicas: z.number().int().min(0).max(32).default(1),
  publish: z.array(servicePublish).max(16).optional(),
  /** Overlay networks (from `networks`, driver overlay) the tasks join besides ingress. */
  networks: z.array(name).max(8).optional(),
  /** Node names the tasks may run on (round robin over them); default every node. */
  placement: z.array(name).min(1).max(16).optional(),
});

export const swarmSchema = z.strictObject({
  nodes: z.array(swarmNode).min(1).max(8),
  services: z.array(swarmServiceSchema).max(16).optional(),
});

export const scenarioSchema = z.strictObject({
  docker: dockerSchema.optional(),
  daemon: daemonSchema.optional(),
  host: hostSchema.optional(),
  rules: z.record(z.string().max(LIMITS.nameLength), savedRules).optional(),
  networks: z.array(networkSchema).max(LIMITS.networks).optional(),
  containers: z.array(containerSchema).max(LIMITS.containers).optional(),
  commands: z.array(z.string().max(LIMITS.commandLength)).max(LIMITS.commands).optional(),
  /** A compose file (YAML text): its networks and services, as `docker compose up` creates them. */
  compose: z.string().max(LIMITS.composeText).optional(),
  /** The compose project name (default "nfplay"): networks <project>_<name>, containers <project>-<service>-N. */
  project: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, "must be a compose project name: [a-z0-9][a-z0-9_-]*").max(64).optional(),
  flows: z.array(flowSchema).max(LIMITS.flows).optional(),
  expect: scenarioExpectSchema.optional(),
  /** A swarm of hosts and its services (overlay networks, the ingress routing mesh). */
  swarm: swarmSchema.optional(),
});

export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type NetworkSpec = z.output<typeof networkSchema>;
export type PluginSpec = z.output<typeof pluginSchema>;
export type ContainerSpec = z.output<typeof containerSchema>;
export type FlowSpec = z.output<typeof flowSchema>;
export type SwarmSpec = z.output<typeof swarmSchema>;
export type SwarmServiceSpec = z.output<typeof swarmServiceSchema>;
export type DaemonSpec = z.output<typeof daemonSchema>;
export type FlowExpect = z.output<typeof flowExpectSchema>;
export type ScenarioExpect = z.output<typeof scenarioExpectSchema>;
