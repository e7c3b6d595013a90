// Docker's own ip6tables rules for IPv6 networks (--ipv6, fixed-cidr-v6, subnet6), traced over
// IPv6 by name ("family": "ipv6"), against the real kernel: nfplay's rules and topology rebuilt in
// network namespaces, each flow's kernel trace compared rule for rule, both directions, as in
// differential.test.ts. Root + iptables-nft only; skipped loudly elsewhere. The first block runs
// everywhere: what each family writes for an IPv6 network, and the flow field's errors.
import { describe, expect, it } from "vitest";
import { simulate } from "../../src/engine.js";
import { EngineError } from "../../src/errors.js";
import { EXTERNAL_CLIENT6 } from "../../src/net/flows.js";
import { scenarioSchema, type ScenarioInput } from "../../src/scenario/schema.js";
import { kernelLegs, ourLines } from "./compare.js";
import { kernelAvailable, runKernelFlow } from "./harness.js";
import { kernelFlowOf, topologyOf, type Uplink6 } from "./scenario-topology.js";

const avail = kernelAvailable();
if (!avail.ok) console.warn(`\n!!!! KERNEL DOCKER IPv6 TESTS SKIPPED: ${avail.reason}\n`);

const UPLINK6: Uplink6 = { address6: "2001:db8:1::10/64", gateway6: "2001:db8:1::1", external6: EXTERNAL_CLIENT6 };
const HOST = { interfaces: [{ name: "eth0", address: "203.0.113.10/24", gateway: "203.0.113.1", address6: UPLINK6.address6, gateway6: UPLINK6.gateway6 }] };
const INTERNET6 = `[${EXTERNAL_CLIENT6}]:443`;

const run = (s: ScenarioInput) => simulate(scenarioSchema.parse(s));
const v6rules = (s: ScenarioInput) => run(s).rules.host!["ip6tables-save"]!;

describe("Docker's ip6tables rules for IPv6 networks, per family", () => {
  const net = { name: "app", ipv6: true, subnet6: "fd00:a::/64" };
  const web = { name: "web", network: "app", ports: ["8080:80"] };

  it("20.10 needs ip6tables (experimental); docker0 gets prefix + MAC, a user network IPAM's ::2", () => {
    const s: ScenarioInput = { docker: { version: "20.10" }, daemon: { ipv6: true, "fixed-cidr-v6": "fd00:1::/64", ip6tables: true }, networks: [net], containers: [web, { name: "old" }] };
    const r = run(s);
    expect(r.containers.map((c) => c.interfaces[0]!.ip6)).toEqual(["fd00:a::2", "fd00:1::242:ac11:2"]);
    expect(r.containers[0]!.ports.map((p) => `${p.hostIp}:${p.hostPort}`)).toEqual(["0.0.0.0:8080", ":::8080"]);
    expect(r.rules.host!["ip6tables-save"]).toContain(`-A DOCKER ! -i ${r.networks[1]!.bridge} -p tcp -m tcp --dport 8080 -j DNAT --to-destination [fd00:a::2]:80`);
    expect(r.rules.host!["ip6tables-save"]).not.toContain("DOCKER-USER"); // ip6tables DOCKER-USER from 23.0
    expect(run({ ...s, daemon: { ipv6: true, "fixed-cidr-v6": "fd00:1::/64" } }).rules.host!["ip6tables-save"]).toBe("");
  });

  it("23-26: DOCKER-USER in ip6tables; internal rules leave the bridge alone from 24.0.6 (moby#45649)", () => {
    const internal = { networks: [{ ...net, internal: true }], daemon: { ip6tables: true } };
    expect(v6rules({ docker: { version: "23" }, ...internal })).toContain("-A DOCKER-USER -j RETURN");
    expect(v6rules({ docker: { version: "24.0.5" }, ...internal })).toMatch(/-A DOCKER-ISOLATION-STAGE-1 ! -s fd00:a::\/64 -o br-\w+ -j DROP/);
    expect(v6rules({ docker: { version: "26" }, ...internal })).toMatch(/-A DOCKER-ISOLATION-STAGE-1 ! -s fd00:a::\/64 ! -i (br-\w+) -o \1 -j DROP/);
  });

  it("27: ip6tables on by default, no `! -s fe80::/10` yet; gateway_mode_ipv6=routed: no NAT66, no DNAT", () => {
    const nat = v6rules({ docker: { version: "27" }, networks: [net], containers: [web] });
    expect(nat).toMatch(/-A DOCKER ! -i br-\w+ -p tcp -m tcp --dport 8080 -j DNAT --to-destination \[fd00:a::2\]:80/);
    expect(nat).toContain("-A POSTROUTING -s fd00:a::/64 ! -o br-");
    const routed = v6rules({ docker: { version: "27" }, networks: [{ ...net, options: { "com.docker.network.bridge.gateway_mode_ipv6": "routed" } }], containers: [web] });
    expect(routed).not.toContain("MASQUERADE");
    expect(routed).not.toContain("DNAT");
    expect(routed).toMatch(/-A DOCKER -d fd00:a::2\/128 ! -i (br-\w+) -o \1 -p tcp -m tcp --dport 80 -j ACCEPT/);
  });

  it("28+: the raw DROP per container address, `! -s fe80::/10`, host_ipv6 SNAT; IPv6 FORWARD DROP only when Docker turns forwarding on", () => {
    const s: ScenarioInput = { docker: { version: "28" }, networks: [{ ...net, options: { "com.docker.network.host_ipv6": "2001:db8:1::10" } }], containers: [web] };
    const rules = v6rules(s);
    expect(rules).toMatch(/-A PREROUTING -d fd00:a::2\/128 ! -i br-\w+ -j DROP/);
    expect(rules).toMatch(/-A DOCKER ! -s fe80::\/10 ! -i br-\w+ -p tcp -m tcp --dport 8080 -j DNAT/);
    expect(rules).toMatch(/-A POSTROUTING -s fd00:a::\/64 ! -o br-\w+ -j SNAT --to-source 2001:db8:1::10/);
    expect(rules).toContain(":FORWARD DROP [0:0]");
    expect(v6rules({ ...s, host: { sysctl: { "net.ipv6.conf.all.forwarding": 1 } } })).toContain(":FORWARD ACCEPT [0:0]");
    expect(v6rules({ docker: { version: "29" }, networks: [{ name: "v4only" }] })).toContain(":FORWARD ACCEPT [0:0]");
  });

  it("the commands importer: dockerd --ipv6 --fixed-cidr-v6, network create --ipv6 with one --subnet per family, run --ip6", () => {
    const r = run({
      docker: { version: "28" },
      commands: [
        "dockerd --ipv6 --fixed-cidr-v6 fd00:1::/64",
        "docker network create --ipv6 --subnet 172.30.0.0/16 --subnet fd00:30::/64 --gateway fd00:30::fe net6",
        "docker run -d --name web --network net6 --ip6 fd00:30::80 -p [::1]:9000:90 nginx",
        "docker run -d --name old nginx",
      ],
    });
    expect(r.networks.map((n) => [n.name, n.subnet, n.subnet6, n.gateway6])).toEqual([
      ["bridge", "172.17.0.0/16", "fd00:1::/64", "fd00:1::1"],
      ["net6", "172.30.0.0/16", "fd00:30::/64", "fd00:30::fe"],
    ]);
    expect(r.containers.map((c) => c.interfaces[0]!.ip6)).toEqual(["fd00:30::80", "fd00:1::2"]); // 28+: IPAM, not the MAC
    expect(r.rules.host!["ip6tables-save"]).toContain("-d ::1/128");
    expect(r.rules.host!["iptables-save"]).not.toContain("9000");
  });

  it("refuses what it cannot know, with a pointer", () => {
    const bad = (s: ScenarioInput) => {
      try {
        run(s);
      } catch (e) {
        return (e as EngineError).errors?.[0]?.pointer ?? String(e);
      }
      return "accepted";
    };
    expect(bad({ daemon: { ipv6: true } })).toBe("/daemon/fixed-cidr-v6");
    expect(bad({ networks: [{ name: "a", ipv6: true }] })).toBe("/networks/0/subnet6");
    expect(bad({ networks: [{ name: "a", ipv6: false, subnet6: "fd00::/64" }] })).toBe("/networks/0/subnet6");
    expect(bad({ networks: [{ name: "a" }], containers: [{ name: "w", network: "a" }], flows: [{ from: "external", to: "w:80", family: "ipv6" }] })).toBe("/flows/0/to");
    expect(bad({ flows: [{ from: "external", to: "host:80", family: "ipv6" }] })).toBe("/flows/0/to");
    expect(bad({ flows: [{ from: "external", to: "[fd00::1]:80", family: "ipv4" }] })).toBe("/flows/0/family");
  });
});

/** Docker-generated IPv6 scenarios: every flow goes through the kernel too. */
const CASES: { name: string; scenario: ScenarioInput }[] = [
  {
    name: "28: a published port over IPv6, NAT66 out, isolation and the raw DROP",
    scenario: {
      docker: { version: "28" },
      host: HOST,
      networks: [{ name: "app", ipv6: true, subnet6: "fd00:a::/64" }, { name: "other", subnet6: "fd00:b::/64" }],
      containers: [{ name: "web", network: "app", ports: ["8080:80"] }, { name: "db", network: "other" }],
      flows: [
        { from: "external", to: "host:8080", family: "ipv6" },
        { from: "web", to: INTERNET6 },
        { from: "db", to: "web:80", family: "ipv6" },
        { from: "external", to: "web:80", family: "ipv6" },
      ],
    },
  },
  {
    name: "20.10 --ipv6 --ip6tables: docker0 (fixed-cidr-v6) and a user network",
    scenario: {
      docker: { version: "20.10" },
      daemon: { ipv6: true, "fixed-cidr-v6": "fd00:1::/64", ip6tables: true },
      host: HOST,
      networks: [{ name: "app", ipv6: true, subnet6: "fd00:a::/64" }],
      containers: [{ name: "web", ports: ["8080:80"] }, { name: "db", network: "app" }],
      flows: [
        { from: "external", to: "host:8080", family: "ipv6" },
        { from: "web", to: INTERNET6 },
        { from: "db", to: "web:80", family: "ipv6" },
        { from: "external", to: "web:80", family: "ipv6" },
      ],
    },
  },
  {
    name: "27: gateway_mode_ipv6=routed (no NAT66), NAT for IPv4",
    scenario: {
      docker: { version: "27" },
      host: HOST,
      networks: [{ name: "app", subnet6: "fd00:a::/64", options: { "com.docker.network.bridge.gateway_mode_ipv6": "routed" } }],
      containers: [{ name: "web", network: "app", ports: ["8080:80"] }],
      flows: [
        { from: "web", to: INTERNET6 },
        { from: "external", to: "web:80", family: "ipv6" },
        { from: "external", to: "web:81", family: "ipv6" },
      ],
    },
  },
  {
    name: "29, userland-proxy=false: hairpin over IPv6, masquerade off",
    scenario: {
      docker: { version: "29" },
      daemon: { "userland-proxy": false },
      host: HOST,
      networks: [{ name: "app", subnet6: "fd00:a::/64", options: { "com.docker.network.bridge.enable_ip_masquerade": "false" } }],
      containers: [{ name: "web", network: "app", ports: ["8080:80"] }, { name: "client", network: "app" }],
      flows: [
        { from: "external", to: "host:8080", family: "ipv6" },
        { from: "client", to: "host:8080", family: "ipv6" },
        { from: "web", to: INTERNET6 },
      ],
    },
  },
];

describe("Docker IPv6 kernel cases", () => {
  it("cover at least 4 scenarios and 12 flows", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(4);
    expect(CASES.flatMap((c) => c.scenario.flows ?? []).length).toBeGreaterThanOrEqual(12);
  });
});

/**
 * When the answer is dropped, the client retransmits its SYN (and the server its SYN-ACK): the
 * kernel shows the path again, without nat (a retransmit is not a connection's first packet).
 * Those repeats must be exactly ours minus the nat lines; then the first attempt is compared.
 */
function firstAttempt(kernel: string[], ours: string[]): string[] {
  if (ours.length === 0 || kernel.length <= ours.length) return kernel;
  const again = ours.filter((l) => !l.startsWith("nat:"));
  let rest = kernel.slice(ours.length);
  while (rest.length > 0 && again.length > 0 && again.every((l, i) => rest[i] === l)) rest = rest.slice(again.length);
  return rest.length === 0 ? kernel.slice(0, ours.length) : kernel;
}

describe.skipIf(!avail.ok)("Docker IPv6: nfplay vs the Linux kernel (differential)", () => {
  for (const c of CASES) {
    describe(c.name, () => {
      const result = simulate(scenarioSchema.parse(c.scenario));
      const proxy = c.scenario.daemon?.["userland-proxy"] ?? true;
      (c.scenario.flows ?? []).forEach((f, i) => {
        it(`${f.from} -> ${f.to}/${f.proto ?? "tcp"}${f.family ? ` (${f.family})` : ""}`, async () => {
          const trace = result.traces[i]!;
          const topo = topologyOf(result, proxy, UPLINK6);
          // Docker turned IPv6 forwarding on for its IPv6 networks (nfplay's host did too).
          topo.host.sysctl = { "net.ipv6.conf.all.forwarding": 1 };
          // nfplay's outside world routes every address to the host (both families).
          const extRoutesToContainers = result.networks.flatMap((n) => [n.subnet, ...(n.subnet6 ? [n.subnet6] : [])]);
          const kernel = await runKernelFlow(topo, kernelFlowOf(result, f, UPLINK6), { extRoutesToContainers });
          const legs = kernelLegs(trace, kernel.packets);
          const ours = ourLines(trace.steps);
          const oursReply = ourLines(trace.reply?.steps ?? []);
          expect(ours).toEqual(firstAttempt(legs.forward, ours));
          expect(oursReply).toEqual(firstAttempt(legs.reply, oursReply));
          expect(trace.connects).toBe(kernel.connected);
        }, 40_000);
      });
    });
  }
});
