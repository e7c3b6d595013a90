// Docker's embedded DNS server (libnetwork resolver_unix.go setupIPTable / setupIptablesNAT).
// Every container with an endpoint on a user-defined network gets a resolver: dockerd listens on
// 127.0.0.11 inside the container's namespace, on an ephemeral UDP and an ephemeral TCP port, and
// writes nat rules there that DNAT 127.0.0.11:53 to those ports and SNAT the answers back to :53.
// The rules are the same from 20.10 to 29 with the iptables backend, and they do not depend on
// --iptables (the resolver writes them itself; capture d6-dns-iptables-false-internal). With 29's
// nftables backend they are nftables table `ip docker-dns` instead (setupNftablesNAT).
import { Ipt } from "./ipt.js";
import type { DockerContainer } from "./model.js";
import { MobyTable, Modifier } from "./nftabler-table.js";
import { Ruleset } from "../netfilter/ruleset.js";
import { NftRuleset } from "../nftables/ruleset.js";

export const RESOLVER_IP = "127.0.0.11";
export const DNS_PORT = 53;
const OUTPUT_CHAIN = "DOCKER_OUTPUT";
const POSTROUTING_CHAIN = "DOCKER_POSTROUTING";

// The resolver binds port 0: the kernel picks two ephemeral ports (ip_local_port_range, 32768-60999
// by default), at random and per container namespace. nfplay uses the same two fixed ports in every
// container (each namespace has its own port space, so they never clash), which makes every
// resolver's rules the same: they are issued once per simulation and shared.
const UDP_PORT = 48706;
const TCP_PORT = 52730;

export interface Resolver {
  container: string;
  /** Docker draws these (the kernel picks them on bind); nfplay fixes them. */
  udpPort: number;
  tcpPort: number;
  /** iptables backend: the nat rules (null with the nftables backend). Shared: never modify it. */
  ruleset: Ruleset | null;
  /** nftables backend (29): table ip docker-dns (null with the iptables backend). Shared too. */
  nft: NftRuleset | null;
  /** The iptables commands (or nft scripts) dockerd ran inside the container's namespace, in order. */
  commands: string[];
}

/** The stand-ins for the resolver's two ephemeral ports. */
export function resolverPorts(_container?: string): { udpPort: number; tcpPort: number } {
  return { udpPort: UDP_PORT, tcpPort: TCP_PORT };
}

/**
 * Whether dockerd starts a resolver for the container: libnetwork disables resolution on the
 * endpoints of the default bridge (daemon/network.go CreateOptionDisableResolution for networks
 * that are not user-defined); one endpoint that needs it is enough (sandbox resolverOnce).
 */
export function needsResolver(c: DockerContainer): boolean {
  return c.mode === "bridge" && c.endpoints.some((ep) => ep.network.name !== "bridge");
}

/** The resolver of one container: its rules, issued command by command as dockerd does. */
export function setupResolver(container: string, backend: "iptables" | "nftables" = "iptables"): Resolver {
  return backend === "nftables" ? setupNftables(container) : setupIptables(container);
}

function setupIptables(container: string): Resolver {
  const { udpPort, tcpPort } = resolverPorts(container);
  const ruleset = new Ruleset();
  const ipt = new Ipt(ruleset);
  writeResolverRules(ipt, udpPort, tcpPort);
  return { container, udpPort, tcpPort, ruleset, nft: null, commands: ipt.log };
}

/** The resolver's iptables commands, through `ipt` (a sandbox that has other rules too: swarm's ingress_sbox, lb_ and tasks). */
export function writeResolverRules(ipt: Ipt, udpPort: number, tcpPort: number): void {
  const ip = RESOLVER_IP;
  // Hook the two chains in (or flush them when they are already hooked in).
  for (const [hook, chain] of [["OUTPUT", OUTPUT_CHAIN], ["POSTROUTING", POSTROUTING_CHAIN]] as const) {
    if (ipt.exists("nat", hook, "-d", ip, "-j", chain)) ipt.run("-t", "nat", "-F", chain);
    else {
      ipt.run("-t", "nat", "-N", chain);
      ipt.run("-t", "nat", "-I", hook, "-d", ip, "-j", chain);
    }
  }
  // Each rule is inserted at the top: tcp ends up above udp in both chains.
  ipt.run("-t", "nat", "-I", OUTPUT_CHAIN, "-d", ip, "-p", "udp", "--dport", `${DNS_PORT}`, "-j", "DNAT", "--to-destination", `${ip}:${udpPort}`);
  ipt.run("-t", "nat", "-I", POSTROUTING_CHAIN, "-s", ip, "-p", "udp", "--sport", `${udpPort}`, "-j", "SNAT", "--to-source", `:${DNS_PORT}`);
  ipt.run("-t", "nat", "-I", OUTPUT_CHAIN, "-d", ip, "-p", "tcp", "--dport", `${DNS_PORT}`, "-j", "DNAT", "--to-destination", `${ip}:${tcpPort}`);
  ipt.run("-t", "nat", "-I", POSTROUTING_CHAIN, "-s", ip, "-p", "tcp", "--sport", `${tcpPort}`, "-j", "SNAT", "--to-source", `:${DNS_PORT}`);
}

/** 29 with the nftables backend (setupNftablesNAT): base chains at dstnat (-100) and srcnat (100), udp first. */
function setupNftables(container: string): Resolver {
  const { udpPort, tcpPort } = resolverPorts(container);
  const nft = new NftRuleset();
  const log: string[] = [];
  const ip = RESOLVER_IP;
  const tm = new Modifier();
  tm.create({ kind: "base", name: "dns-dnat", type: "nat", hook: "output", priority: -100 });
  tm.create({ kind: "rule", chain: "dns-dnat", group: 0, rule: ["ip daddr", ip, "udp dport", `${DNS_PORT}`, "counter dnat to", `${ip}:${udpPort}`] });
  tm.create({ kind: "rule", chain: "dns-dnat", group: 0, rule: ["ip daddr", ip, "tcp dport", `${DNS_PORT}`, "counter dnat to", `${ip}:${tcpPort}`] });
  tm.create({ kind: "base", name: "dns-snat", type: "nat", hook: "postrouting", priority: 100 });
  tm.create({ kind: "rule", chain: "dns-snat", group: 0, rule: ["ip saddr", ip, "udp sport", `${udpPort}`, `counter snat to :${DNS_PORT}`] });
  tm.create({ kind: "rule", chain: "dns-snat", group: 0, rule: ["ip saddr", ip, "tcp sport", `${tcpPort}`, `counter snat to :${DNS_PORT}`] });
  new MobyTable("ip", "docker-dns", nft, log).apply(tm);
  return { container, udpPort, tcpPort, ruleset: null, nft, commands: log };
}

/** One resolver per container that needs one, by container name (their rules issued once, shared). */
export function embeddedDns(containers: DockerContainer[], backend: "iptables" | "nftables" = "iptables"): Map<string, Resolver> {
  const out = new Map<string, Resolver>();
  let shared: Resolver | null = null;
  for (const c of containers) {
    if (!needsResolver(c)) continue;
    shared ??= setupResolver(c.name, backend);
    out.set(c.name, { ...shared, container: c.name });
  }
  return out;
}
