// Docker's embedded DNS (127.0.0.11) against the Linux kernel: nfplay's container ruleset (the
// same as real dockerd's, test/golden/docker-20.10/d*-dns*, but the resolver's two ports) is
// restored inside the container's namespace, a listener stands in for dockerd's resolver on
// 127.0.0.11:<port>, and the kernel's trace of a query (both namespaces traced) must equal
// nfplay's, rule for rule, in each namespace. Root + iptables-nft only; skipped loudly elsewhere.
import { describe, expect, it } from "vitest";
import { simulate } from "../../src/engine.js";
import { resolverPorts } from "../../src/docker/dns.js";
import type { SimulationResult, Trace } from "../../src/result.js";
import { scenarioSchema, type ScenarioInput } from "../../src/scenario/schema.js";
import { ourLines } from "./compare.js";
import { kernelAvailable, ruleSequence, runKernelFlow, type KernelPacket, type KernelTopology } from "./harness.js";
import { kernelFlowOf, topologyOf } from "./scenario-topology.js";

const avail = kernelAvailable();
if (!avail.ok) console.warn(`\n!!!! KERNEL DNS TESTS SKIPPED: ${avail.reason}\n`);

type Flow = NonNullable<ScenarioInput["flows"]>[number];

const BASE: ScenarioInput = {
  docker: { version: "20.10" },
  networks: [{ name: "app" }],
  containers: [
    { name: "web", network: "app", ports: ["8080:80"] },
    { name: "db", network: "app", expose: ["5432"] },
  ],
};

/** Matches only the resolver's answers: they must leave the container's OUTPUT from port 53 already. */
const ANSWER_RULE = "-A INPUT -s 127.0.0.11/32 -p udp -m udp --sport 53 -j ACCEPT";

interface Case {
  name: string;
  flow: Flow;
  /** Namespaces traced and compared. */
  namespaces: string[];
  /** Extra rules for web's netns (in nfplay as a pasted ruleset, in the kernel restored with the rest). */
  extra?: string;
}

const CASES: Case[] = [
  { name: "udp query to 127.0.0.11:53", flow: { from: "web", to: "127.0.0.11:53", proto: "udp" }, namespaces: ["web"] },
  { name: "tcp query to 127.0.0.11:53", flow: { from: "web", to: "127.0.0.11:53", proto: "tcp" }, namespaces: ["web"] },
  {
    name: "udp answer un-NATed to :53 before INPUT",
    flow: { from: "web", to: "127.0.0.11:53", proto: "udp" },
    namespaces: ["web"],
    extra: `*filter\n${ANSWER_RULE}\nCOMMIT\n`,
  },
  // Other traffic crosses the resolver's nat chains too (policy steps in the container's netns).
  { name: "container to container on the network", flow: { from: "web", to: "db:5432" }, namespaces: ["web", "host", "db"] },
  { name: "published port into the container", flow: { from: "external", to: "host:8080" }, namespaces: ["host", "web"] },
];

/** The generated container rules without the built-in chains dockerd never creates (iptables-nft creates them lazily). */
function lazy(rules: string): string {
  return rules.split("\n").filter((l) => !/^:(PREROUTING|INPUT) ACCEPT/.test(l)).join("\n");
}

function scenarioFor(c: Case, generated: SimulationResult | null): ScenarioInput {
  const rules = c.extra && generated ? { web: { "iptables-save": lazy(generated.rules.web!["iptables-save"]) + c.extra } } : undefined;
  return { ...BASE, ...(rules ? { rules } : {}), flows: [c.flow] };
}

function kernelTopology(result: SimulationResult): KernelTopology {
  const topo = topologyOf(result, true);
  for (const c of topo.containers) c.rules = result.rules[c.name]?.["iptables-save"];
  // dockerd's resolver: one UDP and one TCP socket on 127.0.0.11 in each container's netns.
  for (const c of topo.containers) {
    if (!result.rules[c.name]) continue;
    const { udpPort, tcpPort } = resolverPorts(c.name);
    topo.listeners.push({ ns: c.name, ip: "127.0.0.11", port: udpPort, proto: "udp" }, { ns: c.name, ip: "127.0.0.11", port: tcpPort, proto: "tcp" });
  }
  for (const c of result.containers) for (const p of c.ports) topo.listeners.push({ ns: c.name, ip: "0.0.0.0", port: p.containerPort, proto: p.proto as "tcp" | "udp" });
  topo.listeners.push({ ns: "db", ip: "0.0.0.0", port: 5432, proto: "tcp" });
  return topo;
}

/** One namespace's kernel lines, split into the flow's packets and the answer's. */
function kernelLegsIn(ns: string, trace: Trace, packets: KernelPacket[]): { forward: string[]; reply: string[] } {
  const mine = packets.filter((p) => p.ns === ns);
  if (packets.some((p) => p.proto === "tcp")) {
    const isAck = (p: KernelPacket) => p.flags.split(" ").includes("ACK");
    return { forward: ruleSequence(mine.filter((p) => !isAck(p))), reply: ruleSequence(mine.filter(isAck)) };
  }
  // UDP: the query goes to 53 (before DNAT) or the resolver's port (after); the answer to the client.
  const fwdPorts = new Set(trace.steps.map((s) => s.packet.dport).concat(53));
  return { forward: ruleSequence(mine.filter((p) => fwdPorts.has(p.dport))), reply: ruleSequence(mine.filter((p) => !fwdPorts.has(p.dport))) };
}

describe.skipIf(!avail.ok)("embedded DNS: nfplay vs the Linux kernel", () => {
  const generated = simulate(scenarioSchema.parse(BASE));
  for (const c of CASES) {
    it(c.name, async () => {
      const result = simulate(scenarioSchema.parse(scenarioFor(c, generated)));
      const trace = result.traces[0]!;
      const topo = kernelTopology(result);
      if (c.extra) topo.containers.find((x) => x.name === "web")!.rules = result.rules.web!["iptables-save"];
      const dns = c.flow.to.startsWith("127.0.0.11");
      const flow = dns ? { from: "web", dstIp: "127.0.0.11", dstPort: 53, proto: c.flow.proto as "tcp" | "udp" } : kernelFlowOf(result, c.flow);
      const kernel = await runKernelFlow(topo, flow, {
        traceContainers: c.namespaces.filter((n) => n !== "host"),
        autoListeners: false,
      });
      expect(kernel.connected, kernel.clientResult).toBe(true);
      expect(trace.connects).toBe(true);
      for (const ns of c.namespaces) {
        const legs = kernelLegsIn(ns, trace, kernel.packets);
        expect(ourLines(trace.steps, ns), `${ns} forward`).toEqual(legs.forward);
        expect(ourLines(trace.reply?.steps ?? [], ns), `${ns} reply`).toEqual(legs.reply);
      }
      // Not vacuous: the kernel printed the resolver's DNAT, and the policy steps of its nat chains for other traffic.
      const web = kernelLegsIn("web", trace, kernel.packets).forward;
      if (dns) expect(web).toContain(`nat:DOCKER_OUTPUT:rule:ACCEPT ${trace.steps[1]!.rule}`);
      if (c.flow.from === "web" && !dns) expect(web).toEqual(["nat:OUTPUT:policy:ACCEPT", "nat:POSTROUTING:policy:ACCEPT"]);
      if (dns) expect(kernel.clientResult).toContain(`local=127.0.0.11:${c.flow.proto === "udp" ? resolverPorts("web").udpPort : resolverPorts("web").tcpPort}`);
      if (c.extra) expect(ourLines(trace.reply!.steps, "web")).toContain(`filter:INPUT:rule:ACCEPT ${ANSWER_RULE}`);
    }, 40_000);
  }
});
