// Hand-written kernel cases: a small pasted iptables-save ruleset for the host namespace (it
// replaces Docker's rules; Docker's topology stays: eth0 203.0.113.10/24 via 203.0.113.1,
// docker0 172.17.0.1/16, the containers below) and one flow, traced by nfplay and by the real
// kernel (test/kernel/harness.ts), rule for rule, in both directions.
// Root + iptables-nft only; skipped loudly elsewhere.
//
// `known` marks a case where the engine still disagrees with the kernel for a reason outside the
// netfilter modules (the packet walk or conntrack): the case runs as it.fails, so it starts
// failing (and must be unmarked) the day the walk is fixed.
import { describe, expect, it } from "vitest";
import { simulate } from "../../src/engine.js";
import { scenarioSchema, type ScenarioInput } from "../../src/scenario/schema.js";
import { kernelLegs, ourLines } from "./compare.js";
import { kernelAvailable, runKernelFlow, type KernelTopology } from "./harness.js";
import { kernelFlowOf, topologyOf } from "./scenario-topology.js";

const avail = kernelAvailable();
if (!avail.ok) console.warn(`\n!!!! KERNEL CASES SKIPPED: ${avail.reason}\n`);

type Flow = { from: string; to: string; proto?: "tcp" | "udp" };

interface Case {
  name: string;
  /** The host's iptables-save text. */
  rules: string;
  flow: Flow;
  /** Extra listeners in the kernel topology (nfplay gets them from `expose`). */
  listeners?: KernelTopology["listeners"];
  /** Why nfplay and the kernel still disagree: the case runs as it.fails. */
  known?: string;
}

// web 172.17.0.2 (02:42:ac:11:00:02) listens on 80 and 8090; client 172.17.0.3 (02:42:ac:11:00:03).
const CONTAINERS: ScenarioInput["containers"] = [
  { name: "web", expose: ["80", "8090", "53/udp"] },
  { name: "client" },
];

const EXT = { from: "external", to: "host:8001" } as const;

const CASES: Case[] = [
  // ---- mark / MARK / connmark / CONNMARK ----
  {
    name: "MARK in mangle PREROUTING, -m mark in filter INPUT (policy DROP)",
    rules: `*mangle
-A PREROUTING -p tcp -m tcp --dport 8001 -j MARK --set-xmark 0x5/0xffffffff
COMMIT
*filter
:INPUT DROP [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m mark --mark 0x4 -j LOG
-A INPUT -m mark --mark 0x5 -j ACCEPT
COMMIT
`,
    flow: EXT,
  },
  {
    name: "-m mark with a mask and !",
    rules: `*mangle
-A PREROUTING -i eth0 -j MARK --set-xmark 0x6/0xffffffff
COMMIT
*filter
-A INPUT -i eth0 -m mark --mark 0x1/0x1 -j DROP
-A INPUT -i eth0 -m mark ! --mark 0x2/0x2 -j DROP
-A INPUT -i eth0 -m mark --mark 0x4/0x6 -j LOG
-A INPUT -i eth0 -m mark --mark 0x6/0x6 -j ACCEPT
COMMIT
`,
    flow: EXT,
  },
  {
    name: "CONNMARK --set-mark, then -m connmark in filter",
    rules: `*mangle
-A PREROUTING -i eth0 -j CONNMARK --set-xmark 0x9/0xffffffff
COMMIT
*filter
-A INPUT -i eth0 -m connmark --mark 0x8 -j DROP
-A INPUT -i eth0 -m connmark --mark 0x9 -j ACCEPT
COMMIT
`,
    flow: EXT,
  },
  {
    name: "CONNMARK --save-mark / --restore-mark round trip",
    rules: `*mangle
-A PREROUTING -i eth0 -j MARK --set-xmark 0x7/0xffffffff
-A PREROUTING -i eth0 -j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff
-A PREROUTING -i eth0 -j MARK --set-xmark 0x0/0xffffffff
-A PREROUTING -i eth0 -m mark --mark 0x0 -j CONNMARK --restore-mark --nfmask 0xff --ctmask 0xff
COMMIT
*filter
-A INPUT -i eth0 -m mark --mark 0x7 -j ACCEPT
COMMIT
`,
    flow: EXT,
  },
  {
    name: "CONNMARK --restore-mark on the reply of a forwarded connection",
    rules: `*mangle
-A PREROUTING -m conntrack --ctstate NEW -j CONNMARK --set-xmark 0x9/0xffffffff
-A PREROUTING -m conntrack --ctstate ESTABLISHED -j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff
COMMIT
*filter
-A FORWARD -m mark --mark 0x9 -j LOG --log-prefix "reply "
-A FORWARD -j ACCEPT
COMMIT
`,
    flow: { from: "external", to: "web:80" },
  },
  {
    name: "skb mark does not follow the connection to the reply",
    rules: `*mangle
-A PREROUTING -p tcp -m tcp --dport 80 -j MARK --set-xmark 0x3/0xffffffff
COMMIT
*filter
-A FORWARD -m mark --mark 0x3 -j LOG
-A FORWARD -j ACCEPT
COMMIT
`,
    flow: { from: "external", to: "web:80" },
  },
  // ---- iprange, physdev, pkttype, length, ttl, mac, limit ----
  {
    name: "-m iprange --src-range",
    rules: `*filter
-A INPUT -m iprange --src-range 198.51.100.8-198.51.100.20 -j DROP
-A INPUT -m iprange --src-range 198.51.100.1-198.51.100.7 -j ACCEPT
COMMIT
`,
    flow: EXT,
  },
  {
    name: "-m iprange ! --dst-range in FORWARD",
    rules: `*filter
:FORWARD DROP [0:0]
-A FORWARD -m iprange ! --dst-range 172.17.0.2-172.17.0.9 -j LOG
-A FORWARD -m iprange --src-range 172.17.0.2-172.17.0.3 --dst-range 198.51.100.0-198.51.100.255 -j ACCEPT
-A FORWARD -m iprange --dst-range 172.17.0.2-172.17.0.2 -j ACCEPT
COMMIT
`,
    flow: { from: "external", to: "web:80" },
  },
  {
    name: "-m physdev --physdev-is-bridged on container -> container (FORWARD policy DROP)",
    rules: `*filter
:FORWARD DROP [0:0]
-A FORWARD -m physdev ! --physdev-is-bridged -j LOG
-A FORWARD -m physdev --physdev-is-bridged -j ACCEPT
COMMIT
`,
    flow: { from: "client", to: "web:80" },
  },
  {
    name: "-m physdev --physdev-in/--physdev-out on a bridged frame",
    rules: `*filter
-A FORWARD -m physdev --physdev-in nosuch -j DROP
-A FORWARD -m physdev --physdev-in v+ --physdev-out v+ -j LOG
-A FORWARD -m physdev --physdev-is-in --physdev-is-out -j ACCEPT
COMMIT
`,
    flow: { from: "client", to: "web:80" },
  },
  {
    name: "-m physdev on a routed packet from a container (physdev-in known, not bridged)",
    rules: `*filter
-A FORWARD -m physdev --physdev-is-bridged -j DROP
-A FORWARD -m physdev --physdev-in v+ ! --physdev-is-out -j LOG
-A FORWARD -j ACCEPT
COMMIT
`,
    flow: { from: "web", to: "198.51.100.7:443" },
  },
  {
    name: "-m physdev in INPUT: container -> host",
    rules: `*filter
-A INPUT -i docker0 -m physdev --physdev-is-in -j LOG
-A INPUT -i docker0 -m physdev --physdev-is-bridged -j DROP
COMMIT
`,
    flow: { from: "client", to: "host:8001" },
  },
  {
    name: "-m pkttype",
    rules: `*filter
-A INPUT -i eth0 -m pkttype --pkt-type broadcast -j DROP
-A INPUT -i eth0 -m pkttype --pkt-type multicast -j DROP
-A INPUT -i eth0 -m pkttype --pkt-type unicast -j ACCEPT
COMMIT
`,
    flow: EXT,
  },
  {
    name: "-m length on a TCP SYN (60 bytes with options)",
    rules: `*filter
-A INPUT -p tcp -m tcp --tcp-flags SYN SYN -m length --length 0:59 -j DROP
-A INPUT -p tcp -m tcp --tcp-flags SYN SYN -m length --length 60 -j LOG
-A INPUT -p tcp -m length ! --length 100:65535 -j ACCEPT
COMMIT
`,
    flow: EXT,
  },
  {
    name: "-m length on a UDP datagram",
    rules: `*filter
-A INPUT -p udp -m udp --dport 5353 -m length --length 33 -j ACCEPT
-A INPUT -p udp -m udp --dport 5353 -j DROP
COMMIT
`,
    flow: { from: "external", to: "host:5353", proto: "udp" },
  },
  {
    name: "-m ttl on INPUT (not forwarded: 64)",
    rules: `*filter
-A INPUT -i eth0 -m ttl --ttl-lt 64 -j DROP
-A INPUT -i eth0 -m ttl --ttl-gt 64 -j DROP
-A INPUT -i eth0 -m ttl --ttl-eq 64 -j ACCEPT
COMMIT
`,
    flow: EXT,
  },
  {
    name: "-m ttl in FORWARD (routed: decremented to 63)",
    rules: `*filter
-A FORWARD -m ttl --ttl-eq 64 -j LOG --log-prefix "ttl64 "
-A FORWARD -m ttl --ttl-eq 63 -j ACCEPT
COMMIT
`,
    flow: { from: "web", to: "198.51.100.7:443" },
  },
  {
    name: "-m mac --mac-source from a container",
    rules: `*filter
-A INPUT -i docker0 -m mac --mac-source 02:42:ac:11:00:02 -j DROP
-A INPUT -i docker0 -m mac --mac-source 02:42:ac:11:00:03 -j ACCEPT
COMMIT
`,
    flow: { from: "client", to: "host:8001" },
  },
  {
    name: "-m mac: a packet received on lo has no source MAC, even for !",
    rules: `*filter
-A INPUT -i lo -p tcp -m mac ! --mac-source 02:42:ac:11:00:02 -j LOG
-A INPUT -i lo -p tcp -j ACCEPT
COMMIT
`,
    flow: { from: "host", to: "localhost:8001" },
  },
  {
    name: "-m limit: one rule reached twice by one packet matches once (burst 1)",
    rules: `*filter
:LIM - [0:0]
-A INPUT -i eth0 -p tcp -j LIM
-A INPUT -i eth0 -p tcp -j LIM
-A INPUT -i eth0 -p tcp -j ACCEPT
-A LIM -m limit --limit 1/hour --limit-burst 1 -j LOG
COMMIT
`,
    flow: EXT,
  },
  // ---- older matches ----
  {
    name: "-m multiport",
    rules: `*filter
-A INPUT -p tcp -m multiport --dports 22,443 -j DROP
-A INPUT -p tcp -m multiport --dports 8000:8100,9000 -j ACCEPT
COMMIT
`,
    flow: EXT,
  },
  {
    name: "-m comment",
    rules: `*filter
-A INPUT -i eth0 -m comment --comment "let the world in" -j ACCEPT
COMMIT
`,
    flow: EXT,
  },
  {
    name: "-m state NEW/ESTABLISHED both ways through FORWARD (policy DROP)",
    rules: `*filter
:FORWARD DROP [0:0]
-A FORWARD -m state --state RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -d 172.17.0.2/32 -p tcp -m state --state NEW -m tcp --dport 80 -j ACCEPT
COMMIT
`,
    flow: { from: "external", to: "web:80" },
  },
  {
    name: "-m conntrack --ctstate/--ctdir",
    rules: `*filter
-A FORWARD -m conntrack --ctstate NEW --ctdir ORIGINAL -j LOG --log-prefix "new "
-A FORWARD -m conntrack --ctstate ESTABLISHED --ctdir REPLY -j LOG --log-prefix "reply "
-A FORWARD -m conntrack --ctstate INVALID -j DROP
-A FORWARD -j ACCEPT
COMMIT
`,
    flow: { from: "web", to: "198.51.100.7:443" },
  },
  {
    name: "-m addrtype --dst-type LOCAL in INPUT, --src-type LOCAL in OUTPUT",
    rules: `*filter
-A INPUT -m addrtype --dst-type LOCAL -p tcp -j ACCEPT
-A OUTPUT -p tcp -m addrtype --src-type LOCAL --dst-type UNICAST -j ACCEPT
COMMIT
`,
    flow: EXT,
  },
  {
    name: "tcp flags: --syn and --tcp-flags",
    rules: `*filter
-A INPUT -p tcp -m tcp --tcp-flags SYN,ACK SYN,ACK -j DROP
-A INPUT -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j LOG
-A INPUT -p tcp -m tcp ! --tcp-flags ALL NONE -j ACCEPT
-A OUTPUT -p tcp -m tcp --tcp-flags SYN,ACK SYN,ACK -j ACCEPT
COMMIT
`,
    flow: EXT,
  },
  // ---- verdicts, policies, chains ----
  {
    name: "REJECT --reject-with tcp-reset in FORWARD",
    rules: `*filter
-A FORWARD -d 172.17.0.2/32 -p tcp -m tcp --dport 80 -j REJECT --reject-with tcp-reset
COMMIT
`,
    flow: { from: "external", to: "web:80" },
  },
  {
    name: "REJECT (icmp-port-unreachable) in INPUT",
    rules: `*filter
-A INPUT -i eth0 -p tcp -m tcp --dport 8001 -j REJECT --reject-with icmp-port-unreachable
COMMIT
`,
    flow: EXT,
  },
  {
    name: "REJECT a UDP datagram in INPUT",
    rules: `*filter
-A INPUT -i eth0 -p udp -j REJECT --reject-with icmp-host-prohibited
COMMIT
`,
    flow: { from: "external", to: "host:5353", proto: "udp" },
  },
  {
    name: "FORWARD policy DROP, nothing accepted",
    rules: `*filter
:FORWARD DROP [0:0]
-A FORWARD -p udp -j ACCEPT
COMMIT
`,
    flow: { from: "web", to: "198.51.100.7:443" },
  },
  {
    name: "INPUT policy DROP with lo and established accepted",
    rules: `*filter
:INPUT DROP [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
COMMIT
`,
    flow: EXT,
  },
  {
    name: "user chain: -j, RETURN, then the caller's next rule",
    rules: `*filter
:CHECK - [0:0]
-A INPUT -i eth0 -j CHECK
-A INPUT -i eth0 -p tcp -j ACCEPT
-A CHECK -s 10.0.0.0/8 -j DROP
-A CHECK -p tcp -m tcp --dport 8001 -j RETURN
-A CHECK -j DROP
COMMIT
`,
    flow: EXT,
  },
  {
    name: "user chains: -g goto falls back to the base chain's caller position",
    rules: `*filter
:A - [0:0]
:B - [0:0]
-A FORWARD -m state --state ESTABLISHED -j ACCEPT
-A FORWARD -j A
-A FORWARD -j LOG --log-prefix "after A "
-A A -d 172.17.0.2/32 -g B
-A A -j DROP
-A B -p tcp -j LOG --log-prefix "in B "
COMMIT
`,
    flow: { from: "external", to: "web:80" },
  },
  {
    name: "nested user chains with falling off the end",
    rules: `*filter
:OUTER - [0:0]
:INNER - [0:0]
-A FORWARD -j OUTER
-A FORWARD -j ACCEPT
-A OUTER -j INNER
-A OUTER -p tcp -j LOG --log-prefix "outer "
-A INNER -p udp -j DROP
COMMIT
`,
    flow: { from: "client", to: "198.51.100.7:443" },
  },
  {
    name: "LOG and NFLOG are non-terminal",
    rules: `*filter
-A INPUT -i eth0 -j LOG --log-prefix "in " --log-level 6
-A INPUT -i eth0 -j NFLOG --nflog-prefix seen --nflog-group 2
-A INPUT -i eth0 -p tcp -j ACCEPT
COMMIT
`,
    flow: EXT,
  },
  {
    name: "all tables at one hook, and no conntrack in the namespace: nat is never traversed",
    rules: `*mangle
-A INPUT -p tcp -j LOG --log-prefix "mangle "
COMMIT
*filter
-A INPUT -p tcp -j LOG --log-prefix "filter "
COMMIT
*nat
-A INPUT -p tcp -j LOG --log-prefix "nat "
-A PREROUTING -p tcp -j LOG --log-prefix "natpre "
COMMIT
`,
    flow: EXT,
  },
  {
    name: "all tables at one hook: mangle, filter, nat (conntrack in use)",
    rules: `*mangle
-A INPUT -p tcp -j LOG --log-prefix "mangle "
COMMIT
*filter
-A INPUT -p tcp -m conntrack --ctstate NEW -j LOG --log-prefix "filter "
COMMIT
*nat
-A INPUT -p tcp -j LOG --log-prefix "nat "
-A PREROUTING -p tcp -j LOG --log-prefix "natpre "
COMMIT
`,
    flow: EXT,
  },
  // ---- NAT ----
  {
    name: "DNAT a host port to a container",
    rules: `*nat
-A PREROUTING -d 203.0.113.10/32 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80
COMMIT
*filter
-A FORWARD -m conntrack --ctstate DNAT -j LOG --log-prefix "dnat "
-A FORWARD -d 172.17.0.2/32 -p tcp -m tcp --dport 80 -j ACCEPT
COMMIT
`,
    flow: { from: "external", to: "host:8080" },
  },
  {
    name: "SNAT a container's outbound connection",
    rules: `*nat
-A POSTROUTING -s 172.17.0.0/16 -o eth0 -j SNAT --to-source 203.0.113.10
COMMIT
`,
    flow: { from: "web", to: "198.51.100.7:443" },
  },
  {
    name: "MASQUERADE a container's outbound connection",
    rules: `*nat
-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
COMMIT
*filter
-A FORWARD -m conntrack --ctstate SNAT -j LOG --log-prefix "snat "
COMMIT
`,
    flow: { from: "client", to: "198.51.100.7:443" },
  },
  {
    name: "REDIRECT to a local port",
    rules: `*nat
-A PREROUTING -i eth0 -p tcp -m tcp --dport 8001 -j REDIRECT --to-ports 8001
COMMIT
*filter
-A INPUT -p tcp -m tcp --dport 8001 -j ACCEPT
COMMIT
`,
    flow: EXT,
  },
  {
    name: "NETMAP in PREROUTING maps the host address onto a container",
    rules: `*nat
-A PREROUTING -d 203.0.113.10/32 -p tcp -m tcp --dport 8090 -j NETMAP --to 172.17.0.2/32
COMMIT
`,
    flow: { from: "external", to: "host:8090" },
    listeners: [{ ns: "web", ip: "0.0.0.0", port: 8090, proto: "tcp" }],
  },
  {
    name: "NETMAP in POSTROUTING maps a container's source",
    rules: `*nat
-A POSTROUTING -s 172.17.0.2/32 -o eth0 -j NETMAP --to 203.0.113.10/32
COMMIT
*filter
-A FORWARD -j ACCEPT
COMMIT
`,
    flow: { from: "web", to: "198.51.100.7:443" },
  },
  {
    name: "DNAT in OUTPUT for the host's own connection",
    rules: `*nat
-A OUTPUT -d 192.0.2.80/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 172.17.0.2:80
COMMIT
`,
    flow: { from: "host", to: "192.0.2.80:80" },
  },
  // ---- raw ----
  {
    name: "raw PREROUTING LOG (the harness keeps user raw rules)",
    rules: `*raw
-A PREROUTING -i eth0 -p tcp -j LOG --log-prefix "raw "
COMMIT
`,
    flow: EXT,
  },
  {
    name: "raw NOTRACK, then -m state --state UNTRACKED in INPUT",
    rules: `*raw
-A PREROUTING -i eth0 -p tcp -m tcp --dport 8001 -j NOTRACK
COMMIT
*filter
-A INPUT -m state --state NEW -j DROP
-A INPUT -m state --state UNTRACKED -j ACCEPT
COMMIT
`,
    flow: EXT,
  },
  {
    name: "raw CT --notrack skips nat",
    rules: `*raw
-A PREROUTING -i eth0 -p tcp -m tcp --dport 8001 -j CT --notrack
COMMIT
*nat
-A PREROUTING -p tcp -j LOG --log-prefix "nat "
COMMIT
*filter
-A INPUT -m conntrack --ctstate UNTRACKED -j LOG --log-prefix "untracked "
COMMIT
`,
    flow: EXT,
  },
  {
    name: "raw NOTRACK: the untracked SYN's answer (a SYN-ACK) is INVALID, not NEW",
    rules: `*raw
-A PREROUTING -i eth0 -p tcp -m tcp --dport 8001 -j NOTRACK
COMMIT
*filter
-A OUTPUT -p tcp -m tcp --sport 8001 -m state --state NEW -j LOG --log-prefix "new answer "
-A OUTPUT -p tcp -m tcp --sport 8001 -m state --state ESTABLISHED -j LOG --log-prefix "established "
COMMIT
`,
    flow: EXT,
  },
];


describe.skipIf(!avail.ok)("hand-written rulesets: nfplay vs the Linux kernel", () => {
  for (const c of CASES) {
    // NFPLAY_KNOWN=1 runs the known disagreements as ordinary tests, to see their diffs.
    const run = c.known && !process.env.NFPLAY_KNOWN ? it.fails : it;
    run(c.name, async () => {
      const input: ScenarioInput = { docker: { version: "20.10" }, containers: CONTAINERS, rules: { host: { "iptables-save": c.rules } }, flows: [c.flow] };
      const result = simulate(scenarioSchema.parse(input));
      const trace = result.traces[0]!;
      const topo = topologyOf(result, true);
      topo.listeners.push(...(c.listeners ?? []));
      const extRoutesToContainers = result.networks.map((n) => n.subnet);
      const kernel = await runKernelFlow(topo, kernelFlowOf(result, c.flow), { extRoutesToContainers });
      const legs = kernelLegs(trace, kernel.packets);
      expect(ourLines(trace.steps)).toEqual(legs.forward);
      expect(ourLines(trace.reply?.steps ?? [])).toEqual(legs.reply);
      expect(trace.connects).toBe(kernel.connected);
    }, 40_000);
  }
});

describe("hand-written kernel cases", () => {
  it("are at least 40, each with a unique name", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });
});
