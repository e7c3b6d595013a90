// rp_filter kernel cases: host.sysctl net.ipv4.conf.{all,default,IFACE}.rp_filter, and a client
// whose source address routes back through another interface (172.17.0.9: docker0's subnet,
// arriving on eth0). Input routing (fib_validate_source, after PREROUTING) drops it in strict
// mode: the kernel's trace shows PREROUTING and then nothing. nfplay must agree rule for rule.
// Root + iptables-nft only; skipped loudly elsewhere.
import { describe, expect, it } from "vitest";
import { simulate } from "../../src/engine.js";
import type { SimulationResult } from "../../src/result.js";
import { scenarioSchema, type ScenarioInput } from "../../src/scenario/schema.js";
import { kernelDirections } from "./compare.js";
import { kernelAvailable, ruleSequence, runKernelFlow } from "./harness.js";
import { kernelFlowOf, topologyOf } from "./scenario-topology.js";

const avail = kernelAvailable();
if (!avail.ok) console.warn(`\n!!!! RP_FILTER KERNEL CASES SKIPPED: ${avail.reason}\n`);

const SPOOFED = "172.17.0.9"; // in docker0's subnet, no container has it

const RULES = `*mangle
-A PREROUTING -i eth0 -j LOG --log-prefix "pre "
COMMIT
*filter
-A INPUT -i eth0 -j LOG --log-prefix "in "
-A FORWARD -j LOG --log-prefix "fwd "
COMMIT
`;

type Flow = { from: string; to: string; proto?: "tcp" | "udp" };

interface Case {
  name: string;
  sysctl: Record<string, number>;
  flow: Flow;
  verdict: "dropped" | "delivered";
  /** Other rules than RULES (the -m rpfilter cases). */
  rules?: string;
}

const tcp = { from: SPOOFED, to: "host:8001" };
const udp = { from: SPOOFED, to: "host:8001", proto: "udp" } as const;

const CASES: Case[] = [
  { name: "strict (all=1) drops a source that routes back through docker0", sysctl: { "net.ipv4.conf.all.rp_filter": 1 }, flow: tcp, verdict: "dropped" },
  { name: "loose (all=2) accepts it: a route back exists", sysctl: { "net.ipv4.conf.all.rp_filter": 2 }, flow: udp, verdict: "delivered" },
  { name: "off (0) accepts it", sysctl: { "net.ipv4.conf.all.rp_filter": 0 }, flow: udp, verdict: "delivered" },
  { name: "per interface: eth0=1 with all=0 is strict on eth0", sysctl: { "net.ipv4.conf.all.rp_filter": 0, "net.ipv4.conf.eth0.rp_filter": 1 }, flow: tcp, verdict: "dropped" },
  { name: "the larger value wins: all=2 and eth0=1 is loose", sysctl: { "net.ipv4.conf.all.rp_filter": 2, "net.ipv4.conf.eth0.rp_filter": 1 }, flow: udp, verdict: "delivered" },
  { name: "default=1 is what eth0 starts with", sysctl: { "net.ipv4.conf.default.rp_filter": 1 }, flow: tcp, verdict: "dropped" },
  {
    name: "-m rpfilter --invert in raw PREROUTING drops the spoofed source (rp_filter off)",
    sysctl: { "net.ipv4.conf.all.rp_filter": 0 }, flow: tcp, verdict: "dropped",
    rules: `*raw
-A PREROUTING -i eth0 -m rpfilter -j LOG --log-prefix "passes "
-A PREROUTING -i eth0 -m rpfilter --invert -j DROP
COMMIT
`,
  },
  {
    name: "-m rpfilter --loose passes it in mangle PREROUTING, strict does not",
    sysctl: { "net.ipv4.conf.all.rp_filter": 0 }, flow: udp, verdict: "delivered",
    rules: `*mangle
-A PREROUTING -i eth0 -m rpfilter -j LOG --log-prefix "strict "
-A PREROUTING -i eth0 -m rpfilter --loose --validmark -j LOG --log-prefix "loose "
-A PREROUTING -i eth0 -m rpfilter --accept-local --invert -j LOG --log-prefix "fails "
COMMIT
`,
  },
  { name: "strict: a container's own packets pass (the route back is docker0)", sysctl: { "net.ipv4.conf.all.rp_filter": 1 }, flow: { from: "web", to: "198.51.100.7:443" }, verdict: "delivered" },
];

async function compare(result: SimulationResult, flow: Flow, sysctl: Record<string, number>, srcIp?: string): Promise<void> {
  const trace = result.traces[0]!;
  const topo = topologyOf(result, true);
  topo.host.sysctl = sysctl;
  // The spoofing client: the harness's internet client gets the spoofed address.
  // Its ARP asks from the gateway address, as a router's would: an ARP request from the spoofed
  // address would itself fail the host's reverse-path check (arp_process routes its sender).
  if (srcIp) topo.external = { ...topo.external, ip: srcIp, sysctl: { "net.ipv4.conf.all.arp_announce": 2 } };
  const kflow = srcIp ? { ...kernelFlowOf(result, { ...flow, from: "external" }), srcIp } : kernelFlowOf(result, flow);
  const kernel = await runKernelFlow(topo, kflow, { extRoutesToContainers: srcIp ? false : result.networks.map((n) => n.subnet) });
  expect(ruleSequence(kernel.packets).length).toBeGreaterThan(0);
  const dirs = kernelDirections(trace, kernel.packets, flow.proto);
  expect(dirs.forward[0]).toEqual(dirs.forward[1]);
  expect(dirs.reply[0]).toEqual(dirs.reply[1]);
  expect(trace.connects).toBe(kernel.connected);
}

describe.skipIf(!avail.ok)("rp_filter: nfplay vs the Linux kernel", () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const input: ScenarioInput = {
        docker: { version: "20.10" }, containers: [{ name: "web", expose: ["80"] }],
        host: { sysctl: c.sysctl }, rules: { host: { "iptables-save": c.rules ?? RULES } }, flows: [c.flow],
      };
      const result = simulate(scenarioSchema.parse(input));
      const trace = result.traces[0]!;
      expect(trace.verdict).toBe(c.verdict);
      if (c.rules) expect(trace.steps.filter((s) => s.rule.includes("-m rpfilter")).length).toBeGreaterThanOrEqual(1);
      if (c.verdict === "dropped" && !c.rules) {
        expect(trace.reason).toMatch(/^rp_filter=1 \(strict\) on eth0: the route back to 172\.17\.0\.9 leaves through docker0$/);
        expect(new Set(trace.steps.map((s) => s.hook))).toEqual(new Set(["PREROUTING"]));
      }
      await compare(result, c.flow, c.sysctl, c.flow.from === SPOOFED ? SPOOFED : undefined);
    }, 40_000);
  }

  it("Docker host, rp_filter=1: a DNATed flow to a published port is still delivered", async () => {
    const sysctl = { "net.ipv4.conf.all.rp_filter": 1, "net.ipv4.conf.default.rp_filter": 1 };
    const flow = { from: "external", to: "host:8080" };
    const result = simulate(scenarioSchema.parse({
      docker: { version: "20.10" }, host: { sysctl }, containers: [{ name: "web", ports: ["8080:80"] }], flows: [flow],
    }));
    expect(result.traces[0]!.verdict).toBe("delivered");
    expect(result.traces[0]!.connects).toBe(true);
    await compare(result, flow, sysctl);
  }, 40_000);
});

describe("rp_filter input", () => {
  it("drops in strict mode only, after PREROUTING, with the reason (no kernel needed)", () => {
    const run = (mode: number) => simulate(scenarioSchema.parse({
      docker: { version: "20.10" }, containers: [{ name: "web", expose: ["80"] }],
      host: { sysctl: { "net.ipv4.conf.all.rp_filter": mode } }, rules: { host: { "iptables-save": RULES } }, flows: [tcp],
    })).traces[0]!;
    expect(run(1)).toMatchObject({ verdict: "dropped", reason: "rp_filter=1 (strict) on eth0: the route back to 172.17.0.9 leaves through docker0" });
    expect(run(1).hops.at(-1)).toMatchObject({ namespace: "host", event: "drop" });
    expect(run(2).verdict).toBe("delivered");
    expect(run(0).verdict).toBe("delivered");
  });

  it("refuses a value other than 0, 1, 2 and an unknown interface, naming the key", () => {
    const run = (sysctl: Record<string, number>) => () => simulate(scenarioSchema.parse({ docker: { version: "20.10" }, host: { sysctl } }));
    expect(run({ "net.ipv4.conf.all.rp_filter": 3 })).toThrow("/host/sysctl/net.ipv4.conf.all.rp_filter: rp_filter is 0 (off), 1 (strict) or 2 (loose)");
    expect(run({ "net.ipv4.conf.eth9.rp_filter": 1 })).toThrow('/host/sysctl/net.ipv4.conf.eth9.rp_filter: the host has no interface "eth9"');
  });
});
