// The result of a simulation: the public contract's Result (shared/api-contract.md), extended
// with `hops` (routing/bridge/veth events between rule steps) and the iptables command log.
import type { Trace } from "./net/flows.js";

export interface NetworkResult {
  name: string;
  driver: string;
  bridge: string;
  subnet: string;
  gateway: string;
  internal: boolean;
}

export interface InterfaceResult {
  network: string;
  name: string;
  ip: string;
  mac: string;
  hostVeth: string;
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
}

export interface NamespaceRules {
  "iptables-save": string;
  "ip6tables-save"?: string;
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
}

export type { Trace };
