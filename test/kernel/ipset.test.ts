// ipset kernel cases: `ipset save` text and an iptables-save ruleset with `-m set` for the host,
// loaded by nfplay (rules.host["ipset-save"]) and by the real kernel (`ipset restore`, then
// iptables-restore, in the harness's host netns), one flow traced by both, rule for rule.
// Topology as in cases.test.ts: eth0 203.0.113.10/24, docker0 172.17.0.1/16, web 172.17.0.2,
// client 172.17.0.3, the internet client 198.51.100.7.
// Root + iptables-nft + ipset only; skipped loudly elsewhere.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { simulate } from "../../src/engine.js";
import type { SimulationResult } from "../../src/result.js";
import { scenarioSchema, type ScenarioInput } from "../../src/scenario/schema.js";
import { kernelDirections, kernelLegs, ourLines } from "./compare.js";
import { kernelAvailable, runKernelFlow, type KernelTopology } from "./harness.js";
import { kernelFlowOf, topologyOf } from "./scenario-topology.js";

const haveIpset = spawnSync("ipset", ["--version"], { encoding: "utf8" }).status === 0;
const avail = kernelAvailable();
const skip = !avail.ok ? avail.reason : !haveIpset ? "the ipset tool is missing (apt-get install -y ipset)" : null;
if (skip) console.warn(`\n!!!! IPSET KERNEL CASES SKIPPED: ${skip}\n`);

type Flow = { from: string; to: string; proto?: "tcp" | "udp" };

interface Case {
  name: string;
  ipsets: string;
  rules: string;
  flow: Flow;
}

const CONTAINERS: ScenarioInput["containers"] = [{ name: "web", expose: ["80", "8090"] }, { name: "client" }];
const EXT = { from: "external", to: "host:8001" } as const;

const CASES: Case[] = [
  {
    name: "hash:ip src: DROP the listed client in INPUT",
    ipsets: `create blocked hash:ip family inet hashsize 1024 maxelem 65536
add blocked 198.51.100.9
add blocked 198.51.100.7
`,
    rules: `*filter
-A INPUT -i eth0 -m set --match-set blocked src -j DROP
COMMIT
`,
    flow: EXT,
  },
  {
    name: "hash:ip src: a client not in the set passes (the set holds the destination)",
    ipsets: `create blocked hash:ip family inet
add blocked 203.0.113.10
`,
    rules: `*filter
-A INPUT -i eth0 -m set --match-set blocked src -j DROP
-A INPUT -i eth0 -m set --match-set blocked dst -j LOG
COMMIT
`,
    flow: EXT,
  },
  {
    name: "hash:net with nomatch: the more specific nomatch entry wins, --return-nomatch turns it around",
    ipsets: `create nets hash:net family inet hashsize 1024 maxelem 65536
add nets 198.51.100.0/24
add nets 198.51.100.0/29 nomatch
`,
    rules: `*filter
-A INPUT -i eth0 -m set --match-set nets src -j DROP
-A INPUT -i eth0 -m set --match-set nets src --return-nomatch -j LOG --log-prefix "nomatch "
-A INPUT -i eth0 -j ACCEPT
COMMIT
`,
    flow: EXT,
  },
  {
    name: "hash:ip,port dst,dst: ACCEPT the listed service (INPUT policy DROP)",
    ipsets: `create services hash:ip,port family inet hashsize 1024 maxelem 65536 timeout 300 counters comment
add services 203.0.113.10,udp:8001 timeout 250 packets 0 bytes 0
add services 203.0.113.10,tcp:8001 timeout 250 packets 0 bytes 0 comment "web"
`,
    rules: `*filter
:INPUT DROP [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m set --match-set services dst,src -j LOG
-A INPUT -m set --match-set services dst,dst -j ACCEPT
COMMIT
`,
    flow: EXT,
  },
  {
    name: "! --match-set: everything not in the allow list is dropped",
    ipsets: `create allow hash:net family inet
add allow 192.0.2.0/24
`,
    rules: `*filter
-A INPUT -i eth0 -m set ! --match-set allow src -j DROP
-A INPUT -i eth0 -j ACCEPT
COMMIT
`,
    flow: EXT,
  },
  {
    name: "bitmap:port dst in FORWARD, ! --update-counters",
    ipsets: `create ports bitmap:port range 1-1024
add ports 22
add ports 80
`,
    rules: `*filter
:FORWARD DROP [0:0]
-A FORWARD -m set --match-set ports dst ! --update-counters -j ACCEPT
-A FORWARD -m set --match-set ports src -j ACCEPT
COMMIT
`,
    flow: { from: "external", to: "web:80" },
  },
  {
    name: "list:set: the first member set that holds the packet answers",
    ipsets: `create a hash:ip family inet
add a 192.0.2.1
create b hash:net family inet
add b 198.51.100.0/24
create both list:set size 8
add both a
add both b
`,
    rules: `*filter
-A INPUT -i eth0 -m set --match-set both src -j DROP
COMMIT
`,
    flow: EXT,
  },
  {
    name: "hash:net,iface src,src and hash:ip,port,ip in FORWARD",
    ipsets: `create nif hash:net,iface family inet
add nif 198.51.100.0/24,eth0
add nif 198.51.100.0/24,docker0
create ipi hash:ip,port,ip family inet
add ipi 172.17.0.2,tcp:80,198.51.100.7
`,
    rules: `*filter
-A FORWARD -i docker0 -j ACCEPT
-A FORWARD -m set --match-set nif src,dst -j LOG --log-prefix "src,dst "
-A FORWARD -m set --match-set nif src,src -j LOG --log-prefix "src,src "
-A FORWARD -m set --match-set ipi dst,dst,src -j ACCEPT
-A FORWARD -j DROP
COMMIT
`,
    flow: { from: "external", to: "web:80" },
  },
  {
    name: "hash:net,port and hash:ip,port,net with a UDP flow",
    ipsets: `create np hash:net,port family inet
add np 198.51.100.0/24,udp:8001
create ipn hash:ip,port,net family inet
add ipn 203.0.113.10,udp:8001,198.51.100.0/28
add ipn 203.0.113.10,udp:8001,198.51.100.0/30 nomatch
`,
    rules: `*filter
-A INPUT -i eth0 -m set --match-set ipn dst,dst,src -j DROP
-A INPUT -i eth0 -m set --match-set np src,dst -j ACCEPT
COMMIT
`,
    flow: { from: "external", to: "host:8001", proto: "udp" },
  },
  {
    name: "-j SET --add-set in mangle PREROUTING: the same packet is in the set by INPUT",
    ipsets: `create seen hash:ip family inet
create seenport hash:ip,port family inet
`,
    rules: `*mangle
-A PREROUTING -i eth0 -m set --match-set seen src -j LOG --log-prefix "already "
-A PREROUTING -i eth0 -j SET --add-set seen src --exist --timeout 60
-A PREROUTING -i eth0 -j SET --add-set seenport dst,dst
COMMIT
*filter
-A INPUT -i eth0 -m set --match-set seen src -j LOG --log-prefix "seen "
-A INPUT -i eth0 -m set --match-set seenport dst,dst -j ACCEPT
COMMIT
`,
    flow: EXT,
  },
  {
    name: "-j SET --del-set: the client leaves the allow list before filter decides",
    ipsets: `create allow hash:net family inet
add allow 198.51.100.7
add allow 192.0.2.0/24
`,
    rules: `*mangle
-A PREROUTING -i eth0 -m set --match-set allow src -j SET --del-set allow src
COMMIT
*filter
-A INPUT -i eth0 -m set --match-set allow src -j ACCEPT
-A INPUT -i eth0 -p tcp -j REJECT --reject-with tcp-reset
COMMIT
`,
    flow: EXT,
  },
];

async function compare(result: SimulationResult, flow: Flow, ipsets: string, topoEdit?: (t: KernelTopology) => void): Promise<void> {
  const trace = result.traces[0]!;
  const topo = topologyOf(result, true);
  topo.hostIpsets = ipsets;
  topoEdit?.(topo);
  const kernel = await runKernelFlow(topo, kernelFlowOf(result, flow), { extRoutesToContainers: result.networks.map((n) => n.subnet) });
  const dirs = kernelDirections(trace, kernel.packets, flow.proto);
  expect(dirs.forward[0]).toEqual(dirs.forward[1]);
  expect(dirs.reply[0]).toEqual(dirs.reply[1]);
  expect(trace.connects).toBe(kernel.connected);
}

describe.skipIf(skip !== null)("ipset (-m set): nfplay vs the Linux kernel", () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const input: ScenarioInput = {
        docker: { version: "20.10" }, containers: CONTAINERS,
        rules: { host: { "iptables-save": c.rules, "ipset-save": c.ipsets } }, flows: [c.flow],
      };
      const result = simulate(scenarioSchema.parse(input));
      // every case has a set lookup that matches: the sets are really consulted
      expect(result.traces[0]!.steps.some((s) => s.rule.includes("--match-set"))).toBe(true);
      await compare(result, c.flow, c.ipsets);
    }, 40_000);
  }

  it("inet6 set with ip6tables: DROP the listed IPv6 client", async () => {
    const HOST6 = "2001:db8:1::10";
    const ipsets = `create bad6 hash:net family inet6 hashsize 1024 maxelem 65536
add bad6 2001:db8:100::/64
`;
    const rules6 = `*filter
-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 135 -j ACCEPT
-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 136 -j ACCEPT
-A INPUT -i eth0 -m set --match-set bad6 src -j DROP
COMMIT
`;
    const iface = { name: "eth0", address: "203.0.113.10/24", gateway: "203.0.113.1", address6: `${HOST6}/64`, gateway6: "2001:db8:1::1" };
    const flow = { from: "external", to: `[${HOST6}]:8001` };
    const result = simulate(scenarioSchema.parse({
      docker: { version: "20.10" }, host: { interfaces: [iface] },
      rules: { host: { "iptables-save": "", "ip6tables-save": rules6, "ipset-save": ipsets } }, flows: [flow],
    }));
    const trace = result.traces[0]!;
    expect(trace.verdict).toBe("dropped");
    const kernel = await runKernelFlow({
      host: { interfaces: [iface] }, external: { ip: "198.51.100.7", ip6: "2001:db8:100::7" }, bridges: [], containers: [],
      hostRules: "", hostRules6: rules6, hostIpsets: ipsets, proxies: [], listeners: [],
    }, { from: "external", dstIp: HOST6, dstPort: 8001, proto: "tcp" });
    const legs = kernelLegs(trace, kernel.packets);
    expect(ourLines(trace.steps)).toEqual(legs.forward);
    expect(legs.forward).toContain("filter:INPUT:rule:DROP -A INPUT -i eth0 -m set --match-set bad6 src -j DROP");
    expect(trace.connects).toBe(kernel.connected);
  }, 40_000);

  it("Docker host: DROP by set in DOCKER-USER stops a published port", async () => {
    const base: ScenarioInput = { docker: { version: "20.10" }, containers: [{ name: "web", ports: ["8080:80"] }] };
    const flow = { from: "external", to: "host:8080" };
    const docker = simulate(scenarioSchema.parse(base));
    const save = docker.rules.host!["iptables-save"];
    const userRule = "-A DOCKER-USER -m set --match-set blocklist src -j DROP\n";
    expect(save).toContain("-A DOCKER-USER -j RETURN\n");
    const rules = save.replace("-A DOCKER-USER -j RETURN\n", userRule + "-A DOCKER-USER -j RETURN\n");
    const ipsets = "create blocklist hash:net family inet\nadd blocklist 198.51.100.0/24\n";
    const result = simulate(scenarioSchema.parse({ ...base, rules: { host: { "iptables-save": rules, "ipset-save": ipsets } }, flows: [flow] }));
    expect(result.traces[0]!.verdict).toBe("dropped");
    expect(result.traces[0]!.steps.map((s) => s.rule)).toContain(userRule.trim());
    await compare(result, flow, ipsets);
  }, 40_000);
});

describe("ipset kernel cases", () => {
  it("are at least 8, each with a unique name", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(8);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });
});
