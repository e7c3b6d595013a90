// Kernel side of the differential conformance suite: the REAL Docker 20.10 ruleset of oracle scenario
// b-publish-8543 (step 02) is replayed in private network namespaces and the kernel's own trace
// (xtables-monitor --trace) must equal the trace captured against the real dockerd
// (/work/shared/oracle/golden/b-publish-8543/traces). Needs root + iptables-nft + xtables-monitor;
// otherwise the kernel tests are skipped LOUDLY (the parser tests always run).
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  kernelAvailable,
  parseGoldenTrace,
  parseTraceLine,
  ruleSequence,
  runKernelFlow,
  type KernelFlow,
  type KernelPacket,
  type KernelTopology,
} from "./harness.js";

const ORACLE = process.env.NFPLAY_ORACLE ?? new URL("../golden/docker-20.10", import.meta.url).pathname;
const B = `${ORACLE}/b-publish-8543`;
const haveGolden = existsSync(`${B}/02-second-container-no-ports/iptables-save.txt`);

function topologyB(): KernelTopology {
  const ctr = (name: string, ip: string, mac: string) =>
    ({ name, bridge: "docker0", ip, prefix: 16, mac, gateway: "172.17.0.1" });
  return {
    host: { interfaces: [{ name: "eth0", address: "203.0.113.10/24", gateway: "203.0.113.1" }] },
    external: { ip: "198.51.100.7" },
    bridges: [{ name: "docker0", address: "172.17.0.1/16" }],
    containers: [ctr("web", "172.17.0.2", "02:42:ac:11:00:02"), ctr("client", "172.17.0.3", "02:42:ac:11:00:03")],
    hostRules: readFileSync(`${B}/02-second-container-no-ports/iptables-save.txt`, "utf8"),
    proxies: [{ hostIp: "0.0.0.0", hostPort: 8543, proto: "tcp", containerIp: "172.17.0.2", containerPort: 8888 }],
    listeners: [
      { ns: "web", ip: "0.0.0.0", port: 8888, proto: "tcp" },
      { ns: "external", ip: "198.51.100.7", port: 80, proto: "tcp" },
    ],
  };
}

/** in/out/flags per packet: the hop structure, independent of addresses the topology may choose differently */
const hops = (ps: KernelPacket[]) => ps.map((p) => `${p.in ?? "-"}>${p.out ?? "-"} ${p.flags}`.trim());

describe("kernel trace parser", () => {
  it("parses rule, policy and RETURN lines", () => {
    const r = parseTraceLine(" TRACE: 2 9a62578d nat:DOCKER:rule:0x9:ACCEPT  -4 -t nat -A DOCKER ! -i docker0 -p tcp -m tcp --dport 8543 -j DNAT --to-destination 172.17.0.2:8888");
    expect(r).toEqual({ id: "9a62578d", line: { table: "nat", chain: "DOCKER", kind: "rule", verdict: "ACCEPT", handle: "0x9",
      rule: "-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8543 -j DNAT --to-destination 172.17.0.2:8888" } });
    expect(parseTraceLine(" TRACE: 2 9a62578d raw:PREROUTING:policy:ACCEPT ")?.line)
      .toEqual({ table: "raw", chain: "PREROUTING", kind: "policy", verdict: "ACCEPT", rule: null });
    expect(parseTraceLine(" TRACE: 2 95b7368c filter:DOCKER-ISOLATION-STAGE-2:rule:0x5:0xfffffffb  -4 -t filter -A DOCKER-ISOLATION-STAGE-2 -j RETURN")?.line.verdict)
      .toBe("RETURN");
    expect(parseTraceLine(" TRACE: 2 95b7368c filter:FORWARD:rule:0xf:JUMP:DOCKER-ISOLATION-STAGE-1  -4 -t filter -A FORWARD -j DOCKER-ISOLATION-STAGE-1")?.line)
      .toMatchObject({ chain: "FORWARD", verdict: "JUMP:DOCKER-ISOLATION-STAGE-1", rule: "-A FORWARD -j DOCKER-ISOLATION-STAGE-1" });
  });

  it.skipIf(!haveGolden)("parses a golden trace and drops the instrumentation (raw table)", () => {
    const ps = parseGoldenTrace(`${B}/traces/01-ext-to-published.txt`);
    expect(ps.every((p) => p.lines.every((l) => l.table !== "raw"))).toBe(true);
    expect(hops(ps)).toEqual(["eth0>- SYN", "eth0>docker0 SYN", "eth0>docker0 SYN", "docker0>eth0 SYN ACK"]);
    expect(ps[0]).toMatchObject({ src: "203.0.113.1", dst: "203.0.113.10", dport: 8543, proto: "tcp" });
  });
});

const avail = kernelAvailable();
if (!avail.ok) {
  console.warn(`\n!!!!!!!!!! KERNEL CONFORMANCE TESTS SKIPPED: ${avail.reason} !!!!!!!!!!\n` +
    "(they need root, ip netns, iptables-nft, xtables-monitor, nft and python3; see test/kernel/README.md)\n");
}
if (!haveGolden) console.warn(`\n!!!!!!!!!! KERNEL CONFORMANCE TESTS SKIPPED: oracle golden data not found at ${ORACLE} (set NFPLAY_ORACLE) !!!!!!!!!!\n`);
const kit = avail.ok && haveGolden ? it : it.skip;

describe("kernel vs. real dockerd (b-publish-8543, docker-proxy on)", () => {
  const cases: { golden: string; flow: KernelFlow; peer: string }[] = [
    // the oracle's client was 203.0.113.1 (ext eth0); ours is the "internet" address on ext lo
    { golden: "01-ext-to-published", flow: { from: "external", dstIp: "203.0.113.10", dstPort: 8543, proto: "tcp" }, peer: "198.51.100.7" },
    // docker-proxy reconnects from the bridge IP (kernel-chosen source)
    { golden: "04-host-to-localhost-published", flow: { from: "host", dstIp: "127.0.0.1", dstPort: 8543, proto: "tcp" }, peer: "172.17.0.1" },
    // MASQUERADE: the external server sees the host's eth0 address
    { golden: "02-ctr-to-external", flow: { from: "client", dstIp: "198.51.100.7", dstPort: 80, proto: "tcp" }, peer: "203.0.113.10" },
  ];
  for (const c of cases) {
    kit(`${c.golden}: same rule path as the real daemon`, async () => {
      const res = await runKernelFlow(topologyB(), c.flow, { timeoutMs: 25_000 });
      const golden = parseGoldenTrace(`${B}/traces/${c.golden}.txt`);
      expect(res.connected, res.clientResult).toBe(true);
      expect(res.peerSeenByServer).toBe(c.peer);
      expect(ruleSequence(res.packets)).toEqual(ruleSequence(golden));
      expect(hops(res.packets)).toEqual(hops(golden));
      expect(res.packets.every((p) => p.ns === "host")).toBe(true);
    });
  }
});
