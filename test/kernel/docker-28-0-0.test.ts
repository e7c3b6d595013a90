// Docker 28.0.0 ("family C"): FORWARD rules that match the docker-ext-bridges-v4/-v6 ipsets.
// The first block runs everywhere: the sets dockerd keeps (rules.host["ipset-save"]), what its
// lookups decide, and removal (every rule and set element a network or container added goes
// again). The second rebuilds nfplay's rules, sets and topology in network namespaces (`ipset
// restore`, then iptables-restore) and diffs each flow's kernel trace with ours, rule for rule,
// both directions. Root + iptables-nft + ipset only; skipped loudly elsewhere.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { simulate } from "../../src/engine.js";
import { scenarioSchema, type ScenarioInput } from "../../src/scenario/schema.js";
import { kernelLegs, ourLines } from "./compare.js";
import { kernelAvailable, runKernelFlow } from "./harness.js";
import { kernelFlowOf, topologyOf, type Uplink6 } from "./scenario-topology.js";
import { EXTERNAL_CLIENT6 } from "../../src/net/flows.js";

const haveIpset = spawnSync("ipset", ["--version"], { encoding: "utf8" }).status === 0;
const avail = kernelAvailable();
const skip = !avail.ok ? avail.reason : !haveIpset ? "the ipset tool is missing (apt-get install -y ipset)" : null;
if (skip) console.warn(`\n!!!! DOCKER 28.0.0 KERNEL CASES SKIPPED: ${skip}\n`);

const run = (s: ScenarioInput) => simulate(scenarioSchema.parse(s));
const V = { version: "28.0.0" };
const SET_RULE = "-A FORWARD -m set --match-set docker-ext-bridges-v4 dst -j DOCKER";

describe("Docker 28.0.0: the ipsets and the rules that look packets up in them", () => {
  it("one hash:net element per non-internal bridge, IPv6 subnets in the -v6 set", () => {
    const r = run({
      docker: V,
      networks: [{ name: "app", subnet: "172.30.0.0/16", subnet6: "fd00:a::/64" }, { name: "inner", subnet: "172.31.0.0/16", internal: true }],
    });
    expect(r.rules.host!["ipset-save"]).toBe(
      "create docker-ext-bridges-v4 hash:net family inet hashsize 1024 maxelem 65536\n" +
        "add docker-ext-bridges-v4 172.17.0.0/16\nadd docker-ext-bridges-v4 172.30.0.0/16\n" +
        "create docker-ext-bridges-v6 hash:net family inet6 hashsize 1024 maxelem 65536\nadd docker-ext-bridges-v6 fd00:a::/64\n",
    );
    expect(r.rules.host!.commands).toContain("ipset add docker-ext-bridges-v4 172.30.0.0/16");
    const v6 = r.rules.host!["ip6tables-save"]!;
    expect(v6).toContain("-A FORWARD -m set --match-set docker-ext-bridges-v6 dst -j DOCKER");
    // like 27 and unlike 28.0.1: the IPv4-only docker0 still gets ip6tables isolation rules
    expect(v6).toContain("-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP");
    expect(r.docker?.family).toBe("28");
  });

  it("a packet to a subnet in the set jumps to DOCKER; one to an address outside every set does not", () => {
    const r = run({
      docker: V, networks: [{ name: "app" }], containers: [{ name: "web", network: "app", ports: ["8080:80"] }],
      flows: [{ from: "external", to: "host:8080" }, { from: "web", to: "198.51.100.7:443" }],
    });
    const [inbound, outbound] = r.traces;
    expect(inbound!.verdict).toBe("delivered");
    expect(inbound!.steps.map((s) => s.rule)).toContain(SET_RULE);
    expect(outbound!.steps.map((s) => s.rule)).not.toContain(SET_RULE);
    // between two bridges: ISOLATION-1 runs before the set's jump to DOCKER, and drops
    const iso = run({
      docker: V, networks: [{ name: "app" }, { name: "other" }],
      containers: [{ name: "web", network: "app" }, { name: "db", network: "other" }], flows: [{ from: "db", to: "web:81" }],
    }).traces[0]!;
    expect(iso.verdict).toBe("dropped");
    expect(iso.steps.at(-1)!.rule).toMatch(/^-A DOCKER-ISOLATION-STAGE-2 -o br-\w+ -j DROP$/);
    // the reply comes back through the set's conntrack ACCEPT
    expect(outbound!.reply?.steps.map((s) => s.rule)).toContain("-A FORWARD -m set --match-set docker-ext-bridges-v4 dst -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");
  });

  it("removal: a network and container that come and go leave the daemon's rules and sets as they were", () => {
    // iptables-save keeps printing a table once used (raw); IPv6 forwarding on from the start (the
    // FORWARD DROP Docker sets when it turns it on stays after the network goes).
    const unusedRaw = (save: string) => save.replace("*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n", "");
    const state = (commands: string[]) => {
      const h = run({ docker: V, host: { sysctl: { "net.ipv6.conf.all.forwarding": 1 } }, commands }).rules.host!;
      return [unusedRaw(h["iptables-save"]), unusedRaw(h["ip6tables-save"]!), h["ipset-save"]];
    };
    const daemonOnly = state(["dockerd"]);
    const lived = state([
      "dockerd",
      "docker network create --internal inner",
      "docker network create --ipv6 --subnet fd00:b::/64 -o com.docker.network.bridge.enable_icc=false app",
      "docker run -d --name web --network app -p 8080:80 -p 127.0.0.1:5353:53/udp img",
      "docker run -d --name db -p 5432:5432 img",
      "docker network connect inner db",
      "docker rm -f web db",
      "docker network rm app inner",
    ]);
    expect(lived).toEqual(daemonOnly);
    expect(daemonOnly[2]).toContain("add docker-ext-bridges-v4 172.17.0.0/16\n");
    expect(daemonOnly[2]).not.toContain("fd00:b::");
  });
});

const UPLINK6: Uplink6 = { address6: "2001:db8:1::10/64", gateway6: "2001:db8:1::1", external6: EXTERNAL_CLIENT6 };
const HOST6 = { interfaces: [{ name: "eth0", address: "203.0.113.10/24", gateway: "203.0.113.1", address6: UPLINK6.address6, gateway6: UPLINK6.gateway6 }] };

const CASES: { name: string; scenario: ScenarioInput; v6?: boolean }[] = [
  {
    name: "a published port, isolation between two networks, direct access refused",
    scenario: {
      docker: V,
      networks: [{ name: "app" }, { name: "other" }],
      containers: [{ name: "web", network: "app", ports: ["8080:80"] }, { name: "db", network: "other" }, { name: "old", ports: ["9090:90"] }],
      flows: [
        { from: "external", to: "host:8080" },
        { from: "external", to: "host:9090" },
        { from: "db", to: "web:80" },
        { from: "db", to: "web:81" },
        { from: "web", to: "old:90" },
        { from: "web", to: "198.51.100.7:443" },
        { from: "external", to: "web:80" },
      ],
    },
  },
  {
    name: "icc=false and --internal",
    scenario: {
      docker: V,
      networks: [{ name: "quiet", options: { "com.docker.network.bridge.enable_icc": "false" } }, { name: "inner", internal: true }],
      containers: [{ name: "a", network: "quiet", expose: ["80"] }, { name: "b", network: "quiet" }, { name: "c", network: "inner" }],
      flows: [
        { from: "b", to: "a:80" },
        { from: "b", to: "198.51.100.7:443" },
        { from: "c", to: "198.51.100.7:443" },
      ],
    },
  },
  {
    name: "IPv6: docker-ext-bridges-v6 in ip6tables, a published port and isolation over IPv6",
    v6: true,
    scenario: {
      docker: V,
      host: HOST6,
      networks: [{ name: "app", subnet6: "fd00:a::/64" }, { name: "other", subnet6: "fd00:b::/64" }],
      containers: [{ name: "web", network: "app", ports: ["8080:80"] }, { name: "db", network: "other" }],
      flows: [
        { from: "external", to: "host:8080", family: "ipv6" },
        { from: "db", to: "web:81", family: "ipv6" },
        { from: "web", to: `[${EXTERNAL_CLIENT6}]:443` },
        { from: "external", to: "web:80", family: "ipv6" },
      ],
    },
  },
];

describe("Docker 28.0.0 kernel cases", () => {
  it("cover at least 8 flows", () => {
    expect(CASES.flatMap((c) => c.scenario.flows ?? []).length).toBeGreaterThanOrEqual(8);
  });
});

describe.skipIf(skip !== null)("Docker 28.0.0 (ipsets): nfplay vs the Linux kernel (differential)", () => {
  for (const c of CASES) {
    describe(c.name, () => {
      const result = simulate(scenarioSchema.parse(c.scenario));
      (c.scenario.flows ?? []).forEach((f, i) => {
        it(`${f.from} -> ${f.to}`, async () => {
          const trace = result.traces[i]!;
          const v6 = c.v6 ? UPLINK6 : undefined;
          const topo = topologyOf(result, true, v6);
          topo.hostIpsets = result.rules.host!["ipset-save"]!;
          // Docker turned IPv6 forwarding on for its IPv6 networks (nfplay's host did too).
          if (v6) topo.host.sysctl = { "net.ipv6.conf.all.forwarding": 1 };
          const extRoutesToContainers = result.networks.flatMap((n) => [n.subnet, ...(v6 && n.subnet6 ? [n.subnet6] : [])]);
          const kernel = await runKernelFlow(topo, kernelFlowOf(result, f, v6), { extRoutesToContainers });
          const legs = kernelLegs(trace, kernel.packets);
          expect(ourLines(trace.steps)).toEqual(legs.forward);
          expect(ourLines(trace.reply?.steps ?? [])).toEqual(legs.reply);
          expect(trace.connects).toBe(kernel.connected);
        }, 40_000);
      });
    });
  }
});
