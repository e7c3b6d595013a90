// What every rule family has in common: the calls the model makes into a dialect, the rule
// specs several families issue with the same arguments, and DOCKER-USER.
import { formatCidr, formatIPv4 } from "../net/address.js";
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
}

/** Rule arguments exactly as dockerd passes them (the order shows in the command log only). */
export const spec = {
  /** Per-network masquerade, or SNAT with com.docker.network.host_ipv4. */
  natOut: (net: DockerNetwork): string[] => ["-s", formatCidr(net.subnet), "!", "-o", net.bridge, ...snat(net)],
  /** Hairpin (userland proxy off): traffic from the host itself into the bridge. */
  natFromHost: (net: DockerNetwork): string[] => ["-m", "addrtype", "--src-type", "LOCAL", "-o", net.bridge, ...snat(net)],
  skipDnat: (net: DockerNetwork): string[] => ["-i", net.bridge, "-j", "RETURN"],
  dnat(ep: Endpoint, b: PortBinding, proxy: boolean): string[] {
    const hostIp = b.hostIp === "0.0.0.0" ? "0/0" : b.hostIp;
    const to = `${formatIPv4(ep.ip)}:${b.containerPort}`;
    const skipBridge = proxy ? ["!", "-i", ep.network.bridge] : [];
    return ["-p", b.proto, "-d", hostIp, "--dport", `${b.hostPort}`, "-j", "DNAT", "--to-destination", to, ...skipBridge];
  },
  portAccept(ep: Endpoint, b: PortBinding): string[] {
    const br = ep.network.bridge;
    return ["!", "-i", br, "-o", br, "-p", b.proto, "-d", formatIPv4(ep.ip), "--dport", `${b.containerPort}`, "-j", "ACCEPT"];
  },
  portMasquerade(ep: Endpoint, b: PortBinding): string[] {
    const ctr = formatIPv4(ep.ip);
    return ["-p", b.proto, "-s", ctr, "-d", ctr, "--dport", `${b.containerPort}`, "-j", "MASQUERADE"];
  },
  sctpChecksum: (b: PortBinding): string[] => ["-p", "sctp", "--sport", `${b.containerPort}`, "-j", "CHECKSUM", "--checksum-fill"],
  icc: (net: DockerNetwork, verdict: "ACCEPT" | "DROP"): string[] => ["-i", net.bridge, "-o", net.bridge, "-j", verdict],
  internalIn: (net: DockerNetwork): string[] => ["-i", net.bridge, "!", "-d", formatCidr(net.subnet), "-j", "DROP"],
  internalOut: (net: DockerNetwork): string[] => ["-o", net.bridge, "!", "-s", formatCidr(net.subnet), "-j", "DROP"],
};

function snat(net: DockerNetwork): string[] {
  return net.hostIpv4 ? ["-j", "SNAT", "--to-source", net.hostIpv4] : ["-j", "MASQUERADE"];
}

/** The nat PREROUTING/OUTPUT jumps to DOCKER (OUTPUT skips loopback while docker-proxy runs). */
export function natJumps(ipt: Ipt, proxy: boolean, loopback = "127.0.0.0/8"): void {
  ipt.ensure("nat", "-A", "PREROUTING", "-m", "addrtype", "--dst-type", "LOCAL", "-j", "DOCKER");
  ipt.ensure("nat", "-A", "OUTPUT", "-m", "addrtype", "--dst-type", "LOCAL", "-j", "DOCKER", ...(proxy ? ["!", "--dst", loopback] : []));
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
