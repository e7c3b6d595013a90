// IPv6 through the whole engine: a pasted ip6tables-save for the host, IPv6 addresses from the
// scenario's address6/fixed-cidr-v6 fields, flows to "[addr]:port". The same rulesets are
// compared with the real kernel in test/kernel/ipv6.test.ts; these run everywhere.
import { describe, expect, it } from "vitest";
import { simulate } from "../engine.js";
import { scenarioSchema, type ScenarioInput } from "../scenario/schema.js";

const RULES6 = `*nat
-A PREROUTING -d 2001:db8:1::10/128 -p tcp -m tcp --dport 8001 -j DNAT --to-destination [fd00:d0::2]:80
-A POSTROUTING -s fd00:d0::/64 ! -o docker0 -j MASQUERADE
COMMIT
*filter
:FORWARD DROP [0:0]
-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 128 -j ACCEPT
-A INPUT -p udp -j REJECT
-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -d fd00:d0::2/128 -p tcp -m tcp --dport 80 -j ACCEPT
-A FORWARD -i docker0 ! -o docker0 -j ACCEPT
COMMIT
`;

function scenario(flows: ScenarioInput["flows"], forwarding = 1): ScenarioInput {
  return {
    docker: { version: "20.10" },
    daemon: { "fixed-cidr-v6": "fd00:d0::/64" },
    host: {
      interfaces: [{ name: "eth0", address: "203.0.113.10/24", gateway: "203.0.113.1", address6: "2001:db8:1::10/64", gateway6: "2001:db8:1::1" }],
      sysctl: { "net.ipv6.conf.all.forwarding": forwarding },
    },
    containers: [{ name: "web", expose: ["80"] }, { name: "client" }],
    rules: { host: { "ip6tables-save": RULES6 } },
    flows,
  };
}

const run = (flows: ScenarioInput["flows"], forwarding = 1) => simulate(scenarioSchema.parse(scenario(flows, forwarding)));

describe("IPv6 flows", () => {
  it("DNATs to a container and un-NATs the ESTABLISHED reply", () => {
    const t = run([{ from: "external", to: "[2001:db8:1::10]:8001" }]).traces[0]!;
    expect(t.verdict).toBe("delivered");
    expect(t.connects).toBe(true);
    expect(t.deliveredTo).toEqual({ namespace: "web", ip: "fd00:d0::2", port: 80 });
    expect(t.steps.map((s) => `${s.hook} ${s.rule}`)).toEqual([
      "PREROUTING -A PREROUTING -d 2001:db8:1::10/128 -p tcp -m tcp --dport 8001 -j DNAT --to-destination [fd00:d0::2]:80",
      "FORWARD -A FORWARD -d fd00:d0::2/128 -p tcp -m tcp --dport 80 -j ACCEPT",
      "POSTROUTING -P POSTROUTING ACCEPT",
    ]);
    expect(t.steps[0]!.packet).toMatchObject({ src: "2001:db8:100::7", dst: "fd00:d0::2", dport: 80 });
    expect(t.reply!.steps.map((s) => `${s.rule} ${s.packet.ct}`)).toEqual(["-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT ESTABLISHED"]);
  });

  it("MASQUERADEs a container's connection out of eth0", () => {
    const t = run([{ from: "web", to: "[2001:db8:ff::1]:443" }]).traces[0]!;
    expect(t.connects).toBe(true);
    const masq = t.steps.find((s) => s.rule.includes("MASQUERADE"))!;
    expect(masq.packet.src).toBe("2001:db8:1::10");
  });

  it("answers an ICMPv6 echo request, REJECTs UDP with icmp6-port-unreachable", () => {
    const [ping, udp] = run([
      { from: "external", to: "2001:db8:1::10", proto: "icmp" },
      { from: "external", to: "[2001:db8:1::10]:53", proto: "udp" },
    ]).traces;
    expect(ping!.connects).toBe(true);
    expect(ping!.steps.at(-1)!.rule).toBe("-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 128 -j ACCEPT");
    expect(ping!.steps[0]!.packet.sport).toBeNull();
    expect(udp!.verdict).toBe("rejected");
    expect(udp!.reason).toBe("rejected with icmp6-port-unreachable");
  });

  it("does not route without net.ipv6.conf.all.forwarding", () => {
    const t = run([{ from: "external", to: "[fd00:d0::2]:80" }], 0).traces[0]!;
    expect(t.verdict).toBe("dropped");
    expect(t.reason).toBe("net.ipv6.conf.all.forwarding=0: not a router");
  });

  it("prints the ip6tables ruleset in the result, and keeps IPv4 flows as they were", () => {
    const r = run([{ from: "external", to: "host:8001" }]);
    expect(r.rules.host!["ip6tables-save"]).toContain("-A PREROUTING -d 2001:db8:1::10/128 -p tcp -m tcp --dport 8001 -j DNAT --to-destination [fd00:d0::2]:80");
    expect(r.traces[0]!.steps.every((s) => !s.packet.src.includes(":"))).toBe(true);
  });

  it("refuses a flow mixing address families and an ip6tables-save it cannot restore", () => {
    expect(() => run([{ from: "198.51.100.9", to: "[2001:db8:1::10]:80" }])).toThrow(/same address family/);
    const bad = scenario([]);
    bad.rules = { host: { "ip6tables-save": "*filter\n-A INPUT -s 10.0.0.1 -j DROP\nCOMMIT\n" } };
    expect(() => simulate(scenarioSchema.parse(bad))).toThrow(/ip6tables-restore v1\.8\.9 \(nf_tables\): host\/network `10\.0\.0\.1' not found\nError occurred at line: 2/);
  });
});
