// The nftables model on its own: printing checked against what nft 1.0.6 printed for the same
// script (captured in a scratch network namespace), the interpreter's transaction semantics and
// errors, evaluation, and the scenario-level contract (rules.host.nft, 422s, --format nft).
import { describe, expect, it } from "vitest";
import { engineErrorOf } from "../../test/engine-error.js";
import { simulate } from "../engine.js";
import { render } from "../render/formats.js";
import { scenarioSchema, type ScenarioInput } from "../scenario/schema.js";
import { printRuleset } from "./print.js";
import { NftRuleset } from "./ruleset.js";

// `nft -f` of SCRIPT then `nft list ruleset`, on this machine's nft 1.0.6 (kernel 6.x).
const SCRIPT = "table ip t {\n  map m { type ifname : verdict ; }\n  set s { type ipv4_addr ; }\n  chain c { type nat hook output priority -100 ; policy accept ; }\n  chain d { type filter hook prerouting priority -300 ; policy drop ; }\n  chain e { }\n  chain f { type filter hook forward priority 0; }\n  chain g { type nat hook postrouting priority 100; }\n  chain h { type nat hook prerouting priority -100; }\n}\nadd rule ip t e ct state related,established,new counter accept\nadd rule ip t e ip daddr 192.168.0.2 iifname != { br-dummy , } counter drop comment \"DROP DIRECT ACCESS\"\nadd rule ip t e ip daddr 192.168.0.2 iifname != { br-dummy , eth1 } counter drop comment \"DROP DIRECT ACCESS\"\nadd rule ip t e iifname == br-dummy counter accept comment ICC\nadd rule ip t e ip daddr != 127.0.0.1/8 fib daddr type local counter jump e\nadd rule ip t e meta mark and 255 == 10 counter accept\nadd rule ip t e meta l4proto ipv6-icmp counter accept comment ICMP\nadd rule ip t e ip protocol icmp counter accept comment ICMP\nadd rule ip t e iifname loopback0 ip daddr 127.0.0.1 tcp dport 8080 counter accept\nadd rule ip t e ip saddr 172.17.0.2 tcp sport 80 ip daddr 172.17.0.3 counter accept\nadd rule ip t e th dport 80 ct status dnat counter reject\nadd rule ip t e udp dport 53 counter dnat to 172.17.0.2:53\nadd rule ip t e oifname vmap @m\nadd rule ip t e meta iifname \"eth0\" meta oifname eth1 counter snat to 1.2.3.4\nadd rule ip t e fib saddr type local counter masquerade comment \"MASQ FROM HOST\"\nadd rule ip t e meta nftrace set 1\nadd rule ip t e tcp dport { 80, 443 } accept\nadd rule ip t e ip daddr 10.0.0.0/8 return\nadd rule ip t e goto e\nadd element ip t m { \"br-b\" : jump e, \"br-a\" : jump e, \"docker0\": jump e }\nadd rule ip t e ip daddr 10.0.0.1 counter packets 5 bytes 300 reject with icmp type host-unreachable\nadd rule ip t e reject with tcp reset\n";
const NFT_PRINTED = "table ip t {\n\tmap m {\n\t\ttype ifname : verdict\n\t\telements = { \"br-a\" : jump e,\n\t\t\t     \"br-b\" : jump e,\n\t\t\t     \"docker0\" : jump e }\n\t}\n\n\tset s {\n\t\ttype ipv4_addr\n\t}\n\n\tchain c {\n\t\ttype nat hook output priority -100; policy accept;\n\t}\n\n\tchain d {\n\t\ttype filter hook prerouting priority raw; policy drop;\n\t}\n\n\tchain e {\n\t\tct state established,related,new counter packets 0 bytes 0 accept\n\t\tip daddr 192.168.0.2 iifname != \"br-dummy\" counter packets 0 bytes 0 drop comment \"DROP DIRECT ACCESS\"\n\t\tip daddr 192.168.0.2 iifname != { \"eth1\", \"br-dummy\" } counter packets 0 bytes 0 drop comment \"DROP DIRECT ACCESS\"\n\t\tiifname \"br-dummy\" counter packets 0 bytes 0 accept comment \"ICC\"\n\t\tip daddr != 127.0.0.0/8 fib daddr type local counter packets 0 bytes 0 jump e\n\t\tmeta mark & 0x000000ff == 0x0000000a counter packets 0 bytes 0 accept\n\t\tmeta l4proto ipv6-icmp counter packets 0 bytes 0 accept comment \"ICMP\"\n\t\tip protocol icmp counter packets 0 bytes 0 accept comment \"ICMP\"\n\t\tiifname \"loopback0\" ip daddr 127.0.0.1 tcp dport 8080 counter packets 0 bytes 0 accept\n\t\tip saddr 172.17.0.2 tcp sport 80 ip daddr 172.17.0.3 counter packets 0 bytes 0 accept\n\t\tth dport 80 ct status dnat counter packets 0 bytes 0 reject\n\t\tudp dport 53 counter packets 0 bytes 0 dnat to 172.17.0.2:53\n\t\toifname vmap @m\n\t\tiifname \"eth0\" oifname \"eth1\" counter packets 0 bytes 0 snat to 1.2.3.4\n\t\tfib saddr type local counter packets 0 bytes 0 masquerade comment \"MASQ FROM HOST\"\n\t\tmeta nftrace set 1\n\t\ttcp dport { 80, 443 } accept\n\t\tip daddr 10.0.0.0/8 return\n\t\tgoto e\n\t\tip daddr 10.0.0.1 counter packets 5 bytes 300 reject with icmp host-unreachable\n\t\treject with tcp reset\n\t}\n\n\tchain f {\n\t\ttype filter hook forward priority filter; policy accept;\n\t}\n\n\tchain g {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n\t}\n\n\tchain h {\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n\t}\n}\n";

const run = (s: ScenarioInput) => simulate(scenarioSchema.parse(s));
const nft29 = { docker: { version: "29.7.2" }, daemon: { "firewall-backend": "nftables" as const }, host: { sysctl: { "net.ipv4.ip_forward": 1 } } };

const rejects = (s: ScenarioInput) => engineErrorOf(() => run(s));

describe("nft list ruleset printing", () => {
  it("prints what nft 1.0.6 printed: named priorities, implied matches, quoting, flag order, sorted elements", () => {
    const rs = new NftRuleset();
    rs.run(SCRIPT);
    expect(printRuleset(rs)).toBe(NFT_PRINTED);
  });

  it("reads its own output back unchanged (a pasted `nft list ruleset`)", () => {
    const rs = new NftRuleset();
    rs.run(NFT_PRINTED);
    expect(printRuleset(rs)).toBe(NFT_PRINTED);
    expect(printRuleset(rs, { stateless: true })).toContain("ip daddr 10.0.0.1 counter reject with icmp host-unreachable");
  });
});

describe("the nft interpreter", () => {
  it("applies a script atomically: one failing command leaves the ruleset as it was", () => {
    const rs = new NftRuleset();
    rs.run("table ip t {\n chain c { type filter hook input priority 0; policy accept; }\n}\n");
    const before = printRuleset(rs);
    expect(() => rs.run("add rule ip t c tcp dport 22 drop\nadd rule ip t c jump missing\n")).toThrow(/chain ip t missing: No such file or directory/);
    expect(printRuleset(rs)).toBe(before);
  });

  it("refuses what nft refuses", () => {
    const bad = (s: string) => () => new NftRuleset().run(s);
    expect(bad("table ip t {\n chain c { type nat hook output priority dstnat; }\n}\n")).toThrow(/line 2: priority dstnat is not valid on the output hook/);
    expect(bad("add rule ip t c accept\n")).toThrow(/table ip t: No such file or directory/);
    expect(bad("table ip t {\n chain b { type filter hook input priority 0; }\n chain c { jump b; }\n}\n")).toThrow(/base chain cannot be a jump target/);
    expect(bad("table ip t {\n chain a { type filter hook input priority 0; jump b; }\n chain b { jump a2; }\n chain a2 { jump b; }\n}\n")).toThrow(/loop detected/);
    expect(bad("table ip t {\n chain c { type filter hook input priority 0; frobnicate 3; }\n}\n")).toThrow(/line 2: "frobnicate/);
    expect(bad("table bridge t {\n}\n")).toThrow(/family "bridge" is not simulated/);
    expect(bad("table ip t {\n chain c {\n ip daddr 300.1.1.1 accept\n }\n}\n")).toThrow(/line 3: "300.1.1.1" is not an IPv4 address/);
  });

  it("deletes a chain with its rules, not one a map still jumps to", () => {
    const rs = new NftRuleset();
    rs.run("table ip t {\n map m { type ifname : verdict; }\n chain c { counter; }\n}\nadd element ip t m { eth0 : jump c }\n");
    expect(() => rs.run("delete chain ip t c\n")).toThrow(/Device or resource busy \(still the target of map m\)/);
    rs.run("delete element ip t m { eth0 }\ndelete chain ip t c\n");
    expect(printRuleset(rs)).toBe("table ip t {\n\tmap m {\n\t\ttype ifname : verdict\n\t}\n}\n");
  });

  it("inserts at a position, adds after a handle, deletes by handle", () => {
    const rs = new NftRuleset();
    rs.run("table ip t {\n chain c {\n tcp dport 1 accept\n tcp dport 3 accept\n }\n}\ninsert rule ip t c tcp dport 0 accept\nadd rule ip t c index 1 tcp dport 2 accept\n");
    expect(printRuleset(rs).match(/dport \d/g)).toEqual(["dport 0", "dport 1", "dport 2", "dport 3"]);
    const handle = rs.table("ip", "t")!.chains.get("c")!.rules[0]!.handle;
    rs.run(`delete rule ip t c handle ${handle}\n`);
    expect(printRuleset(rs).match(/dport \d/g)).toEqual(["dport 1", "dport 2", "dport 3"]);
  });
});

describe("the nftables backend in a scenario", () => {
  it("is Docker 29 only, and needs forwarding already on (dockerd 29 only checks it)", () => {
    const e = rejects({ ...nft29, docker: { version: "28.5.2" } });
    expect([e.status, e.errors[0]!.pointer]).toEqual([422, "/daemon/firewall-backend"]);
    const off = rejects({ ...nft29, host: {} });
    expect([off.status, off.errors[0]!.pointer]).toEqual([422, "/host/sysctl/net.ipv4.ip_forward"]);
    expect(off.errors[0]!.message).toMatch(/^IPv4 forwarding is disabled/);
    expect(run({ ...nft29, host: {}, daemon: { ...nft29.daemon, "ip-forward": false } }).rules.host!.nft).toContain("docker0");
    const v6 = { ...nft29, networks: [{ name: "app", subnet6: "fd00:1::/64" }] };
    expect(rejects(v6).errors[0]!.pointer).toBe("/host/sysctl/net.ipv6.conf.all.forwarding");
    expect(rejects({ ...v6, host: { sysctl: { "net.ipv4.ip_forward": 1, "net.ipv6.conf.all.forwarding": 1 } } }).errors[0]!.pointer).toBe("/host/sysctl/net.ipv6.conf.default.forwarding");
    // --iptables=false: no table at all, yet the same check (the firewaller exists either way)
    expect(run({ ...nft29, daemon: { ...nft29.daemon, iptables: false } }).rules.host!.nft).toBe("");
    expect(rejects({ ...nft29, host: {}, daemon: { ...nft29.daemon, iptables: false } }).errors[0]!.pointer).toBe("/host/sysctl/net.ipv4.ip_forward");
  });

  it("writes nothing to iptables, and `--format nft` is the host's nft list ruleset", () => {
    const r = run({ ...nft29, containers: [{ name: "web", ports: ["8080:80"] }] });
    expect(r.rules.host!["iptables-save"]).toBe("");
    expect(r.rules.host!["ip6tables-save"]).toBe("");
    expect(r.rules.host!.commands![0]).toMatch(/^nft -f - <<'EOF'\ntable ip docker-bridges \{/);
    expect(render(r, "nft").body).toBe(r.rules.host!.nft);
    expect(r.rules.host!.nft).toContain('iifname != "docker0" tcp dport 8080 counter packets 0 bytes 0 dnat to 172.17.0.2:80 comment "DNAT"');
  });

  it("traces through the nft chains: table, rule text, 1-based number, verdicts and the policy", () => {
    const r = run({ ...nft29, containers: [{ name: "web", ports: ["8080:80"] }], flows: [{ from: "external", to: "host:8080" }, { from: "external", to: "web:80" }] });
    const [pub, direct] = r.traces;
    expect(pub!.verdict).toBe("delivered");
    expect(pub!.steps.map((s) => `${s.hook} ${s.table} ${s.chain} ${s.ruleNumber} ${s.verdict}`)).toEqual([
      "PREROUTING ip docker-bridges raw-PREROUTING null policy ACCEPT",
      "PREROUTING ip docker-bridges nat-PREROUTING 1 JUMP:nat-prerouting-and-output",
      "PREROUTING ip docker-bridges nat-prerouting-and-output 1 DNAT",
      "FORWARD ip docker-bridges filter-FORWARD 1 JUMP:filter-forward-in__docker0",
      "FORWARD ip docker-bridges filter-forward-in__docker0 3 ACCEPT",
      "POSTROUTING ip docker-bridges nat-POSTROUTING 2 JUMP:nat-postrouting-in__docker0",
      "POSTROUTING ip docker-bridges nat-POSTROUTING null policy ACCEPT",
    ]);
    expect(pub!.steps[2]!.rule).toBe('iifname != "docker0" tcp dport 8080 counter dnat to 172.17.0.2:80 comment "DNAT"');
    expect(pub!.steps[6]!.rule).toBe("policy accept");
    expect(direct!.verdict).toBe("dropped");
    expect(direct!.steps.at(-1)!.rule).toBe('ip daddr 172.17.0.2 iifname != "docker0" counter drop comment "DROP DIRECT ACCESS"');
  });

  it("takes a pasted ruleset (rules.host.nft), checks it, and traces through it", () => {
    const pasted = "table inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n\t\ttcp dport 22 accept\n\t}\n}\n";
    const r = run({ ...nft29, rules: { host: { nft: pasted } }, flows: [{ from: "external", to: "host:22" }, { from: "external", to: "host:80" }] });
    expect(r.rules.host!.nft).toBe(pasted);
    expect(r.traces.map((t) => `${t.verdict} ${t.steps.at(-1)!.table} ${t.steps.at(-1)!.verdict}`)).toEqual(["delivered inet filter ACCEPT", "dropped inet filter policy DROP"]);
    const e = rejects({ ...nft29, rules: { host: { nft: "table inet filter {\n chain input { type filter hook input priority 0; tcp dport 99999 accept; }\n}\n" } } });
    expect([e.status, e.errors[0]!.pointer, e.errors[0]!.message]).toEqual([400, "/rules/host/nft", 'line 2: "99999" is not a port or port range']);
  });
});

describe("--format trace with nftables steps", () => {
  it("prints them as `nft monitor trace` does: one packet line per base chain, rules with their verdict", () => {
    const r = run({ ...nft29, containers: [{ name: "web", ports: ["8080:80"] }], flows: [{ from: "external", to: "host:8080" }] });
    const lines = render(r, "trace").body.split("\n").filter((l) => l.startsWith("trace id"));
    const id = (i: number) => lines[i]!.split(" ")[2];
    expect(lines.map((l) => l.replace(/^trace id \S+ /, ""))).toEqual([
      'ip docker-bridges raw-PREROUTING packet: iif "eth0" ip saddr 198.51.100.7 ip daddr 203.0.113.10 th sport 40000 th dport 8080',
      "ip docker-bridges raw-PREROUTING policy accept",
      'ip docker-bridges nat-PREROUTING packet: iif "eth0" ip saddr 198.51.100.7 ip daddr 203.0.113.10 th sport 40000 th dport 8080',
      "ip docker-bridges nat-PREROUTING rule fib daddr type local counter jump nat-prerouting-and-output (verdict jump nat-prerouting-and-output)",
      'ip docker-bridges nat-prerouting-and-output rule iifname != "docker0" tcp dport 8080 counter dnat to 172.17.0.2:80 comment "DNAT" (verdict accept)',
      'ip docker-bridges filter-FORWARD packet: iif "eth0" oif "docker0" ip saddr 198.51.100.7 ip daddr 172.17.0.2 th sport 40000 th dport 80',
      "ip docker-bridges filter-FORWARD rule oifname vmap @filter-forward-in-jumps (verdict jump filter-forward-in__docker0)",
      "ip docker-bridges filter-forward-in__docker0 rule ip daddr 172.17.0.2 tcp dport 80 counter accept (verdict accept)",
      'ip docker-bridges nat-POSTROUTING packet: iif "eth0" oif "docker0" ip saddr 198.51.100.7 ip daddr 172.17.0.2 th sport 40000 th dport 80',
      "ip docker-bridges nat-POSTROUTING rule oifname vmap @nat-postrouting-in-jumps (verdict jump nat-postrouting-in__docker0)",
      "ip docker-bridges nat-POSTROUTING policy accept",
      expect.stringMatching(/^ip docker-bridges raw-PREROUTING packet: iif "docker0"/),
      "ip docker-bridges raw-PREROUTING policy accept",
      expect.stringMatching(/^ip docker-bridges filter-FORWARD packet: iif "docker0" oif "eth0"/),
      "ip docker-bridges filter-FORWARD rule iifname vmap @filter-forward-out-jumps (verdict jump filter-forward-out__docker0)",
      "ip docker-bridges filter-forward-out__docker0 rule ct state established,related counter accept (verdict accept)",
    ]);
    expect(id(2)).toBe(id(4)); // one trace id per base chain run, jumps included
    expect(id(0)).not.toBe(id(2));
  });
});
