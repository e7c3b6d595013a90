// IPv6 kernel cases: a pasted ip6tables-save ruleset for the host and one IPv6 flow, traced by
// nfplay and by the real kernel (test/kernel/harness.ts: ip6tables-restore, TRACE rules in the
// ip6tables raw table, xtables-monitor's "-6" lines), rule for rule, in both directions.
// Topology: eth0 203.0.113.10/24 + 2001:db8:1::10/64 (gateways .1 and 2001:db8:1::1 in the
// external netns, the internet client 2001:db8:100::7 on its lo), docker0 172.17.0.1/16 +
// fd00:d0::1/64, web 172.17.0.2 + fd00:d0::2, client 172.17.0.3 + fd00:d0::3.
// Neighbour discovery is not simulated, so a ruleset that drops in INPUT/OUTPUT accepts
// ICMPv6 135/136 first (they are never traced: the TRACE rules skip them).
// Root + iptables-nft only; skipped loudly elsewhere.
import { describe, expect, it } from "vitest";
import { simulate } from "../../src/engine.js";
import type { SimulationResult } from "../../src/result.js";
import { scenarioSchema, type ScenarioInput } from "../../src/scenario/schema.js";
import { kernelDirections, ourLines } from "./compare.js";
import { kernelAvailable, ruleSequence, runKernelFlow, type KernelFlow, type KernelTopology } from "./harness.js";

const avail = kernelAvailable();
if (!avail.ok) console.warn(`\n!!!! IPv6 KERNEL CASES SKIPPED: ${avail.reason}\n`);

const HOST6 = "2001:db8:1::10";
const GW6 = "2001:db8:1::1";
const EXT6 = "2001:db8:100::7";
const SUBNET6 = "fd00:d0::/64";

type Flow = { from: string; to: string; proto?: "tcp" | "udp" | "icmp" };

interface Case {
  name: string;
  rules6: string;
  flow: Flow;
  /** No listener behind a DNAT: the container answers with an ICMPv6 error (compared as one sequence). */
  noListeners?: boolean;
}

const ND = `-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 135 -j ACCEPT
-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 136 -j ACCEPT`;
const ND_OUT = ND.replaceAll("INPUT", "OUTPUT");
const EXT = { from: "external", to: `[${HOST6}]:8001` } as const;

const CASES: Case[] = [
  {
    name: "filter INPUT ACCEPT by -d /128 and --dport (policy DROP)",
    rules6: `*filter
:INPUT DROP [0:0]
${ND}
-A INPUT -d ${HOST6}/128 -p tcp -m tcp --dport 8000 -j LOG
-A INPUT -d ${HOST6}/128 -p tcp -m tcp --dport 8001 -j ACCEPT
COMMIT
`,
    flow: EXT,
  },
  {
    name: "filter INPUT DROP by source network",
    rules6: `*filter
-A INPUT -s 2001:db8:100::/64 -p tcp -j DROP
COMMIT
`,
    flow: EXT,
  },
  {
    name: "REJECT --reject-with tcp-reset in INPUT",
    rules6: `*filter
-A INPUT -i eth0 -p tcp -m tcp --dport 8001 -j REJECT --reject-with tcp-reset
COMMIT
`,
    flow: EXT,
  },
  {
    name: "REJECT a UDP datagram (icmp6-port-unreachable) in INPUT",
    rules6: `*filter
-A INPUT -i eth0 -p udp -j REJECT --reject-with icmp6-port-unreachable
COMMIT
`,
    flow: { from: "external", to: `[${HOST6}]:5353`, proto: "udp" },
  },
  {
    name: "DNAT to a container, FORWARD policy DROP, ESTABLISHED reply",
    rules6: `*nat
-A PREROUTING -d ${HOST6}/128 -p tcp -m tcp --dport 8001 -j DNAT --to-destination [fd00:d0::2]:80
COMMIT
*filter
:FORWARD DROP [0:0]
-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -d fd00:d0::2/128 -i eth0 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT
COMMIT
`,
    flow: EXT,
  },
  {
    name: "DNAT: -m conntrack --ctstate DNAT --ctorigdst in FORWARD",
    rules6: `*nat
-A PREROUTING -p tcp -m tcp --dport 8001 -j DNAT --to-destination [fd00:d0::2]:80
COMMIT
*filter
-A FORWARD -m conntrack --ctstate SNAT -j LOG --log-prefix "snat "
-A FORWARD -m conntrack --ctstate DNAT --ctorigdst ${HOST6} -j ACCEPT
COMMIT
`,
    flow: EXT,
  },
  {
    name: "MASQUERADE out of eth0 for the container subnet",
    rules6: `*nat
-A POSTROUTING -s ${SUBNET6} ! -o docker0 -j MASQUERADE
COMMIT
*filter
-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -i docker0 ! -o docker0 -j ACCEPT
COMMIT
`,
    flow: { from: "web", to: `[${EXT6}]:80` },
  },
  {
    name: "SNAT --to-source for the container subnet",
    rules6: `*nat
-A POSTROUTING -s ${SUBNET6} -o eth0 -p tcp -j SNAT --to-source ${HOST6}
COMMIT
`,
    flow: { from: "client", to: `[${EXT6}]:443` },
  },
  {
    name: "conntrack: OUTPUT policy DROP lets the ESTABLISHED answer out",
    rules6: `*filter
:OUTPUT DROP [0:0]
${ND_OUT}
-A OUTPUT -m conntrack --ctstate NEW -j LOG --log-prefix "new "
-A OUTPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
COMMIT
`,
    flow: EXT,
  },
  {
    name: "ICMPv6 echo request accepted by -m icmp6, echo reply seen in OUTPUT",
    rules6: `*filter
:INPUT DROP [0:0]
${ND}
-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 129 -j LOG
-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 128 -j ACCEPT
-A OUTPUT -p ipv6-icmp -m icmp6 --icmpv6-type echo-reply -j ACCEPT
COMMIT
`,
    flow: { from: "external", to: HOST6, proto: "icmp" },
  },
  {
    name: "ICMPv6 echo to a container through FORWARD",
    rules6: `*filter
:FORWARD DROP [0:0]
-A FORWARD -p ipv6-icmp -m conntrack --ctstate ESTABLISHED -j ACCEPT
-A FORWARD -d fd00:d0::2/128 -p ipv6-icmp -m icmp6 --icmpv6-type 128 -j ACCEPT
COMMIT
`,
    flow: { from: "external", to: "fd00:d0::2", proto: "icmp" },
  },
  {
    name: "user chain: jump, RETURN, fall through to the caller",
    rules6: `*filter
:INPUT ACCEPT [0:0]
:CHECK - [0:0]
-A INPUT -i eth0 -p tcp -j CHECK
-A INPUT -i eth0 -p tcp -m tcp --dport 8001 -j ACCEPT
-A CHECK -s ${EXT6}/128 -j RETURN
-A CHECK -j DROP
COMMIT
`,
    flow: EXT,
  },
  {
    name: "user chain by goto, verdict inside",
    rules6: `*filter
:FWD6 - [0:0]
-A FORWARD -d ${SUBNET6} -g FWD6
-A FORWARD -s ${SUBNET6} -j ACCEPT
-A FORWARD -j DROP
-A FWD6 -p tcp -m tcp --dport 80 -j ACCEPT
COMMIT
`,
    flow: { from: "external", to: "[fd00:d0::2]:80" },
  },
  {
    name: "mangle MARK, -m mark in filter INPUT",
    rules6: `*mangle
-A PREROUTING -i eth0 -p tcp -m tcp --dport 8001 -j MARK --set-xmark 0x6/0xffffffff
COMMIT
*filter
-A INPUT -m mark --mark 0x5 -j DROP
-A INPUT -m mark --mark 0x6 -j ACCEPT
COMMIT
`,
    flow: EXT,
  },
  {
    name: "DNAT of a UDP datagram to a container",
    rules6: `*nat
-A PREROUTING -i eth0 -p udp -m udp --dport 5353 -j DNAT --to-destination [fd00:d0::2]:53
COMMIT
*filter
-A FORWARD -o docker0 -p udp -m udp --dport 53 -j ACCEPT
COMMIT
`,
    flow: { from: "external", to: `[${HOST6}]:5353`, proto: "udp" },
  },
  {
    name: "ICMPv6 port unreachable from a container is RELATED and un-NATed",
    rules6: `*nat
-A PREROUTING -i eth0 -p udp -m udp --dport 5353 -j DNAT --to-destination [fd00:d0::2]:54
COMMIT
*filter
-A FORWARD -m conntrack --ctstate RELATED -j LOG --log-prefix "related "
-A FORWARD -m conntrack --ctstate NEW -o docker0 -j ACCEPT
-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
COMMIT
`,
    flow: { from: "external", to: `[${HOST6}]:5353`, proto: "udp" },
    noListeners: true,
  },
];

function scenario(c: Case): ScenarioInput {
  return {
    docker: { version: "20.10" },
    daemon: { "fixed-cidr-v6": SUBNET6 },
    host: {
      interfaces: [{ name: "eth0", address: "203.0.113.10/24", gateway: "203.0.113.1", address6: `${HOST6}/64`, gateway6: GW6 }],
      sysctl: { "net.ipv6.conf.all.forwarding": 1 },
    },
    containers: [{ name: "web", expose: ["80", "53/udp"] }, { name: "client" }],
    rules: { host: { "iptables-save": "", "ip6tables-save": c.rules6 } },
    flows: [c.flow],
  };
}

function topology(result: SimulationResult, rules6: string): KernelTopology {
  const v6 = (name: string) => (name === "web" ? "fd00:d0::2" : "fd00:d0::3");
  return {
    host: {
      interfaces: [{ name: "eth0", address: "203.0.113.10/24", gateway: "203.0.113.1", address6: `${HOST6}/64`, gateway6: GW6 }],
      sysctl: { "net.ipv6.conf.all.forwarding": 1 },
    },
    external: { ip: "198.51.100.7", ip6: EXT6 },
    bridges: result.networks.map((n) => ({ name: n.bridge, address: `${n.gateway}/${n.subnet.split("/")[1]}`, address6: "fd00:d0::1/64", hairpin: false })),
    containers: result.containers.map((c) => {
      const i = c.interfaces[0]!;
      const net = result.networks.find((n) => n.name === i.network)!;
      return { name: c.name, bridge: net.bridge, ip: i.ip, prefix: Number(net.subnet.split("/")[1]), mac: i.mac, gateway: net.gateway, ip6: v6(c.name), prefix6: 64, gateway6: "fd00:d0::1" };
    }),
    hostRules: "",
    hostRules6: rules6,
    proxies: [],
    listeners: [],
  };
}

function kernelFlow(f: Flow): KernelFlow {
  const m = /^\[(.+)\]:(\d+)$/.exec(f.to);
  return { from: f.from, dstIp: m ? m[1]! : f.to, dstPort: m ? Number(m[2]) : 0, proto: f.proto ?? "tcp" };
}

describe.skipIf(!avail.ok)("IPv6 (ip6tables): nfplay vs the Linux kernel", () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const result = simulate(scenarioSchema.parse(scenario(c)));
      const trace = result.traces[0]!;
      const kernel = await runKernelFlow(topology(result, c.rules6), kernelFlow(c.flow), { extRoutesToContainers: [SUBNET6], autoListeners: !c.noListeners });
      expect(ruleSequence(kernel.packets).length).toBeGreaterThan(0);
      if (c.flow.proto === "icmp" || c.noListeners) {
        // Echo request and reply: compared as one sequence (ICMP has no ports to split them by).
        expect([...ourLines(trace.steps), ...ourLines(trace.reply?.steps ?? [])]).toEqual(ruleSequence(kernel.packets));
      } else {
        const dirs = kernelDirections(trace, kernel.packets, c.flow.proto);
        expect(dirs.forward[0]).toEqual(dirs.forward[1]);
        expect(dirs.reply[0]).toEqual(dirs.reply[1]);
      }
      expect(trace.connects).toBe(kernel.connected);
    }, 40_000);
  }
});

describe("IPv6 kernel cases", () => {
  it("are at least 10, each with a unique name", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(10);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });
});
