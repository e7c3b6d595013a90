// Differential conformance: nfplay's own rules and topology, rebuilt in real network namespaces;
// the kernel's trace of each flow must equal nfplay's, rule for rule, in both directions.
// Root + iptables-nft only (CI installs them); skipped loudly elsewhere.
import { describe, expect, it } from "vitest";
import { simulate } from "../../src/engine.js";
import { scenarioSchema, type ScenarioInput } from "../../src/scenario/schema.js";
import { kernelLegs, ourLines } from "./compare.js";
import { kernelAvailable, runKernelFlow } from "./harness.js";
import { kernelFlowOf, topologyOf } from "./scenario-topology.js";

const avail = kernelAvailable();
if (!avail.ok) console.warn(`\n!!!! KERNEL DIFFERENTIAL TESTS SKIPPED: ${avail.reason}\n`);

const CASES: { name: string; scenario: ScenarioInput }[] = [
  {
    name: "seed: docker run -p 8543:8888 (userland proxy on)",
    scenario: {
      docker: { version: "20.10" },
      containers: [{ name: "web", ports: ["8543:8888"] }, { name: "client" }],
      flows: [
        { from: "external", to: "host:8543" },
        { from: "web", to: "198.51.100.7:443" },
        { from: "host", to: "localhost:8543" },
        { from: "client", to: "web:8888" },
        { from: "client", to: "host:8543" },
        { from: "external", to: "web:8888" },
      ],
    },
  },
  {
    name: "userland-proxy=false, a user network, udp on 127.0.0.1",
    scenario: {
      docker: { version: "20.10" },
      daemon: { "userland-proxy": false },
      networks: [{ name: "net1" }],
      containers: [
        { name: "web", ports: ["8543:8888"] },
        { name: "web1", network: "net1", ports: ["8080:80", "127.0.0.1:5353:53/udp"] },
      ],
      flows: [
        { from: "host", to: "localhost:8543" },
        { from: "web", to: "host:8543" },
        { from: "external", to: "host:8080" },
        { from: "web", to: "host:8080" },
        { from: "host", to: "localhost:5353", proto: "udp" },
      ],
    },
  },
  {
    name: "icc=false network and an internal network",
    scenario: {
      docker: { version: "20.10" },
      networks: [{ name: "quiet", options: { "com.docker.network.bridge.enable_icc": "false" } }, { name: "inside", internal: true }],
      containers: [
        { name: "a", network: "quiet", ports: ["8082:80"] },
        { name: "b", network: "quiet" },
        { name: "i", network: "inside" },
      ],
      flows: [
        { from: "b", to: "a:80" },
        { from: "external", to: "host:8082" },
        { from: "i", to: "198.51.100.7:80" },
      ],
    },
  },
];

describe.skipIf(!avail.ok)("nfplay vs the Linux kernel (differential)", () => {
  for (const c of CASES) {
    describe(c.name, () => {
      const scenario = scenarioSchema.parse(c.scenario);
      const result = simulate(scenario);
      const proxy = c.scenario.daemon?.["userland-proxy"] ?? true;
      (c.scenario.flows ?? []).forEach((f, i) => {
        it(`${f.from} -> ${f.to}/${f.proto ?? "tcp"}`, async () => {
          const trace = result.traces[i]!;
          // nfplay's outside world routes to the host (a LAN neighbour can reach container subnets).
          const extRoutesToContainers = result.networks.map((n) => n.subnet);
          const kernel = await runKernelFlow(topologyOf(result, proxy), kernelFlowOf(result, f), { extRoutesToContainers });
          const legs = kernelLegs(trace, kernel.packets);
          expect(ourLines(trace.steps)).toEqual(legs.forward);
          expect(ourLines(trace.reply?.steps ?? [])).toEqual(legs.reply);
          expect(trace.connects).toBe(kernel.connected);
        }, 40_000);
      });
    });
  }
});
