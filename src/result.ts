// The result of a simulation: the public contract's Result (shared/api-contract.md), extended
// with `hops` (routing/bridge/veth events between rule steps) and the iptables command log.
import type { Trace } from "./net/flows.js";
import type { Warning } from "./explain/types.js";

export interface NetworkResult {
  name: string;
  driver: string;
  bridge: string;
  subnet: string;
  gateway: string;
  internal: boolean;
  /** An overlay network (swarm): its swarm network ID and VXLAN ID. */
  id?: string;
  vni?: number;
  /** macvlan/ipvlan: the host device the containers' interfaces hang off, and the driver's mode
   *  (macvlan_mode; ipvlan_mode/ipvlan_flag); remote: the plugin's name. */
  parent?: string;
  mode?: string;
  plugin?: string;
  /** An IPv6 network (--ipv6): its IPv6 subnet and gateway. */
  subnet6?: string;
  gateway6?: string;
}

export interface InterfaceResult {
  network: string;
  name: string;
  ip: string;
  mac: string;
  hostVeth: string;
  /** The IPv6 address, on an IPv6 network. */
  ip6?: string;
  /** The container's gateways when they are not the network's (docker0 with daemon "default-gateway", "default-gateway-v6"). */
  gateway?: string;
  gateway6?: string;
}

export interface PortResult {
  hostIp: string;
  hostPort: number;
  containerPort: number;
  proto: string;
}

export interface ContainerResult {
  name: string;
  networkMode: string;
  interfaces: InterfaceResult[];
  ports: PortResult[];
  /** A swarm task: the node it runs on. */
  node?: string;
}

export interface NamespaceRules {
  "iptables-save": string;
  "ip6tables-save"?: string;
  /** `nft list ruleset` of the namespace (the nftables backend, or pasted nft rules). */
  nft?: string;
  /** `ipset save` of the sets dockerd keeps (Docker 28.0.0: docker-ext-bridges-v4/-v6). */
  "ipset-save"?: string;
  /** The iptables commands dockerd ran to get there, in order (failed checks marked). */
  commands?: string[];
}

export interface SimulationResult {
  id: string;
  docker: { version: string; family: string } | null;
  networks: NetworkResult[];
  containers: ContainerResult[];
  rules: Record<string, NamespaceRules>;
  traces: Trace[];
  /** With a `swarm` scenario: its nodes (and their namespaces) and services (VIPs, firewall marks, task placement). */
  swarm?: SwarmResult;
  /** Known pitfalls this host runs into (src/explain), each proven by the rules and hidden probe flows; absent when none. */
  warnings?: Warning[];
}

export interface SwarmResult {
  nodes: { name: string; role: string; address: string; namespaces: string[]; ingressSbox: { ingress: string; gwbridge: string } }[];
  services: { name: string; vips: Record<string, string>; fwmark: number | null; ports: string[]; tasks: { name: string; node: string }[] }[];
}

export type { Trace, Warning };
