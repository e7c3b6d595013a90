// REJECT's answer, traced: the ICMP error (or TCP reset) the kernel sends from the rejecting
// namespace goes through that namespace's OUTPUT and POSTROUTING, RELATED to the refused
// connection, and is un-NATed with it. nfplay puts it in the flow's `rejectReply`; the kernel's trace
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

/** The kernel's lines are ours, once or repeated whole (retransmissions). */
function repeats(ours: string[], kernel: string[]): boolean {
  if (ours.length === 0 || kernel.length === 0 || kernel.length % ours.length !== 0) return ours.join("\n") === kernel.join("\n");
  for (let i = 0; i < kernel.length; i += ours.length) if (kernel.slice(i, i + ours.length).join("\n") !== ours.join("\n")) return false;
  return true;
}

const isAnswer = (p: KernelPacket) => p.proto === "icmp" || p.flags.split(" ").includes("RST");

async function compare(result: SimulationResult, flow: Flow): Promise<void> {
  const trace = result.traces[0]!;
  expect(trace.verdict).toBe("rejected");
  expect(trace.rejectReply?.verdict).toBe("delivered");
  expect(trace.rejectReply!.steps.length).toBeGreaterThan(0);
  const topo = topologyOf(result, true);
  const kernel = await runKernelFlow(topo, kernelFlowOf(result, flow), { extRoutesToContainers: result.networks.map((n) => n.subnet), traceResets: true });
  const forward = ruleSequence(kernel.packets.filter((p) => !isAnswer(p)));
  const answer = ruleSequence(kernel.packets.filter(isAnswer));
  // exact, or repeated whole by a retransmission (see the ip6tables case)
  if (!repeats(ourLines(trace.steps), forward) || !repeats(ourLines(trace.rejectReply!.steps), answer)) {
    expect(ourLines(trace.steps)).toEqual(forward);
    expect(ourLines(trace.rejectReply!.steps)).toEqual(answer);
  }
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
      const last = result.traces[0]!.rejectReply?.steps.at(-1);
      if (c.answerFrom) expect(last?.packet.src).toBe(c.answerFrom);
      await compare(result, c.flow);
    }, 40_000);
  }

  it("ip6tables REJECT in INPUT: the ICMPv6 port unreachable crosses OUTPUT, RELATED", async () => {
    const HOST6 = "2001:db8:1::10";
    const nd = (chain: string) => [135, 136].map((t) => `-A ${chain} -p ipv6-icmp -m icmp6 --icmpv6-type ${t} -j ACCEPT`).join("\n");
    const rules6 = `*mangle
${probe("POSTROUTING")}
COMMIT
*filter
${nd("INPUT")}
-A INPUT -i eth0 -p tcp -m tcp --dport 8001 -j REJECT
${nd("OUTPUT")}
${probe("OUTPUT")}
-A OUTPUT -p ipv6-icmp -m icmp6 --icmpv6-type 1/4 -j LOG --log-prefix "port-unreach "
COMMIT
`;
    const iface = { name: "eth0", address: "203.0.113.10/24", gateway: "203.0.113.1", address6: `${HOST6}/64`, gateway6: "2001:db8:1::1" };
    const result = simulate(scenarioSchema.parse({
      docker: { version: "20.10" }, host: { interfaces: [iface] },
      rules: { host: { "iptables-save": "", "ip6tables-save": rules6 } }, flows: [{ from: "external", to: `[${HOST6}]:8001` }],
    }));
    const trace = result.traces[0]!;
    expect(trace.verdict).toBe("rejected");
    expect(trace.rejectReply?.verdict).toBe("delivered");
    expect(trace.rejectReply!.steps.at(-1)!.packet.src).toBe(HOST6);
    const kernel = await runKernelFlow({
      host: { interfaces: [iface] }, external: { ip: "198.51.100.7", ip6: "2001:db8:100::7" }, bridges: [], containers: [],
      hostRules: "", hostRules6: rules6, proxies: [], listeners: [],
    }, { from: "external", dstIp: HOST6, dstPort: 8001, proto: "tcp" });
    // The kernel sometimes shows SYN and error twice: the client retransmits its SYN when the first
    // error comes in while connect() still holds the socket (tcp_v6_err keeps it as a soft error).
    expect(repeats(ourLines(trace.steps), ruleSequence(kernel.packets.filter((p) => !isAnswer(p))))).toBe(true);
    expect(repeats(ourLines(trace.rejectReply!.steps), ruleSequence(kernel.packets.filter(isAnswer)))).toBe(true);
    expect(kernel.clientResult).toMatch(/refused/i);
  }, 40_000);

  for (const reject of ["REJECT", "REJECT --reject-with tcp-reset"]) {
    it(`Docker host: ${reject} in DOCKER-USER answers a DNATed flow, un-NATed`, async () => {
      const base: ScenarioInput = { docker: { version: "20.10" }, containers: [{ name: "web", ports: ["8080:80"] }] };
      const flow = { from: "external", to: "host:8080" };
      const save = simulate(scenarioSchema.parse(base)).rules.host!["iptables-save"];
      // Built-in chains declared but empty: iptables-restore creates them, dockerd never does (the
      // harness prunes them); undeclared, nfplay leaves them out too.
      const rules = MANGLE_PROBES + save.replace(/^:(INPUT|OUTPUT) ACCEPT \[0:0\]\n/gm, "").replace("-A DOCKER-USER -j RETURN\n", `-A DOCKER-USER -p tcp -j ${reject}\n-A DOCKER-USER -j RETURN\n`);
      const result = simulate(scenarioSchema.parse({ ...base, rules: { host: { "iptables-save": rules } }, flows: [flow] }));
      const reply = result.traces[0]!.rejectReply!;
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
