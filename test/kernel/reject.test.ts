// REJECT's answer, traced: the ICMP error (or TCP reset) the kernel sends from the rejecting
// namespace goes through that namespace's OUTPUT and POSTROUTING, RELATED to the refused
// connection, and is un-NATed with it. nfplay puts it in the flow's `reply`; the kernel's trace
// (the harness TRACEs ICMP, and TCP resets with traceResets) must show the same rules.
// The probe rules log the answer's conntrack state in every chain it crosses.
// Root + iptables-nft only; skipped loudly elsewhere.
import { describe, expect, it } from "vitest";
import { simulate } from "../../src/engine.js";
import type { SimulationResult } from "../../src/result.js";
import { scenarioSchema, type ScenarioInput } from "../../src/scenario/schema.js";
import { ourLines } from "./compare.js";
import { kernelAvailable, ruleSequence, runKernelFlow, type KernelPacket } from "./harness.js";
import { kernelFlowOf, topologyOf } from "./scenario-topology.js";

const avail = kernelAvailable();
if (!avail.ok) console.warn(`\n!!!! REJECT KERNEL CASES SKIPPED: ${avail.reason}\n`);

const STATES = ["NEW", "ESTABLISHED", "RELATED", "INVALID", "UNTRACKED"];
const probe = (chain: string) => STATES.map((s) => `-A ${chain} -m state --state ${s} -j LOG --log-prefix "${s} "`).join("\n");
const MANGLE_PROBES = `*mangle\n${probe("OUTPUT")}\n${probe("POSTROUTING")}\nCOMMIT\n`;

type Flow = { from: string; to: string; proto?: "tcp" | "udp" };

interface Case {
  name: string;
  rules: string;
  flow: Flow;
  /** The answer's last step leaves with this source (un-NATed). */
  answerFrom?: string;
}

const EXT = { from: "external", to: "host:8001" } as const;

const CASES: Case[] = [
  {
    name: "REJECT in INPUT: the ICMP port unreachable crosses OUTPUT and POSTROUTING, RELATED, no nat chains",
    rules: `${MANGLE_PROBES}*nat
-A OUTPUT -j LOG --log-prefix "natout "
-A POSTROUTING -j LOG --log-prefix "natpost "
COMMIT
*filter
-A INPUT -i eth0 -p tcp -m tcp --dport 8001 -j REJECT --reject-with icmp-port-unreachable
${probe("OUTPUT")}
-A OUTPUT -p icmp -m icmp --icmp-type 3/3 -j LOG --log-prefix "port-unreach "
COMMIT
`,
    flow: EXT,
    answerFrom: "203.0.113.10",
  },
  {
    name: "REJECT in FORWARD with icmp-host-prohibited: the host answers from its own address",
    rules: `${MANGLE_PROBES}*filter
-A FORWARD -d 172.17.0.2/32 -p tcp -m tcp --dport 80 -j REJECT --reject-with icmp-host-prohibited
-A OUTPUT -p icmp -m icmp --icmp-type 3/10 -j LOG --log-prefix "host-prohib "
-A OUTPUT -p icmp -m icmp --icmp-type 3/3 -j LOG --log-prefix "port-unreach "
COMMIT
`,
    flow: { from: "external", to: "web:80" },
    answerFrom: "203.0.113.10",
  },
  {
    name: "REJECT --reject-with tcp-reset in INPUT: the RST is RELATED and goes through nat POSTROUTING",
    rules: `${MANGLE_PROBES}*nat
-A POSTROUTING -p tcp -j LOG --log-prefix "natpost "
COMMIT
*filter
-A INPUT -i eth0 -p tcp -m tcp --dport 8001 -j REJECT --reject-with tcp-reset
-A OUTPUT -p tcp -m tcp --tcp-flags RST,ACK RST,ACK -j LOG --log-prefix "rst-ack "
COMMIT
`,
    flow: EXT,
    answerFrom: "203.0.113.10",
  },
  {
    name: "REJECT of a UDP datagram in INPUT",
    rules: `${MANGLE_PROBES}*filter
-A INPUT -i eth0 -p udp -j REJECT
COMMIT
`,
    flow: { from: "external", to: "host:8001", proto: "udp" },
    answerFrom: "203.0.113.10",
  },
  {
    name: "REJECT in FORWARD of a container's connection: the ICMP error goes back over the bridge",
    rules: `${MANGLE_PROBES}*filter
-A FORWARD -i docker0 -o eth0 -p tcp -j REJECT --reject-with icmp-net-prohibited
COMMIT
`,
    flow: { from: "web", to: "198.51.100.7:443" },
    answerFrom: "172.17.0.1",
  },
];

const isAnswer = (p: KernelPacket) => p.proto === "icmp" || p.flags.split(" ").includes("RST");

async function compare(result: SimulationResult, flow: Flow): Promise<void> {
  const trace = result.traces[0]!;
  expect(trace.verdict).toBe("rejected");
  expect(trace.reply?.verdict).toBe("delivered");
  expect(trace.reply!.steps.length).toBeGreaterThan(0);
  const topo = topologyOf(result, true);
  const kernel = await runKernelFlow(topo, kernelFlowOf(result, flow), { extRoutesToContainers: result.networks.map((n) => n.subnet), traceResets: true });
  expect(ourLines(trace.steps)).toEqual(ruleSequence(kernel.packets.filter((p) => !isAnswer(p))));
  expect(ourLines(trace.reply!.steps)).toEqual(ruleSequence(kernel.packets.filter(isAnswer)));
  // The client saw the answer (a UDP client that never connect()s is not told).
  if (flow.proto !== "udp") expect(kernel.clientResult).toMatch(/refused|unreachable|no route/i);
  expect(trace.connects).toBe(false);
}

describe.skipIf(!avail.ok)("REJECT's answer: nfplay vs the Linux kernel", () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const input: ScenarioInput = {
        docker: { version: "20.10" }, containers: [{ name: "web", expose: ["80"] }],
        rules: { host: { "iptables-save": c.rules } }, flows: [c.flow],
      };
      const result = simulate(scenarioSchema.parse(input));
      const last = result.traces[0]!.reply?.steps.at(-1);
      if (c.answerFrom) expect(last?.packet.src).toBe(c.answerFrom);
      await compare(result, c.flow);
    }, 40_000);
  }

  for (const reject of ["REJECT", "REJECT --reject-with tcp-reset"]) {
    it(`Docker host: ${reject} in DOCKER-USER answers a DNATed flow, un-NATed`, async () => {
      const base: ScenarioInput = { docker: { version: "20.10" }, containers: [{ name: "web", ports: ["8080:80"] }] };
      const flow = { from: "external", to: "host:8080" };
      const save = simulate(scenarioSchema.parse(base)).rules.host!["iptables-save"];
      // Built-in chains declared but empty: iptables-restore creates them, dockerd never does (the
      // harness prunes them); undeclared, nfplay leaves them out too.
      const rules = MANGLE_PROBES + save.replace(/^:(INPUT|OUTPUT) ACCEPT \[0:0\]\n/gm, "").replace("-A DOCKER-USER -j RETURN\n", `-A DOCKER-USER -p tcp -j ${reject}\n-A DOCKER-USER -j RETURN\n`);
      const result = simulate(scenarioSchema.parse({ ...base, rules: { host: { "iptables-save": rules } }, flows: [flow] }));
      const reply = result.traces[0]!.reply!;
      // It leaves as an answer from the address the client dialed, not from the container.
      expect(reply.steps.at(-1)!.packet.src).toBe("203.0.113.10");
      if (reject.endsWith("tcp-reset")) expect(reply.steps.at(-1)!.packet.sport).toBe(8080);
      await compare(result, flow);
    }, 40_000);
  }
});

describe("REJECT kernel cases", () => {
  it("are at least 4, each with a unique name", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(4);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });
});
