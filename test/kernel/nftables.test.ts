// Docker 29's nftables backend against the real kernel: nfplay's `nft list ruleset` and topology
// rebuilt in network namespaces (the ruleset loaded with `nft -f`, traced with `nft monitor
// trace`), each flow's kernel trace compared with nfplay's rule for rule, both directions, plus
// whether the client connects. Root + nft only; skipped loudly elsewhere.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { simulate } from "../../src/engine.js";
import { scenarioSchema, type ScenarioInput } from "../../src/scenario/schema.js";
import { kernelLegs, ourLines } from "./compare.js";
import { kernelAvailable, runKernelFlow } from "./harness.js";
import { kernelFlowOf, topologyOf, type Uplink6 } from "./scenario-topology.js";
import { EXTERNAL_CLIENT6 } from "../../src/net/flows.js";

const avail = kernelAvailable();
if (!avail.ok) console.warn(`\n!!!! KERNEL NFTABLES TESTS SKIPPED: ${avail.reason}\n`);

const BASE = {
  docker: { version: "29.7.2" },
  host: { sysctl: { "net.ipv4.ip_forward": 1 } },
} as const;

// A user's own table next to Docker's, pasted whole as `nft list ruleset` text: an input chain with
// policy drop, a set, reject, goto and return; a forward chain at Docker's priority (run after it,
// being created later).
const PUBLISHED: ScenarioInput = { ...BASE, daemon: { "firewall-backend": "nftables" }, containers: [{ name: "web", ports: ["8080:80"] }, { name: "client" }] };
const USER_TABLE = `table inet filter {
\tset blocked {
\t\ttype ipv4_addr
\t\telements = { 198.51.100.99 }
\t}

\tchain input {
\t\ttype filter hook input priority filter; policy drop;
\t\tct state established,related accept
\t\tiifname "lo" accept
\t\tip saddr @blocked drop
\t\ttcp dport 22 accept
\t\ttcp dport 2222 reject with tcp reset
\t\tudp dport 9999 goto udpcheck
\t}

\tchain udpcheck {
\t\tip saddr 198.51.100.7 return
\t\treject
\t}

\tchain forward {
\t\ttype filter hook forward priority filter; policy accept;
\t\toifname "docker0" tcp dport 80 jump fwdcount
\t}

\tchain fwdcount {
\t\tcounter packets 0 bytes 0
\t}
}
`;

const UPLINK6: Uplink6 = { address6: "2001:db8:1::10/64", gateway6: "2001:db8:1::1", external6: EXTERNAL_CLIENT6 };

const CASES: { name: string; scenario: ScenarioInput; v6?: Uplink6 }[] = [
  {
    name: "nftables backend, userland proxy on: ports, icc, internal, networks",
    scenario: {
      ...BASE,
      daemon: { "firewall-backend": "nftables" },
      networks: [
        { name: "app" },
        { name: "quiet", options: { "com.docker.network.bridge.enable_icc": "false" } },
        { name: "inside", internal: true },
      ],
      containers: [
        { name: "web", ports: ["8080:80"] },
        { name: "client" },
        { name: "app1", network: "app" },
        { name: "a", network: "quiet", ports: ["8082:80"] },
        { name: "b", network: "quiet" },
        { name: "i", network: "inside" },
      ],
      flows: [
        { from: "external", to: "host:8080" },
        { from: "web", to: "198.51.100.7:443" },
        { from: "client", to: "web:80" },
        { from: "app1", to: "client:80" },
        { from: "app1", to: "web:80" },
        { from: "b", to: "a:80" },
        { from: "i", to: "198.51.100.7:80" },
        { from: "host", to: "localhost:8080" },
        { from: "external", to: "web:80" },
        { from: "client", to: "host:8080" },
        { from: "external", to: "host:8082", proto: "udp" },
      ],
    },
  },
  {
    name: "nftables backend, userland-proxy=false: hairpin NAT, localhost, 127.0.0.1 binding",
    scenario: {
      ...BASE,
      daemon: { "firewall-backend": "nftables", "userland-proxy": false },
      containers: [{ name: "web", ports: ["8080:80", "127.0.0.1:5353:53/udp"] }, { name: "client" }],
      flows: [
        { from: "external", to: "host:8080" },
        { from: "host", to: "localhost:8080" },
        { from: "web", to: "host:8080" },
        { from: "client", to: "host:8080" },
        { from: "host", to: "localhost:5353", proto: "udp" },
        { from: "web", to: "198.51.100.7:53", proto: "udp" },
      ],
    },
  },
  {
    name: "an IPv6 network: table ip6 docker-bridges",
    v6: UPLINK6,
    scenario: {
      ...BASE,
      daemon: { "firewall-backend": "nftables" },
      host: {
        interfaces: [{ name: "eth0", address: "203.0.113.10/24", gateway: "203.0.113.1", address6: UPLINK6.address6, gateway6: UPLINK6.gateway6 }],
        sysctl: { "net.ipv4.ip_forward": 1, "net.ipv6.conf.all.forwarding": 1, "net.ipv6.conf.default.forwarding": 1 },
      },
      networks: [{ name: "app", ipv6: true, subnet6: "fd00:a::/64" }],
      containers: [{ name: "web", network: "app", ports: ["8080:80"] }, { name: "peer", network: "app" }],
      flows: [
        { from: "external", to: "host:8080", family: "ipv6" },
        { from: "web", to: `[${EXTERNAL_CLIENT6}]:443` },
        { from: "external", to: "web:80", family: "ipv6" },
        { from: "peer", to: "web:80", family: "ipv6" },
      ],
    },
  },
  {
    name: "a pasted ruleset: Docker's tables and the user's inet filter",
    scenario: {
      ...PUBLISHED,
      rules: { host: { nft: simulate(scenarioSchema.parse(PUBLISHED)).rules.host!.nft! + USER_TABLE } },
      flows: [
        { from: "external", to: "host:22" },
        { from: "external", to: "host:23" },
        { from: "external", to: "host:2222" },
        { from: "external", to: "host:9999", proto: "udp" },
        { from: "external", to: "host:8080" },
        { from: "client", to: "198.51.100.7:80" },
      ],
    },
  },
];

describe("the nftables scenarios themselves", () => {
  it("write no iptables rules and a docker-bridges table of each family", () => {
    const r = simulate(scenarioSchema.parse(CASES[0]!.scenario));
    expect(r.rules.host!["iptables-save"]).toBe("");
    expect(r.rules.host!.nft).toMatch(/^table ip docker-bridges \{\n[\s\S]*\ntable ip6 docker-bridges \{\n/);
  });
});

describe.skipIf(!avail.ok)("dockerd's nft scripts replayed with the real nft", () => {
  it("give the same `nft list ruleset` as nfplay's interpreter, deletions included", () => {
    const r = simulate(scenarioSchema.parse({
      ...BASE,
      host: { sysctl: { "net.ipv4.ip_forward": 1, "net.ipv6.conf.all.forwarding": 1, "net.ipv6.conf.default.forwarding": 1 } },
      daemon: { "firewall-backend": "nftables", "userland-proxy": false },
      commands: [
        "docker network create --ipv6 --subnet fd00:1::/64 -o com.docker.network.bridge.enable_icc=false app",
        "docker network create --internal inside",
        "docker run -d --name web --network app -p 8080:80 -p 127.0.0.1:5353:53/udp nginx",
        "docker run -d --name db --network inside redis",
        "docker run -d --name old -p 9000:9000 busybox",
        "docker rm -f old",
        "docker rm -f db",
        "docker network rm inside",
      ],
    }));
    const scripts = r.rules.host!.commands!.map((c) => /^nft -f - <<'EOF'\n([\s\S]*)EOF$/.exec(c)?.[1]);
    expect(scripts.every((s) => s !== undefined)).toBe(true);
    const ns = `nfk-${process.pid}-nftscripts`;
    const nft = (args: string[], input?: string) => execFileSync("ip", ["netns", "exec", ns, "nft", ...args], { input, encoding: "utf8", timeout: 10_000 });
    execFileSync("ip", ["netns", "add", ns]);
    try {
      for (const s of scripts) nft(["-f", "-"], s);
      expect(nft(["list", "ruleset"])).toBe(r.rules.host!.nft);
    } finally {
      execFileSync("ip", ["netns", "del", ns]);
    }
  });
});

describe.skipIf(!avail.ok)("nfplay vs the Linux kernel: Docker 29 nftables backend", () => {
  for (const c of CASES) {
    describe(c.name, () => {
      const result = simulate(scenarioSchema.parse(c.scenario));
      const proxy = c.scenario.daemon?.["userland-proxy"] ?? true;
      (c.scenario.flows ?? []).forEach((f, i) => {
        it(`${f.from} -> ${f.to}/${f.proto ?? "tcp"}`, async () => {
          const trace = result.traces[i]!;
          const base = topologyOf(result, proxy, c.v6);
          // The nftables backend never turns forwarding on: the host's sysctls are the scenario's.
          const topo = { ...base, host: { ...base.host, sysctl: c.scenario.host?.sysctl ?? {} }, hostNft: result.rules.host!.nft };
          // A server on the internet answers from the address it was asked on (a wildcard UDP
          // socket would answer from its route's source, which conntrack takes for a new flow).
          const [dst, port] = f.to.split(":");
          if (dst === "198.51.100.7") topo.listeners = [{ ns: "external", ip: dst, port: Number(port), proto: (f.proto ?? "tcp") as "tcp" | "udp" }];
          const extRoutesToContainers = [...result.networks.map((n) => n.subnet), ...result.networks.flatMap((n) => (n.subnet6 ? [n.subnet6] : []))];
          const kernel = await runKernelFlow(topo, kernelFlowOf(result, f, c.v6), { extRoutesToContainers, traceResets: true });
          // docker-proxy's own connection answers the proxy, not the client: nfplay's reply is the
          // client's answer only (empty when no chain sees it), so the backend's SYN-ACK is left out.
          const client = trace.steps[0]?.packet.src;
          const ack = (p: { flags: string }) => p.flags.split(" ").includes("ACK");
          const answer = trace.reply ?? trace.rejectReply; // a REJECT's reset is the client's answer
          const packets = answer?.steps.length ? kernel.packets : kernel.packets.filter((p) => !ack(p) || p.dst === client);
          const legs = kernelLegs(trace, packets);
          expect(ourLines(trace.steps)).toEqual(legs.forward);
          expect(ourLines(answer?.steps ?? [])).toEqual(legs.reply);
          expect(trace.connects).toBe(kernel.connected);
        }, 40_000);
      });
    });
  }
});
