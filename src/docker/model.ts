// What dockerd does for a scenario: IPAM, names, MACs, veths, port allocation, and the
// iptables commands of the version's dialect applied to the host's ruleset, in dockerd's order.
import { formatIPv4, inCidr, parseCidr, parseIPv4, broadcastOf, formatCidr, type Cidr, type IPv4 } from "../net/address.js";
import { formatCidr6, formatIPv6, inCidr6, isIPv6, parseCidr6, parseIPv6, type Cidr6, type IPv6 } from "../net/address.js";
import { impossible } from "../errors.js";
import { Ruleset } from "../netfilter/ruleset.js";
import type { ContainerSpec, NetworkSpec, Scenario } from "../scenario/schema.js";
import type { Proto } from "../netfilter/types.js";
import type { Dialect } from "./dialect.js";
import { DialectA } from "./dialect-a.js";
import { DialectB } from "./dialect-b.js";
import { DialectC } from "./dialect-c.js";
import { DialectD } from "./dialect-d.js";
import { DialectE } from "./dialect-e.js";
import { Nftabler } from "./nftabler.js";
import { NftRuleset } from "../nftables/ruleset.js";
import type { Resolver } from "./dns.js";
import { applyDriver, checkDriver, driverEndpoint, DRIVERS, markDriver, type DriverConfig } from "./drivers/index.js";
import { bridgeMac, hexId, macFromIPv4, randomMac } from "./ids.js";
import { Ipt } from "./ipt.js";
import { allocate, expandRequest, parsePortSpec, PortAllocator, sortBindings, type PendingBinding, type PortBinding } from "./ports.js";
import { atLeast, resolveVersion, type DockerVersion } from "./version.js";
import {
  boolOption, checkBridgeOptions, hostBindingOption, checkDaemonOptions, containerIfname, ENABLE_ICC, ENABLE_IPV6, ENABLE_MASQUERADE, GATEWAY_MODE, GATEWAY_MODE6,
  HOST_IPV4, HOST_IPV6, IFACE_PREFIX, INHIBIT_IPV4, iptablesFwMark, optionPointer, TRUSTED, withDefaultOptions,
} from "./options.js";

/** daemon.json default-network-opts: driver -> options (24+). */
type DefaultNetworkOpts = Record<string, Record<string, string>>;

export interface DaemonConfig {
  bip: string;
  /** --bip given: docker0's address is fixed; otherwise IPAM picks it (matters with --fixed-cidr). */
  bipGiven: boolean;
  fixedCidr: string | null;
  mtu: number;
  iptables: boolean;
  /** On by default from 27; needs --experimental before (not simulated there). */
  ip6tables: boolean;
  ipForward: boolean;
  /** --ip-forward-no-drop (28+): never set the FORWARD policy to DROP. */
  ipForwardNoDrop: boolean;
  /** --allow-direct-routing (28.2+): no per-container raw DROP. */
  allowDirectRouting: boolean;
  /** --bridge=none: no default bridge network. */
  noDefaultBridge: boolean;
  /** default-network-opts (24+): driver -> options a new network gets unless it sets them. */
  defaultNetworkOpts?: DefaultNetworkOpts;
  /** bridge-accept-fwmark (29+): "MARK[/MASK]" in decimal, accepted in DOCKER-FORWARD for non-internal bridges. */
  acceptFwMark?: string;
  ipMasq: boolean;
  icc: boolean;
  userlandProxy: boolean;
  ip: string;
  pools: { base: string; size: number }[];
  /** "firewall-backend" (29+): "nftables" writes the docker-bridges tables instead of iptables. */
  firewallBackend: "iptables" | "nftables";
  /** --ipv6 with --fixed-cidr-v6: docker0's IPv6 subnet (null: docker0 is IPv4-only). */
  fixedCidrV6: Cidr6 | null;
  /** --bip6: docker0's IPv6 address (its subnet is fixedCidrV6). */
  bip6Gateway?: string;
  /** --default-gateway(-v6): docker0's containers route via this address instead of docker0's own. */
  defaultGateway?: string;
  defaultGateway6?: string;
  /** net.ipv6.conf.all.forwarding was 1 before dockerd started. */
  ip6ForwardWasOn: boolean;
  /**
   * WSL2 mirrored networking: the host has a `loopback0` interface (host.interfaces). dockerd
   * (isRunningUnderWSL2MirroredMode) also wants /usr/bin/wslinfo, which such a host has.
   */
  wsl2Mirrored: boolean;
}

export interface HostInterface {
  name: string;
  address: string;
  gateway: string | null;
}

export interface DockerNetwork {
  name: string;
  id: string;
  driver: "bridge" | "host" | "null" | "macvlan" | "ipvlan" | "remote";
  /** macvlan, ipvlan, remote: the driver's settings (src/docker/drivers). */
  driverConfig?: DriverConfig;
  bridge: string;
  subnet: Cidr;
  gateway: IPv4;
  ipRange: Cidr | null;
  internal: boolean;
  icc: boolean;
  masquerade: boolean;
  hostBindingIpv4: string | null;
  /** com.docker.network.bridge.gateway_mode_ipv4 (27+; nat-unprotected 28+). */
  gatewayMode: "nat" | "nat-unprotected" | "routed";
  /** com.docker.network.host_ipv4: SNAT to this address instead of MASQUERADE (27+ here). */
  hostIpv4: string | null;
  /** com.docker.network.bridge.trusted_host_interfaces (28.2+). */
  trustedInterfaces: string[];
  /** com.docker.network.bridge.inhibit_ipv4: the bridge gets no IPv4 address (the rules are unchanged; capture o02). */
  inhibitIPv4?: boolean;
  /** 28+ gateway mode isolated, or inhibit_ipv4 on an internal network: no IPv4 gateway at all (gateway holds the network address). */
  noGateway?: boolean;
  /** com.docker.network.container_iface_prefix: the container's interface is PREFIX<N> instead of eth<N>. */
  ifacePrefix?: string;
  /** docker0 with --default-gateway(-v6): the containers' default routes go via these addresses (reserved in IPAM). */
  containerGateway?: IPv4;
  containerGateway6?: IPv6;
  used: Set<IPv4>;
  /** IPv6 (--ipv6 --subnet fd..::/64, or docker0 with --ipv6 --fixed-cidr-v6); null: IPv4 only. */
  subnet6: Cidr6 | null;
  gateway6: IPv6 | null;
  used6: Set<IPv6>;
  /** com.docker.network.bridge.gateway_mode_ipv6 (27+). */
  gatewayMode6: "nat" | "nat-unprotected" | "routed";
  /** com.docker.network.host_ipv6: SNAT to this address instead of MASQUERADE (27+). */
  hostIpv6: string | null;
}

export interface Endpoint {
  network: DockerNetwork;
  ifname: string;
  ip: IPv4;
  mac: string;
  hostVeth: string;
  hostVethMac: string;
  /** The endpoint's IPv6 address when its network has IPv6. */
  ip6: IPv6 | null;
}

export interface DockerContainer {
  name: string;
  /** "bridge": own namespace on bridge networks; "host": the host's; "none": loopback only. */
  mode: "bridge" | "host" | "none";
  endpoints: Endpoint[];
  ports: PortBinding[];
  exposed: { port: number; proto: Proto }[];
}

export interface DockerHost {
  version: DockerVersion;
  daemon: DaemonConfig;
  interfaces: HostInterface[];
  ipForwardBefore: boolean;
  networks: DockerNetwork[];
  containers: DockerContainer[];
  ruleset: Ruleset;
  /** ip6tables state (27+, ip6tables on): what dockerd writes there for IPv4-only networks. */
  ruleset6: Ruleset | null;
  /** The nftables ruleset, with "firewall-backend": "nftables" (null otherwise). */
  nft: NftRuleset | null;
  /** Docker turned IPv6 forwarding on (an IPv6 network with --ip-forward). */
  ip6Forward: boolean;
  /** The host's ipsets dockerd keeps (28.0.0's docker-ext-bridges-v4/-v6), or null. */
  ipsets: { save(): string } | null;
  commands: string[];
  bridgeMacs: Map<string, string>;
  /** Host ports taken so far, by "proto/port" (conflict checks stay O(1) per binding). */
  bound: Map<string, { owner: DockerContainer; hostIp: string }[]>;
  /** 20.10 portallocator: the last port handed out per (host IP, proto, requested range). */
  rangeLast: Map<string, number>;
  /** What later lifecycle operations (src/docker/lifecycle.ts) allocate and program with. */
  runtime?: { ipam: Ipam; alloc: PortAllocator; dialect: Dialect | null };
  /** Embedded DNS: the resolver (and its rules in the container netns) per running container (engine.ts fills it). */
  resolvers: Map<string, Resolver>;
}

const DEFAULT_POOLS = [
  { base: "172.17.0.0/16", size: 16 }, { base: "172.18.0.0/16", size: 16 }, { base: "172.19.0.0/16", size: 16 },
  { base: "172.20.0.0/14", size: 16 }, { base: "172.24.0.0/14", size: 16 }, { base: "172.28.0.0/14", size: 16 },
  { base: "192.168.0.0/16", size: 20 },
];

export const DEFAULT_HOST_INTERFACE: HostInterface = { name: "eth0", address: "203.0.113.10/24", gateway: "203.0.113.1" };

function daemonConfig(s: Scenario, version: DockerVersion): DaemonConfig {
  const d = s.daemon ?? {};
  const classic = version.dialect === "A";
  if (d["firewall-backend"] === "nftables" && version.dialect !== "E")
    throw impossible("/daemon/firewall-backend", "the nftables backend exists only in Docker 29");
  // --ip6tables needs --experimental in 20.10-26: ip6tables: true stands for both there.
  if (d.ipv6 && !d["fixed-cidr-v6"] && !d.bip6)
    throw impossible("/daemon/fixed-cidr-v6", "ipv6 on the default bridge needs fixed-cidr-v6 (nfplay does not draw Docker's ULA prefix)");
  if (d["ip-forward-no-drop"] !== undefined && !atLeast(version, "28.0.0")) throw impossible("/daemon/ip-forward-no-drop", "--ip-forward-no-drop exists from Docker 28.0");
  if (d["allow-direct-routing"] !== undefined && !atLeast(version, "28.2.0")) throw impossible("/daemon/allow-direct-routing", "--allow-direct-routing exists from Docker 28.2");
  if (d.bridge !== undefined && d.bridge !== "none") throw impossible("/daemon/bridge", "only \"none\" (no default bridge) is simulated; an existing bridge device is not");
  checkDaemonOptions(d, version);
  return {
    ip6tables: d.ip6tables ?? !classic,
    // --bip6 (28+): docker0's IPv6 subnet and its own address (getDefaultBridgeIPAMConf: PreferredPool, Gateway).
    fixedCidrV6: !d.ipv6 ? null : d.bip6 ? parseCidr6(d.bip6) : d["fixed-cidr-v6"] ? parseCidr6(d["fixed-cidr-v6"]) : null,
    ...(d.ipv6 && d.bip6 ? { bip6Gateway: d.bip6.split("/")[0]! } : {}),
    ...(d["default-gateway"] ? { defaultGateway: d["default-gateway"] } : {}),
    ...(d["default-gateway-v6"] ? { defaultGateway6: d["default-gateway-v6"] } : {}),
    ip6ForwardWasOn: Number(s.host?.sysctl?.["net.ipv6.conf.all.forwarding"] ?? 0) === 1,
    wsl2Mirrored: (s.host?.interfaces ?? []).some((i) => i.name === "loopback0"),
    ipForwardNoDrop: d["ip-forward-no-drop"] ?? false,
    allowDirectRouting: d["allow-direct-routing"] ?? false,
    firewallBackend: d["firewall-backend"] ?? "iptables",
    noDefaultBridge: d.bridge === "none",
    defaultNetworkOpts: d["default-network-opts"] ?? {},
    ...(d["bridge-accept-fwmark"] ? { acceptFwMark: iptablesFwMark(d["bridge-accept-fwmark"], d["firewall-backend"] ?? "iptables") } : {}),
    bip: d.bip ?? "172.17.0.1/16",
    bipGiven: d.bip !== undefined,
    fixedCidr: d["fixed-cidr"] ?? null,
    mtu: d.mtu ?? 1500,
    iptables: d.iptables ?? true,
    ipForward: d["ip-forward"] ?? true,
    // dockerd turns ip-masq off with --iptables=false (daemon_unix.go verifyDaemonSettings).
    ipMasq: (d["ip-masq"] ?? true) && (d.iptables ?? true),
    icc: d.icc ?? true,
    userlandProxy: d["userland-proxy"] ?? true,
    // An IPv6 --ip makes docker0's implicit bindings IPv6-only at that address (configurePortBindingIPv4
    // skips them), like an explicit [addr]:port (capture o05).
    ip: d.ip === undefined ? "0.0.0.0" : isIPv6(d.ip) ? formatIPv6(parseIPv6(d.ip)) : d.ip,
    pools: d["default-address-pools"] ?? DEFAULT_POOLS,
  };
}

/** Split the address pools into candidate subnets, in Docker's order. */
function* candidateSubnets(pools: { base: string; size: number }[]): Generator<Cidr> {
  for (const pool of pools) {
    const base = parseCidr(pool.base);
    if (pool.size < base.prefix) continue;
    const count = 2 ** (pool.size - base.prefix);
    const step = 2 ** (32 - pool.size);
    for (let i = 0; i < count && i < 65536; i++) yield parseCidr(`${formatIPv4(base.addr + i * step)}/${pool.size}`);
  }
}

// The pools' candidate subnets, listed once per pools array (the defaults: once per process).
const candidateCache = new WeakMap<object, readonly Cidr[]>();
function candidatesOf(pools: { base: string; size: number }[]): readonly Cidr[] {
  let all = candidateCache.get(pools);
  if (!all) candidateCache.set(pools, (all = [...candidateSubnets(pools)]));
  return all;
}

function overlaps(a: Cidr, b: Cidr): boolean {
  return inCidr(a.addr, b) || inCidr(b.addr, a);
}

export class Ipam {
  private taken: Cidr[] = [];
  private index = 0; // family A's rotating allocator: a freed subnet is not reused until wrap
  /** linear: 27+'s allocator, always the lowest free pool (moby#47768). */
  constructor(private pools: { base: string; size: number }[], private reserved: Cidr[], private linear: boolean) {}

  claim(subnet: Cidr, pointer: string, name: string): void {
    const clash = this.taken.find((t) => overlaps(t, subnet));
    if (clash) throw impossible(pointer, `subnet ${formatCidr(subnet)} of network "${name}" overlaps ${formatCidr(clash)}, already in use`);
    this.taken.push(subnet);
  }

  /** `docker network rm`: the subnet is free again (family A's rotation goes on from where it was). */
  release(subnet: Cidr): void {
    this.taken = this.taken.filter((t) => t.addr !== subnet.addr || t.prefix !== subnet.prefix);
  }

  next(pointer: string, name: string): Cidr {
    const all = candidatesOf(this.pools);
    for (let k = 0; k < all.length; k++) {
      const i = this.linear ? k : (this.index + k) % all.length;
      const shared = all[i]!;
      if (this.taken.some((t) => overlaps(t, shared)) || this.reserved.some((r) => overlaps(r, shared))) continue;
      const c = { ...shared }; // the network's own object: the cached list is shared by every simulation
      this.index = i + 1;
      this.taken.push(c);
      return c;
    }
    throw impossible(pointer, this.linear
      ? `network "${name}": all predefined address pools have been fully subnetted`
      : `network "${name}": could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network`);
  }
}

function firstFree(net: DockerNetwork, pointer: string): IPv4 {
  const pool = net.ipRange ?? net.subnet;
  // A sub-pool (--ip-range, --fixed-cidr) reserves neither its first nor its last address.
  const sub = net.ipRange !== null;
  const lo = sub ? pool.addr : pool.addr + 1;
  const hi = sub ? broadcastOf(pool) : broadcastOf(pool) - 1;
  for (let ip = lo; ip <= hi; ip++) if (!net.used.has(ip) && ip !== broadcastOf(net.subnet) && ip !== net.subnet.addr) return ip;
  throw impossible(pointer, `no available IPv4 addresses on network "${net.name}"`);
}

function makeDialect(version: DockerVersion, ipt: Ipt, ip6: Ipt | null, daemon: DaemonConfig): Dialect {
  switch (version.dialect) {
    case "A": return new DialectA(ipt, daemon, ip6, version);
    case "B": return new DialectB(ipt, ip6, daemon, version);
    case "C": return new DialectC(version, ipt, ip6, daemon);
    case "D": return new DialectD(version, ipt, ip6, daemon);
    case "E": return new DialectE(version, ipt, ip6, daemon);
  }
}

export function buildDocker(s: Scenario): DockerHost {
  const version = resolveVersion(s.docker?.version);
  const daemon = daemonConfig(s, version);
  const interfaces = (s.host?.interfaces ?? [DEFAULT_HOST_INTERFACE]).map((i) => ({ name: i.name, address: i.address, gateway: i.gateway ?? null }));
  const ipForwardBefore = Number(s.host?.sysctl?.["net.ipv4.ip_forward"] ?? 0) === 1;
  const ruleset = new Ruleset();
  const ipt = new Ipt(ruleset);
  // Each family is programmed on its own (enabledIptablesVersions): with --iptables=false and
  // ip6tables on (27+'s default) the dialect's IPv4 commands go to a scratch ruleset no one sees.
  const v6Only = !daemon.iptables && daemon.ip6tables && daemon.firewallBackend === "iptables";
  const ruleset6 = (daemon.iptables || v6Only) && daemon.ip6tables ? new Ruleset("ipv6") : null;
  const ip6 = ruleset6 ? new Ipt(ruleset6, ipt.log, "ip6tables") : null;
  // The nftabler exists even with --iptables=false (it then writes no table, but checks forwarding).
  const nft = daemon.firewallBackend === "nftables" ? new NftRuleset() : null;
  const dialect = nft ? new Nftabler(nft, ipt.log, daemon, s.host?.sysctl)
    : daemon.iptables ? makeDialect(version, ipt, ip6, daemon) : v6Only ? makeDialect(version, new Ipt(new Ruleset()), ip6, daemon) : null;
  const host: DockerHost = {
    version, daemon, interfaces, ipForwardBefore, networks: [], containers: [], ruleset, ruleset6, nft, ip6Forward: false, commands: ipt.log, bridgeMacs: new Map(), bound: new Map(), rangeLast: new Map(),
    resolvers: new Map(), ipsets: dialect instanceof DialectC ? dialect.ipsets : null,
  };
  dialect?.start(ipForwardBefore);
  const ipam = new Ipam(daemon.pools, interfaces.map((i) => parseCidr(i.address)), version.dialect !== "A");
  if (!daemon.noDefaultBridge) addNetwork(host, defaultBridge(daemon, ipam, version), dialect);
  (s.networks ?? []).forEach((spec, i) => addNetwork(host, userNetwork(spec, i, ipam, version, i, daemon.defaultNetworkOpts), dialect));
  const alloc = new PortAllocator(version.ephemeralStart);
  host.runtime = { ipam, alloc, dialect };
  // A container in state created/stopped has no endpoint and no ports (a later `docker start` gives them).
  (s.containers ?? []).forEach((c, i) => (c.state ?? "running") === "running" && startContainer(host, c, i, alloc, dialect));
  return host;
}

function defaultBridge(daemon: DaemonConfig, ipam: Ipam, version: DockerVersion): DockerNetwork {
  const fixed = daemon.fixedCidr ? parseCidr(daemon.fixedCidr) : null;
  // Neither --bip nor --fixed-cidr: docker0 takes the first free subnet of the address pools,
  // like a user network (10.10.0.0/24 from --default-address-pool base=10.10.0.0/16,size=24; capture o01).
  const pooled = !daemon.bipGiven && !fixed;
  // --fixed-cidr alone: up to 23.0.3 docker0's subnet is elected from the pools (capture h17); from
  // 23.0.4 (initBridgeDriver without ElectInterfaceAddresses) fixed-cidr is the preferred pool itself.
  const ownSubnet = fixed !== null && !daemon.bipGiven && atLeast(version, "23.0.4");
  const subnet = pooled ? ipam.next("/daemon/default-address-pools", "bridge") : ownSubnet ? fixed : parseCidr(daemon.bip);
  if (!pooled) ipam.claim(subnet, ownSubnet ? "/daemon/fixed-cidr" : "/daemon/bip", "bridge");
  if (fixed && !inCidr(fixed.addr, subnet)) throw impossible("/daemon/fixed-cidr", `fixed-cidr ${daemon.fixedCidr} is not inside bip ${daemon.bip}`);
  const net: DockerNetwork = {
    name: "bridge", id: hexId("network:bridge", 64), driver: "bridge", bridge: "docker0", subnet, gateway: pooled ? subnet.addr + 1 : parseIPv4(daemon.bip.split("/")[0]!),
    ipRange: fixed, internal: false, icc: daemon.icc, masquerade: daemon.ipMasq, hostBindingIpv4: null,
    gatewayMode: "nat", hostIpv4: null, trustedInterfaces: [], used: new Set(),
    ...ipv6Of(daemon.fixedCidrV6, daemon.bip6Gateway ?? null, daemon.bip6Gateway ? "/daemon/bip6" : "/daemon/fixed-cidr-v6"), gatewayMode6: "nat", hostIpv6: null,
  };
  // Without --bip dockerd has no preferred gateway: IPAM gives docker0 the first free address of
  // the pool, i.e. of --fixed-cidr when there is one (172.17.128.0 for 172.17.128.0/17; capture h17).
  if (!daemon.bipGiven && fixed) net.gateway = firstFree(net, "/daemon/fixed-cidr");
  net.used.add(net.gateway);
  // --default-gateway: an IPAM aux address, the gateway the containers get (capture o06).
  if (daemon.defaultGateway) {
    const via = parseIPv4(daemon.defaultGateway);
    if (!inCidr(via, subnet)) throw impossible("/daemon/default-gateway", `default gateway ${daemon.defaultGateway} must be part of docker0's network ${formatCidr(subnet)}`);
    net.used.add(via);
    net.containerGateway = via;
  }
  // --default-gateway-v6: the same for an IPv6 docker0 (ignored without IPv6, like dockerd; capture o07).
  if (daemon.defaultGateway6 && net.subnet6) {
    const via6 = parseIPv6(daemon.defaultGateway6);
    if (!inCidr6(via6, net.subnet6)) throw impossible("/daemon/default-gateway-v6", `default gateway ${daemon.defaultGateway6} must be part of docker0's network ${formatCidr6(net.subnet6)}`);
    net.used6.add(via6);
    net.containerGateway6 = via6;
  }
  return net;
}

function gatewayMode(opts: Record<string, string>, internal: boolean, at: string, version: DockerVersion, key = GATEWAY_MODE): DockerNetwork["gatewayMode"] {
  const GATEWAY_MODE = key;
  const mode = opts[GATEWAY_MODE] ?? "nat";
  const modes = atLeast(version, "28.0.0") ? ["nat", "nat-unprotected", "routed", "isolated"] : ["nat", "routed"];
  if (!modes.includes(mode)) throw impossible(optionPointer(at, GATEWAY_MODE), `gateway mode "${mode}" is not one of ${modes.join(", ")} in Docker ${version.version}`);
  if (mode === "isolated" && !internal) throw impossible(optionPointer(at, GATEWAY_MODE), "gateway mode 'isolated' can only be used for an internal network");
  if (mode === "isolated" && key === GATEWAY_MODE6) throw impossible(optionPointer(at, GATEWAY_MODE), "gateway mode \"isolated\" for IPv6 is not simulated yet");
  // An internal network has no NAT or routing rules: "isolated" only takes its gateway away (skipGateway).
  return mode === "isolated" ? "nat" : mode as DockerNetwork["gatewayMode"];
}

/**
 * GetSkipGwAlloc (28+): an isolated network, or an internal one with inhibit_ipv4, gets no IPv4
 * gateway: no address on the bridge, none reserved in IPAM, no default route in its containers.
 */
function skipGateway(opts: Record<string, string>, inhibitIPv4: boolean, internal: boolean, version: DockerVersion): boolean {
  return atLeast(version, "28.0.0") && (opts[GATEWAY_MODE] === "isolated" || (inhibitIPv4 && internal));
}

export function userNetwork(spec0: NetworkSpec, i: number | string, ipam: Ipam, version: DockerVersion, seed: number | string = i, defaults?: DefaultNetworkOpts): DockerNetwork {
  const at = typeof i === "string" ? i : `/networks/${i}`;
  const spec = withDefaultOptions(spec0, defaults);
  if (spec.driver === "overlay") throw impossible(`${at}/driver`, "overlay networks need a swarm: add a \"swarm\" section with its nodes (src/docker/swarm/)");
  if (spec.driver !== "bridge" && !DRIVERS.has(spec.driver))
    throw impossible(`${at}/driver`, `the ${spec.driver} driver is not simulated yet (bridge networks and the host/none network modes are)`);
  checkDriver(spec, at);
  if (["bridge", "host", "none"].includes(spec.name)) throw impossible(`${at}/name`, `network name "${spec.name}" is reserved by Docker`);
  const opts = spec.options ?? {};
  if (spec.driver === "bridge") checkBridgeOptions(opts, at, version); // other drivers check their own
  const inhibitIPv4 = boolOption(opts, INHIBIT_IPV4, false, at);
  const noGateway = skipGateway(opts, inhibitIPv4, spec.internal ?? false, version);
  if (noGateway && spec.gateway) throw impossible(`${at}/gateway`, "this network gets no gateway (gateway mode isolated, or inhibit_ipv4 on an --internal network)");
  const hostIpv4 = opts[HOST_IPV4] ?? null;
  if (hostIpv4 !== null && !/^\d{1,3}(\.\d{1,3}){3}$/.test(hostIpv4)) throw impossible(optionPointer(at, HOST_IPV4), `"${hostIpv4}" is not an IPv4 address`);
  const hostIpv6 = opts[HOST_IPV6] ?? null;
  if (hostIpv6 !== null && !isIPv6(hostIpv6)) throw impossible(optionPointer(at, HOST_IPV6), `"${hostIpv6}" is not an IPv6 address`);
  const v6 = userIPv6(spec, opts, at);
  const subnet = spec.subnet ? parseCidr(spec.subnet) : ipam.next(`${at}`, spec.name);
  if (spec.subnet) ipam.claim(subnet, `${at}/subnet`, spec.name);
  const ipRange = spec["ip-range"] ? parseCidr(spec["ip-range"]) : null;
  if (ipRange && !inCidr(ipRange.addr, subnet)) throw impossible(`${at}/ip-range`, `ip-range ${spec["ip-range"]} is not inside subnet ${formatCidr(subnet)}`);
  const id = hexId(`network:${seed}:${spec.name}`, 64);
  // Without a gateway the network address stands in for it: nothing owns it and no route uses it.
  const gateway = noGateway ? subnet.addr : spec.gateway ? parseIPv4(spec.gateway) : ipRange ? ipRange.addr : subnet.addr + 1;
  if (!inCidr(gateway, subnet)) throw impossible(`${at}/gateway`, `gateway ${formatIPv4(gateway)} is not inside subnet ${formatCidr(subnet)}`);
  return markDriver(spec, at, {
    name: spec.name, id, driver: "bridge", bridge: opts["com.docker.network.bridge.name"] ?? `br-${id.slice(0, 12)}`,
    subnet, gateway, ipRange, internal: spec.internal ?? false,
    icc: boolOption(opts, ENABLE_ICC, true, at),
    masquerade: boolOption(opts, ENABLE_MASQUERADE, true, at),
    hostBindingIpv4: hostBindingOption(opts, at),
    ...(inhibitIPv4 ? { inhibitIPv4 } : {}), ...(opts[IFACE_PREFIX] ? { ifacePrefix: opts[IFACE_PREFIX] } : {}),
    gatewayMode: gatewayMode(opts, spec.internal ?? false, at, version), hostIpv4,
    trustedInterfaces: opts[TRUSTED] ? opts[TRUSTED].split(":").filter(Boolean) : [],
    used: new Set(noGateway ? [] : [gateway]), ...(noGateway ? { noGateway } : {}),
    ...v6, gatewayMode6: gatewayMode(opts, spec.internal ?? false, at, version, GATEWAY_MODE6), hostIpv6,
  });
}

/** A user network's IPv6: --ipv6 (or its label) with an IPv6 --subnet; subnet6 alone implies --ipv6. */
function userIPv6(spec: NetworkSpec, opts: Record<string, string>, at: string): Pick<DockerNetwork, "subnet6" | "gateway6" | "used6"> {
  const label = opts[ENABLE_IPV6];
  const enabled = spec.ipv6 ?? (label !== undefined ? label === "true" : spec.subnet6 !== undefined);
  if (!enabled && spec.subnet6) throw impossible(`${at}/subnet6`, "an IPv6 subnet needs an IPv6 network (ipv6: true, docker network create --ipv6)");
  if (!enabled) return ipv6Of(null, null, at);
  if (!spec.subnet6)
    throw impossible(`${at}/subnet6`, "an IPv6 network needs subnet6 here (Docker 20.10-26 requires --subnet; 27+ would draw a /64 from a ULA prefix derived from the engine's host ID, which nfplay cannot know)");
  return ipv6Of(parseCidr6(spec.subnet6), spec.gateway6 ?? null, `${at}/gateway6`);
}

/** The IPv6 half of a network: its subnet, gateway (the subnet's ::1 unless given) and used addresses. */
function ipv6Of(subnet6: Cidr6 | null, gatewayText: string | null, pointer: string): Pick<DockerNetwork, "subnet6" | "gateway6" | "used6"> {
  if (!subnet6) return { subnet6: null, gateway6: null, used6: new Set() };
  const gateway6 = gatewayText ? parseIPv6(gatewayText) : subnet6.addr + 1n;
  if (!inCidr6(gateway6, subnet6)) throw impossible(pointer, `gateway ${formatIPv6(gateway6)} is not inside subnet ${formatCidr6(subnet6)}`);
  return { subnet6, gateway6, used6: new Set([gateway6]) };
}

export function addNetwork(host: DockerHost, net: DockerNetwork, dialect: Dialect | null): void {
  if (host.networks.some((n) => n.name === net.name)) throw impossible("/networks", `network "${net.name}" is defined twice`);
  applyDriver(net, host);
  host.networks.push(net);
  // setupIPv6Forwarding: an IPv6 network turns net.ipv6.conf.all.forwarding on (with --ip-forward).
  if (net.subnet6 && host.daemon.ipForward) host.ip6Forward = true;
  if (net.driver !== "bridge") return; // macvlan, ipvlan, remote: dockerd writes no rule (drivers/)
  host.bridgeMacs.set(net.bridge, bridgeMac(net.bridge, randomMacs(host.version)));
  dialect?.bridgeNetwork(net);
}

function networkNames(c: ContainerSpec): string[] {
  const n = c.network ?? "bridge";
  return Array.isArray(n) ? n : [n];
}

// Container names -> containers, so that starting n containers does not scan the list n times.
// Rebuilt whenever the list's length is not what the index saw (a container removed elsewhere).
const nameIndexes = new WeakMap<DockerContainer[], { names: Map<string, DockerContainer>; size: number }>();

function containerNamed(list: DockerContainer[], name: string): DockerContainer | undefined {
  let index = nameIndexes.get(list);
  if (!index || index.size !== list.length) {
    index = { names: new Map(), size: list.length };
    for (const x of list) if (!index.names.has(x.name)) index.names.set(x.name, x);
    nameIndexes.set(list, index);
  }
  const hit = index.names.get(name);
  return hit && list.includes(hit) ? hit : undefined;
}

/** ctr was just pushed onto list: keep the index current. */
function rememberName(list: DockerContainer[], ctr: DockerContainer): void {
  const index = nameIndexes.get(list);
  if (!index || index.size !== list.length - 1) return; // stale: the next lookup rebuilds it
  index.names.set(ctr.name, ctr);
  index.size = list.length;
}

export function startContainer(host: DockerHost, c: ContainerSpec, i: number | string, alloc: PortAllocator, dialect: Dialect | null): void {
  const at = typeof i === "string" ? i : `/containers/${i}`;
  if (containerNamed(host.containers, c.name)) throw impossible(`${at}/name`, `container name "${c.name}" is already in use`);
  const names = networkNames(c);
  const special = names.find((n) => n === "host" || n === "none" || n.startsWith("container:"));
  if (special?.startsWith("container:")) throw impossible(`${at}/network`, "the container:NAME network mode is not simulated yet");
  if (special && names.length > 1) throw impossible(`${at}/network`, `"${special}" cannot be combined with other networks`);
  const ctr: DockerContainer = { name: c.name, mode: (special as "host" | "none") ?? "bridge", endpoints: [], ports: [], exposed: exposedPorts(c) };
  if (special === "host") ctr.exposed = hostModePorts(c, ctr.exposed, at);
  host.containers.push(ctr);
  rememberName(host.containers, ctr);
  if (special) return; // host: shares the host's namespace, no rules; none: loopback only
  names.forEach((name, k) => {
    const net = host.networks.find((n) => n.name === name);
    if (!net) throw impossible(`${at}/network${Array.isArray(c.network) ? `/${k}` : ""}`, `network "${name}" not found`);
    const ep = driverEndpoint(endpoint(net, c, k, at, randomMacs(host.version)), host, at);
    // libnetwork numbers interfaces per prefix (osl nextIfIndex): eth0, lan0, eth1.
    if (net.driver === "bridge") ep.ifname = containerIfname(net.ifacePrefix, ctr.endpoints.map((e) => e.ifname));
    ctr.endpoints.push(ep);
  });
  const primary = containerGateway(host, ctr.endpoints)!;
  for (const ep of ctr.endpoints) if (ep.network.driver === "bridge") dialect?.joinEndpoint(ep);
  programPorts(host, c, ctr, primary, at, alloc, dialect);
}

/**
 * ProgramExternalConnectivity: the container's bindings allocated and mapped on its gateway
 * endpoint (at start, and again when the gateway moves: src/docker/lifecycle.ts).
 */
export function programPorts(host: DockerHost, c: ContainerSpec, ctr: DockerContainer, primary: Endpoint, at: string, alloc: PortAllocator, dialect: Dialect | null): void {
  // Only the bridge driver maps ports: on macvlan/ipvlan/remote -p is accepted and ignored (capture m01).
  const bindings = primary.network.driver === "bridge" ? portBindings(host, c, ctr, primary, at, alloc) : [];
  if (primary.network.internal || primary.network.driver !== "bridge") return; // Docker silently drops publishes on --internal networks
  for (const b of withIPv6Twins(bindings, primary)) {
    if (b.hostPort !== 0) checkConflict(host, ctr, b, b.pointer);
    ctr.ports.push({ hostIp: b.hostIp, hostPort: b.hostPort, containerPort: b.containerPort, proto: b.proto });
  }
  dialect?.publish(primary, ctr.ports);
}

/**
 * -p and -P as port bindings with their host ports. 27+ sorts them first (and so allocates
 * ephemeral ports in that order); a routed network gets no host port (no NAT: host port 0).
 */
export function portBindings(host: DockerHost, c: ContainerSpec, ctr: DockerContainer, primary: Endpoint, at: string, alloc: PortAllocator) {
  // dockerd --ip is the host_binding_ipv4 of the default bridge only; a user network has its
  // own option, 0.0.0.0 by default (20.10 capture g09-default-ip).
  const defaultIp = primary.network.name === "bridge" && primary.network.bridge === "docker0" ? host.daemon.ip : primary.network.hostBindingIpv4 ?? "0.0.0.0";
  const pending: PendingBinding[] = (c.ports ?? []).flatMap((spec, k) => expandRequest(parsePortSpec(spec, `${at}/ports/${k}`), defaultIp, `${at}/ports/${k}`));
  if (c["publish-all"]) for (const e of ctr.exposed) if (!pending.some((b) => b.containerPort === e.port && b.proto === e.proto))
    pending.push({ hostIp: defaultIp, hostPorts: null, containerPort: e.port, proto: e.proto, pointer: `${at}/publish-all`, implicit: defaultIp === "0.0.0.0" });
  if (host.version.dialect === "A") return allocateRanges(host, sortPortMap(pending, ctr.exposed), alloc);
  if (primary.network.gatewayMode !== "routed") return allocate(sortBindings(pending), (p) => alloc.take(p));
  // No NAT: 27 refuses a host address; 28+ uses 0.0.0.0 instead (configurePortBindingIPv4).
  for (const b of pending)
    if (b.hostIp !== "0.0.0.0" && host.version.dialect === "B")
      throw impossible(b.pointer, `NAT is disabled on network "${primary.network.name}" (gateway mode routed): omit the host address ${b.hostIp}`);
  return allocate(sortBindings(pending).map((b) => ({ ...b, hostIp: "0.0.0.0", hostPorts: null })), () => 0);
}

/**
 * A binding with no host address (default 0.0.0.0) also binds "::" on the same port, right after
 * it (20.10 port_mapping.go, 27+ with the same port). nfplay adds the twin only for a container
 * with IPv6, where it has ip6tables rules; for an IPv4-only one it is docker-proxy's alone.
 */
export function withIPv6Twins<B extends PortBinding & { pointer: string; implicit?: boolean }>(bindings: B[], primary: Endpoint): B[] {
  if (primary.ip6 === null) return bindings;
  const routed6 = primary.network.gatewayMode6 === "routed";
  return bindings.flatMap((b) => {
    if (!b.implicit) return [b];
    if (b.hostPort === 0 && !routed6) throw impossible(b.pointer, `network "${primary.network.name}" routes IPv4 but NATs IPv6: publishing a port there is not simulated`);
    return [b, { ...b, hostIp: "::", hostPort: routed6 ? 0 : b.hostPort }];
  });
}

/**
 * The endpoint that gets the container's published ports in 20.10: libnetwork's gateway
 * endpoint, the first of the sandbox's endpoints ordered by epHeap.Less: internal networks last,
 * then one whose join set both an IPv4 and an IPv6 gateway (a dual-stack bridge) before one that
 * did not, then by network name (`docker network connect alpha` moves the ports of a container
 * on "zeta"). nfplay has no docker_gwbridge and no endpoint priorities, Less's other keys.
 */
export function gatewayEndpoint(eps: Endpoint[]): Endpoint {
  return [...eps].sort((a, b) =>
    Number(a.network.internal) - Number(b.network.internal) || Number(b.ip6 !== null) - Number(a.ip6 !== null) ||
    (a.network.name < b.network.name ? -1 : a.network.name > b.network.name ? 1 : 0))[0]!;
}

/**
 * The container's gateway endpoint, the one place every caller asks: it carries the published
 * ports and the sandbox's default route (libnetwork sandbox.updateGateway). 20.10 (dialect A)
 * orders endpoints as above; the 23+ dialects keep the first endpoint.
 */
export function containerGateway(host: Pick<DockerHost, "version">, eps: Endpoint[]): Endpoint | undefined {
  if (eps.length === 0) return undefined;
  return host.version.dialect === "A" ? gatewayEndpoint(eps) : eps[0];
}

/**
 * 20.10's order of the port bindings (daemon buildCreateEndpointOptions + nat.SortPortMap): one
 * entry per (exposed port, binding), sorted by sort.Sort with Less = "host port (the start of a
 * range, 0 if none) greater, or container port greater, or same port number and tcp" — for up to
 * 12 entries Go's sort is an insertion sort — then grouped by container port in the order they
 * first appear. Mostly: host ports descending, ephemeral ones by container port descending, two
 * bindings of one tcp port with the same host port reversed. Docker starts from the map order
 * of the exposed ports (random); nfplay starts from the order the ports were given.
 */
type PortMapEntry = { key: string; port: number; hp: number; b: PendingBinding | null };

// sortPortMap's helpers are plain functions: it runs once per container (no closures per call).
function addOnce(keys: string[], k: string): void {
  if (!keys.includes(k)) keys.push(k);
}

function portMapLess(i: PortMapEntry, j: PortMapEntry): boolean {
  return i.hp > j.hp || i.port > j.port || (i.port === j.port && i.key.endsWith("/tcp"));
}

function sortPortMap(pending: PendingBinding[], exposed: { port: number; proto: Proto }[]): PendingBinding[] {
  // Less(i, j) = hp(i) > hp(j) || port(i) > port(j) || (same port number && i is tcp): not an order
  // (two bindings of one tcp port are each "less" than the other), so insertion sort reverses them.
  const keys: string[] = [];
  for (const b of pending) addOnce(keys, `${b.containerPort}/${b.proto}`);
  for (const e of exposed) addOnce(keys, `${e.port}/${e.proto}`);
  const entries: PortMapEntry[] = keys.flatMap((key): PortMapEntry[] => {
    const mine = pending.filter((b) => `${b.containerPort}/${b.proto}` === key);
    const port = Number(key.split("/")[0]);
    // publish-all bindings have no HostPort in PortBindings: they sort as "no binding" (0)
    return mine.length ? mine.map((b) => ({ key, port, hp: b.hostPorts?.[0] ?? 0, b })) : [{ key, port, hp: 0, b: null }];
  });
  for (let i = 1; i < entries.length; i++)
    for (let j = i; j > 0 && portMapLess(entries[j]!, entries[j - 1]!); j--) [entries[j], entries[j - 1]] = [entries[j - 1]!, entries[j]!];
  const order: string[] = [];
  for (const e of entries) if (!order.includes(e.key)) order.push(e.key);
  return order.flatMap((k) => entries.filter((e) => e.key === k && e.b).map((e) => e.b!));
}

/**
 * 20.10's portallocator: an ephemeral port is the next one of the kernel's range; a host port
 * range (-p 9000-9010:80) keeps its own "last" and hands out the next port after it that is not
 * taken on that address (so a second container asking for the same range gets 9001).
 */
function allocateRanges(host: DockerHost, list: PendingBinding[], alloc: PortAllocator): (PortBinding & { pointer: string; implicit?: boolean })[] {
  const taken = (hostIp: string, proto: Proto, port: number) =>
    (host.bound.get(`${proto}/${port}`) ?? []).some((x) => x.hostIp === hostIp) || mine.some((m) => m.hostIp === hostIp && m.proto === proto && m.hostPort === port);
  const mine: PortBinding[] = [];
  return list.map((b) => {
    let hostPort: number;
    if (!b.hostPorts) hostPort = alloc.take(b.proto);
    else if (b.hostPorts[0] === b.hostPorts[1]) hostPort = b.hostPorts[0];
    else {
      const [lo, hi] = b.hostPorts;
      const key = `${b.hostIp}/${b.proto}/${lo}-${hi}`;
      const last = host.rangeLast.get(key) ?? hi;
      hostPort = lo;
      for (let k = 1; k <= hi - lo + 1; k++) {
        const p = lo + ((last - lo + k) % (hi - lo + 1));
        if (!taken(b.hostIp, b.proto, p)) { hostPort = p; break; }
      }
      host.rangeLast.set(key, hostPort);
    }
    const out = { hostIp: b.hostIp, hostPort, containerPort: b.containerPort, proto: b.proto, pointer: b.pointer, implicit: b.implicit };
    mine.push(out);
    return out;
  });
}

/** Container MACs: 02:42 + the IPv4 address up to 27, random from 28 (moby#48808). */
export function randomMacs(v: DockerVersion): boolean {
  return v.dialect === "C" || v.dialect === "D" || v.dialect === "E";
}

/**
 * --network host: Docker discards -p (with a warning) and the app listens in the host's own
 * namespace on its container ports, which -p also exposes (Config.ExposedPorts).
 */
function hostModePorts(c: ContainerSpec, exposed: { port: number; proto: Proto }[], at: string): { port: number; proto: Proto }[] {
  const out = [...exposed];
  (c.ports ?? []).forEach((spec, k) => {
    const r = parsePortSpec(spec, `${at}/ports/${k}`);
    for (let p = r.containerPorts[0]; p <= r.containerPorts[1]; p++)
      if (!out.some((e) => e.port === p && e.proto === r.proto)) out.push({ port: p, proto: r.proto });
  });
  return out;
}

function exposedPorts(c: ContainerSpec): { port: number; proto: Proto }[] {
  return (c.expose ?? []).flatMap((e) => {
    const [ports, proto] = e.split("/");
    const [lo, hi] = ports!.split("-").map(Number);
    const out: { port: number; proto: Proto }[] = [];
    for (let p = lo!; p <= (hi ?? lo!); p++) out.push({ port: p, proto: (proto ?? "tcp") as Proto });
    return out;
  });
}

export function endpoint(net: DockerNetwork, c: ContainerSpec, k: number, at: string, random: boolean): Endpoint {
  let ip: IPv4;
  if (c.ip && k === 0) {
    if (net.name === "bridge") throw impossible(`${at}/ip`, "user specified IP address is supported on user defined networks only");
    ip = parseIPv4(c.ip);
    if (!inCidr(ip, net.subnet)) throw impossible(`${at}/ip`, `${c.ip} is not in network "${net.name}" (${formatCidr(net.subnet)})`);
    if (net.used.has(ip)) throw impossible(`${at}/ip`, `address ${c.ip} is already in use on network "${net.name}"`);
  } else ip = firstFree(net, at);
  net.used.add(ip);
  const hostVeth = `veth${hexId(`veth:${c.name}:${net.name}`, 7)}`;
  // 28+ draws container MACs at random; nfplay derives them from a hash of the container and
  // network names instead (deterministic), locally administered and unicast like Docker's.
  // docker run --mac-address: the first network's endpoint (and 20.10's MAC-derived IPv6) uses it.
  const given = k === 0 ? c["mac-address"]?.toLowerCase() : undefined;
  const mac = given ?? (random ? randomMac(`mac:${c.name}:${net.name}`) : macFromIPv4(ip));
  const hostVethMac = random || given ? randomMac(`mac:${hostVeth}`) : mac.replace(/^02:42/, "a2:42");
  const ip6 = endpointIPv6(net, c, k, at, random ? null : mac);
  return { network: net, ifname: `eth${k}`, ip, mac, hostVeth, hostVethMac, ip6 };
}

/**
 * The endpoint's IPv6 address: the static one (ip6, first network), else, up to 27 on docker0
 * with a fixed-cidr-v6 of /80 or shorter, the prefix + the MAC in the last 6 bytes (bridge_linux.go;
 * 20.10 capture i6-01: fd00:1::242:ac11:2), else IPAM's lowest free address after the gateway.
 */
function endpointIPv6(net: DockerNetwork, c: ContainerSpec, k: number, at: string, macBased: string | null): IPv6 | null {
  const subnet = net.subnet6;
  if (!subnet) return null;
  let ip6: IPv6;
  if (c.ip6 && k === 0) {
    if (net.name === "bridge") throw impossible(`${at}/ip6`, "user specified IP address is supported on user defined networks only");
    ip6 = parseIPv6(c.ip6);
    if (!inCidr6(ip6, subnet)) throw impossible(`${at}/ip6`, `${c.ip6} is not in network "${net.name}" (${formatCidr6(subnet)})`);
    if (net.used6.has(ip6)) throw impossible(`${at}/ip6`, `address ${c.ip6} is already in use on network "${net.name}"`);
  } else if (macBased && net.name === "bridge" && subnet.prefix <= 80) {
    ip6 = subnet.addr | BigInt(`0x${macBased.replace(/:/g, "")}`);
  } else {
    ip6 = subnet.addr + 1n;
    while (net.used6.has(ip6)) ip6++;
    if (!inCidr6(ip6, subnet)) throw impossible(at, `no available IPv6 addresses on network "${net.name}"`);
  }
  net.used6.add(ip6);
  return ip6;
}

/** Two host addresses that cannot both listen on one port: 0.0.0.0 and :: are wildcards of their own family. */
function sameHostIp(a: string, b: string): boolean {
  if (a.includes(":") !== b.includes(":")) return false;
  return a === b || a === "0.0.0.0" || b === "0.0.0.0" || a === "::" || b === "::";
}

export function checkConflict(host: DockerHost, ctr: DockerContainer, b: PortBinding, pointer: string): void {
  const key = `${b.proto}/${b.hostPort}`;
  for (const { owner, hostIp } of host.bound.get(key) ?? [])
    if (sameHostIp(hostIp, b.hostIp)) {
      const other = owner;
        throw impossible(
          pointer,
          `Bind for ${b.hostIp}:${b.hostPort} failed: port is already allocated (container "${ctr.name}" and container "${other.name}" both publish ${b.hostPort}/${b.proto})`,
        );
    }
  host.bound.set(key, [...(host.bound.get(key) ?? []), { owner: ctr, hostIp: b.hostIp }]);
}
