// macvlan against the Linux kernel: nfplay's macvlan network rebuilt in namespaces (each
// container's eth0 a macvlan child of the host's eth0, a veth whose peer is the "external" LAN
// with the network's router), one flow at a time. The kernel's verdict, the namespace that
// answered and the host's netfilter trace (empty when the frame bypasses the host) must be
// nfplay's. Root + iptables-nft only; skipped loudly elsewhere.
// ipvlan is not here: this kernel has no CONFIG_IPVLAN (see src/docker/drivers/ipvlan.ts).
import { describe, expect, it } from "vitest";
import { simulate } from "../../src/engine.js";
import type { SimulationResult } from "../../src/result.js";
import { scenarioSchema, type ScenarioInput } from "../../src/scenario/schema.js";
import { kernelLegs, ourLines } from "./compare.js";
import { kernelAvailable, runKernelFlow, type KernelFlow, type KernelTopology } from "./harness.js";

const avail = kernelAvailable();
if (!avail.ok) console.warn(`\n!!!! KERNEL MACVLAN TESTS SKIPPED: ${avail.reason}\n`);

const HOST_IP = "203.0.113.10";
const LAN_HOST = "203.0.113.99";

type Mode = "bridge" | "private" | "vepa" | "passthru";

/**
 * The LAN is the host's own segment (203.0.113.0/24, router .1): the classic macvlan set-up; or
 * ("other") a second subnet on the same wire, 192.168.50.0/24, whose router .1 is the outside.
 */
const SUBNETS = {
  host: "--subnet 203.0.113.0/24 --gateway 203.0.113.1 --ip-range 203.0.113.128/25",
  other: "--subnet 192.168.50.0/24 --gateway 192.168.50.1",
};

function scenario(mode: Mode, flows: ScenarioInput["flows"], lan: keyof typeof SUBNETS = "host", single = false): ScenarioInput {
  return {
    docker: { version: "20.10" },
    commands: [
      `docker network create -d macvlan ${SUBNETS[lan]} -o parent=eth0 -o macvlan_mode=${mode} lan`,
      "docker run -d --name web --network lan -p 8080:80 nginx",
      ...(single ? [] : ["docker run -d --name db --network lan postgres"]),
    ],
    flows,
  };
}

interface Case {
  mode: Mode;
  flow: { from: string; to: string; proto?: "tcp" | "udp" | "icmp" };
  /** nfplay's verdict, checked without a kernel too */
  verdict: "delivered" | "unroutable" | "dropped";
  connects: boolean;
  lan?: keyof typeof SUBNETS;
  /** only "web" (passthru takes one child) */
  single?: boolean;
}

const CASES: Case[] = [
  { mode: "bridge", flow: { from: LAN_HOST, to: "web:80" }, verdict: "delivered", connects: true },
  { mode: "bridge", flow: { from: "web", to: "198.51.100.7:443" }, verdict: "delivered", connects: true },
  { mode: "bridge", flow: { from: "host", to: "web:80" }, verdict: "unroutable", connects: false },
  { mode: "bridge", flow: { from: "web", to: `${HOST_IP}:22` }, verdict: "unroutable", connects: false },
  { mode: "bridge", flow: { from: "web", to: "db:5432" }, verdict: "delivered", connects: true },
  { mode: "bridge", flow: { from: "db", to: "web:80", proto: "udp" }, verdict: "delivered", connects: true },
  // -p on a macvlan container publishes nothing: the host's own socket answers, no DNAT
  { mode: "bridge", flow: { from: "external", to: "host:8080" }, verdict: "delivered", connects: true },
  { mode: "private", flow: { from: "web", to: "db:5432" }, verdict: "unroutable", connects: false },
  { mode: "private", flow: { from: LAN_HOST, to: "db:5432" }, verdict: "delivered", connects: true },
  { mode: "vepa", flow: { from: "web", to: "db:5432" }, verdict: "unroutable", connects: false },
  { mode: "vepa", flow: { from: "web", to: "198.51.100.7:80" }, verdict: "delivered", connects: true },
  // passthru: one child takes the parent's wire over; the host's own stack hears nothing from it
  { mode: "passthru", single: true, flow: { from: LAN_HOST, to: "web:80" }, verdict: "delivered", connects: true },
  { mode: "passthru", single: true, flow: { from: "external", to: "host:8080" }, verdict: "unroutable", connects: false },
  { mode: "passthru", single: true, flow: { from: "web", to: "198.51.100.7:443" }, verdict: "delivered", connects: true },
  { mode: "bridge", lan: "other", flow: { from: "192.168.50.99", to: "web:80" }, verdict: "delivered", connects: true },
  { mode: "bridge", lan: "other", flow: { from: "web", to: "198.51.100.7:443" }, verdict: "delivered", connects: true },
  // the router (the outside netns) does not forward: the host is not reachable through it either
  { mode: "bridge", lan: "other", flow: { from: "web", to: `${HOST_IP}:22` }, verdict: "dropped", connects: false },
];

function engine(c: Case): SimulationResult {
  return simulate(scenarioSchema.parse(scenario(c.mode, [{ ...c.flow, proto: c.flow.proto ?? "tcp" }], c.lan, c.single)));
}

function topology(r: SimulationResult, c: Case): KernelTopology {
  const other = c.lan === "other";
  const gateway = other ? "192.168.50.1" : "203.0.113.1";
  return {
    host: { interfaces: [{ name: "eth0", address: `${HOST_IP}/24`, gateway: "203.0.113.1" }] },
    external: { ip: "198.51.100.7", lanAddresses: other ? ["192.168.50.1/24", "192.168.50.99/24"] : [`${LAN_HOST}/24`] },
    bridges: r.networks.filter((n) => n.driver === "bridge").map((n) => ({ name: n.bridge, address: `${n.gateway}/${n.subnet.split("/")[1]}` })),
    containers: r.containers.map((ctr) => {
      const i = ctr.interfaces[0]!;
      return { name: ctr.name, bridge: "", ip: i.ip, prefix: 24, mac: i.mac, gateway, macvlan: { parent: "eth0", mode: c.mode } };
    }),
    hostRules: r.rules.host!["iptables-save"],
    proxies: [],
    listeners: [],
  };
}

function kernelFlow(r: SimulationResult, f: Case["flow"]): KernelFlow {
  const [target, port] = f.to.split(":");
  const ctr = r.containers.find((c) => c.name === target);
  const dstIp = target === "host" ? HOST_IP : ctr ? ctr.interfaces[0]!.ip : target!;
  const lan = /^\d/.test(f.from);
  return { from: lan ? "external" : f.from, ...(lan ? { srcIp: f.from } : {}), dstIp, dstPort: Number(port), proto: f.proto ?? "tcp" };
}

const label = (c: Case) => `${c.mode} mode${c.lan === "other" ? " (192.168.50.0/24)" : ""}: ${c.flow.from} -> ${c.flow.to}/${c.flow.proto ?? "tcp"}`;

describe("macvlan in nfplay: verdicts of the kernel cases", () => {
  for (const c of CASES)
    it(label(c), () => {
      const t = engine(c).traces[0]!;
      expect(t.verdict).toBe(c.verdict);
      expect(t.connects).toBe(c.connects);
      // macvlan traffic never enters the host's netfilter, except what the host itself sends
      if (c.flow.from !== "host" && !(c.flow.to === "host:8080" && c.verdict === "delivered")) expect(t.steps.filter((s) => s.namespace === "host")).toEqual([]);
    });
});

describe.skipIf(!avail.ok)("macvlan: nfplay vs the Linux kernel", () => {
  for (const c of CASES)
    it(label(c), async () => {
      const r = engine(c);
      const trace = r.traces[0]!;
      const kernel = await runKernelFlow(topology(r, c), kernelFlow(r, c.flow), { clientTimeoutMs: 1500 });
      expect(trace.connects).toBe(kernel.connected);
      if (kernel.connected) {
        const server = /server@([^:]+):/.exec(kernel.clientResult)?.[1];
        expect(trace.deliveredTo?.namespace).toBe(server === "external" ? "external" : server);
      }
      const legs = kernelLegs(trace, kernel.packets);
      expect(ourLines(trace.steps)).toEqual(legs.forward);
      expect(ourLines(trace.reply?.steps ?? [])).toEqual(legs.reply);
    }, 40_000);
});
