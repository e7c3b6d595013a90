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

export const dockerSchema = z.strictObject({
  version: z
    .string()
    .regex(/^\d+(\.\d+){0,2}$/, "must be a Docker release such as \"20.10\", \"26\" or \"20.10.24\"")
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
});

const hostInterface = z.strictObject({
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
});

const savedRules = z.strictObject({
  "iptables-save": z.string().max(LIMITS.rulesText).optional(),
  "ip6tables-save": z.string().max(LIMITS.rulesText).optional(),
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
  internal: z.boolean().optional(),
  options: z.record(z.string().max(128), z.string().max(256)).optional(),
});

/** A compose-style port string: [HOST_IP:][HOST_PORT[-END]:]CONTAINER_PORT[-END][/PROTO]. */
export const PORT_SPEC = /^(?:(\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:.]+\]):)?(?:(\d{0,5}(?:-\d{1,5})?):)?(\d{1,5}(?:-\d{1,5})?)(?:\/(tcp|udp|sctp))?$/;

export const containerSchema = z.strictObject({
  name,
  network: z.union([z.string().min(1).max(LIMITS.nameLength), z.array(name).min(1).max(8)]).optional(),
  ip: ipv4.optional(),
  /** The container's IPv6 address on its first network (default: the subnet6 address with the IPv4 host part). */
  ip6: ipv6.optional(),
  ports: z
    .array(z.string().regex(PORT_SPEC, "must be a port like \"8080:80\", \"127.0.0.1:53:53/udp\" or \"9000-9002:9000-9002\""))
    .max(LIMITS.portsPerContainer)
    .optional(),
  expose: z.array(z.string().regex(/^\d{1,5}(-\d{1,5})?(\/(tcp|udp|sctp))?$/, "must be a port like \"80\" or \"53/udp\"")).max(LIMITS.portsPerContainer).optional(),
  "publish-all": z.boolean().optional(),
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

export const flowSchema = z.strictObject({
  name: z.string().min(1).max(LIMITS.nameLength).optional(),
  from: z.string().min(1).max(LIMITS.nameLength),
  to: z.string().min(1).max(LIMITS.nameLength),
  proto: z.enum(["tcp", "udp", "sctp", "icmp"]).default("tcp"),
  state: z.enum(["new", "established"]).optional(),
  expect: flowExpectSchema.optional(),
});

export const scenarioSchema = z.strictObject({
  docker: dockerSchema.optional(),
  daemon: daemonSchema.optional(),
  host: hostSchema.optional(),
  rules: z.record(z.string().max(LIMITS.nameLength), savedRules).optional(),
  networks: z.array(networkSchema).max(LIMITS.networks).optional(),
  containers: z.array(containerSchema).max(LIMITS.containers).optional(),
  commands: z.array(z.string().max(LIMITS.commandLength)).max(LIMITS.commands).optional(),
  flows: z.array(flowSchema).max(LIMITS.flows).optional(),
  expect: scenarioExpectSchema.optional(),
});

export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type NetworkSpec = z.output<typeof networkSchema>;
export type ContainerSpec = z.output<typeof containerSchema>;
export type FlowSpec = z.output<typeof flowSchema>;
export type DaemonSpec = z.output<typeof daemonSchema>;
export type FlowExpect = z.output<typeof flowExpectSchema>;
export type ScenarioExpect = z.output<typeof scenarioExpectSchema>;
