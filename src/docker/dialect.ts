// What every rule family has in common: the calls the model makes into a dialect, the rule
// specs several families issue with the same arguments, and DOCKER-USER.
import { formatCidr, formatCidr6, formatIPv4, formatIPv6 } from "../net/address.js";
import type { Ipt } from "./ipt.js";
import type { DockerNetwork, Endpoint } from "./model.js";
import type { PortBinding } from "./ports.js";

export interface Dialect {
  /** Daemon start, before any network: the bridge driver's chains, then the controller's. */
  start(ipForwardWasOn: boolean): void;
  /** A bridge network is created (docker0 first, then user networks in order). */
  bridgeNetwork(net: DockerNetwork): void;
  /** A container's endpoint joins its network. */
  joinEndpoint(ep: Endpoint): void;
  /** The container's bindings on its gateway endpoint, in the order dockerd programs them. */
  publish(ep: Endpoint, bindings: PortBinding[]): void;
  /** RevokeExternalConnectivity: the bindings' rules deleted (stop, rm, disconnect, a gateway move). */
  unpublish?(ep: Endpoint, bindings: PortBinding[]): void;
  /** The endpoint leaves its network (its per-container rules, 28.2+, are deleted). */
  leaveEndpoint?(ep: Endpoint): void;
  /** `docker network rm`: the bridge's rules deleted (deleteNetwork's cleanup functions). */
  removeNetwork?(net: DockerNetwork): void;
}

/**
 * One address family of a network, as the rules see it: dockerd runs the same code for IPv4
 * (iptables) and, for IPv6-enabled networks, IPv6 (ip6tables) with the other family's values.
 */
export interface AddrFamily {
  v6: boolean;
  /** The network's subnet in this family ("172.17.0.0/16", "fd00:1::/64"), or null if it has none. */
  subnet(net: DockerNetwork): string | null;
  /** The endpoint's address in this family, or null. */
  addr(ep: Endpoint): string | null;
  /** com.docker.network.host_ipv4 / host_ipv6. */
  snatTo(net: DockerNetwork): string | null;
  gatewayMode(net: DockerNetwork): DockerNetwork["gatewayMode"];
  loopback: string;
  /** The ICMP protocol name Docker gives iptables. */
  icmp: string;
  /** Does a port binding on this host address belong to this family? */
  owns(b: PortBinding): boolean;
}

export const V4: AddrFamily = {
  v6: false,
  subnet: (net) => formatCidr(net.subnet),
  addr: (ep) => formatIPv4(ep.ip),
  snatTo: (net) => net.hostIpv4,
  gatewayMode: (net) => net.gatewayMode,
  loopback: "127.0.0.0/8",
  icmp: "icmp",
  owns: (b) => !b.hostIp.includes(":"),
};

export const V6: AddrFamily = {
  v6: true,
  subnet: (net) => (net.subnet6 ? formatCidr6(net.subnet6) : null),
  addr: (ep) => (ep.ip6 !== null ? formatIPv6(ep.ip6) : null),
  snatTo: (net) => net.hostIpv6,
  gatewayMode: (net) => net.gatewayMode6,
  loopback: "::1/128",
  icmp: "icmpv6",
  owns: (b) => b.hostIp.includes(":"),
};

/** Rule arguments exactly as dockerd passes them (the order shows in the command log only). */
export const spec = {
  /** Per-network masquerade, or SNAT with com.docker.network.host_ipv4. */
  natOut: (net: DockerNetwork, af = V4): string[] => ["-s", af.subnet(net)!, "!", "-o", net.bridge, ...snat(net, af)],
  /** Hairpin (userland proxy off): traffic from the host itself into the bridge. */
  natFromHost: (net: DockerNetwork, af = V4): string[] => ["-m", "addrtype", "--src-type", "LOCAL", "-o", net.bridge, ...snat(net, af)],
  skipDnat: (net: DockerNetwork): string[] => ["-i", net.bridge, "-j", "RETURN"],
  /** `linkLocal`: 28+ keeps IPv6 link-local sources away from the DNAT (`! -s fe80::/10`). */
  dnat(ep: Endpoint, b: PortBinding, proxy: boolean, af = V4, linkLocal = false): string[] {
    const hostIp = b.hostIp === "0.0.0.0" || b.hostIp === "::" ? "0/0" : b.hostIp;
    const to = af.v6 ? `[${af.addr(ep)}]:${b.containerPort}` : `${af.addr(ep)}:${b.containerPort}`;
    const skipBridge = proxy ? ["!", "-i", ep.network.bridge] : [];
    const noLinkLocal = af.v6 && linkLocal ? ["!", "-s", "fe80::/10"] : [];
    return [...noLinkLocal, "-p", b.proto, "-d", hostIp, "--dport", `${b.hostPort}`, "-j", "DNAT", "--to-destination", to, ...skipBridge];
  },
  portAccept(ep: Endpoint, b: PortBinding, af = V4): string[] {
    const br = ep.network.bridge;
    return ["!", "-i", br, "-o", br, "-p", b.proto, "-d", af.addr(ep)!, "--dport", `${b.containerPort}`, "-j", "ACCEPT"];
  },
  portMasquerade(ep: Endpoint, b: PortBinding, af = V4): string[] {
    const ctr = af.addr(ep)!;
    return ["-p", b.proto, "-s", ctr, "-d", ctr, "--dport", `${b.containerPort}`, "-j", "MASQUERADE"];
  },
  sctpChecksum: (b: PortBinding): string[] => ["-p", "sctp", "--sport", `${b.containerPort}`, "-j", "CHECKSUM", "--checksum-fill"],
  icc: (net: DockerNetwork, verdict: "ACCEPT" | "DROP"): string[] => ["-i", net.bridge, "-o", net.bridge, "-j", verdict],
  /** `strict`: IPv6 from 24.0.6 also requires the other side to be another interface. */
  internalIn: (net: DockerNetwork, af = V4, strict = false): string[] =>
    ["-i", net.bridge, ...(strict ? ["!", "-o", net.bridge] : []), "!", "-d", af.subnet(net)!, "-j", "DROP"],
  internalOut: (net: DockerNetwork, af = V4, strict = false): string[] =>
    [...(strict ? ["!", "-i", net.bridge] : []), "-o", net.bridge, "!", "-s", af.subnet(net)!, "-j", "DROP"],
};

function snat(net: DockerNetwork, af: AddrFamily): string[] {
  const to = af.snatTo(net);
  return to ? ["-j", "SNAT", "--to-source", to] : ["-j", "MASQUERADE"];
}

/** The nat PREROUTING/OUTPUT jumps to DOCKER (OUTPUT skips loopback while docker-proxy runs). */
export function natJumps(ipt: Ipt, proxy: boolean, loopback = "127.0.0.0/8"): void {
  ipt.ensure("nat", "-A", "PREROUTING", "-m", "addrtype", "--dst-type", "LOCAL", "-j", "DOCKER");
  ipt.ensure("nat", "-A", "OUTPUT", "-m", "addrtype", "--dst-type", "LOCAL", "-j", "DOCKER", ...(proxy ? ["!", "--dst", loopback] : []));
}

/**
 * mirroredWSL2Workaround (27.3+, IPv4 only): under WSL2 mirrored networking, Windows' packets to
 * 127.0.0.1 arrive on loopback0 and meet nat PREROUTING, whose jump to DOCKER has no loopback
 * exception: this RETURN keeps them from the DNAT, so docker-proxy on 127.0.0.1 answers them.
 * Inserted with the userland proxy on a WSL2-mirrored host, otherwise deleted if present.
 */
export function mirroredWSL2(ipt: Ipt, enable: boolean): void {
  const rule = ["-i", "loopback0", "-d", "127.0.0.0/8", "-j", "RETURN"];
  if (enable) ipt.ensure("nat", "-I", "DOCKER", ...rule);
  else ipt.deleteIfExists("nat", "DOCKER", ...rule);
}

export type RuleCall = ["-I" | "-A", string, string[]];

/** setINC's rules: isolate a bridge from every other bridge (DOCKER-ISOLATION-STAGE-1/2). */
export function isolationRules(net: DockerNetwork, stage1: "-I" | "-A"): RuleCall[] {
  const br = net.bridge;
  return [
    [stage1, "DOCKER-ISOLATION-STAGE-1", ["-i", br, "!", "-o", br, "-j", "DOCKER-ISOLATION-STAGE-2"]],
    ["-I", "DOCKER-ISOLATION-STAGE-2", ["-o", br, "-j", "DROP"]],
  ];
}

/** Add each rule unless present (enable), or delete it if present. */
export function program(ipt: Ipt, table: string, rules: RuleCall[], enable = true): void {
  for (const [action, chain, args] of rules) {
    if (enable) ipt.ensure(table, action, chain, ...args);
    else ipt.deleteIfExists(table, chain, ...args);
  }
}

/** The controller's DOCKER-USER chain (libnetwork firewall_linux.go setupUserChain). */
export function userChain(ipt: Ipt, withReturn: boolean): void {
  ipt.newChain("filter", "DOCKER-USER");
  if (withReturn) ipt.ensure("filter", "-A", "DOCKER-USER", "-j", "RETURN");
  ipt.ensureJumpOnTop("FORWARD", "DOCKER-USER");
}
