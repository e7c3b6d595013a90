// ip6tables rulesets: parse, restore and save in ip6tables-save's canonical form. Every
// expected string below was printed by the real ip6tables-save (iptables-nft 1.8.9) in a
// scratch network namespace after ip6tables-restore of the input beside it.
import { describe, expect, it } from "vitest";
import { formatCidr6, formatIPv6, inCidr6, inNet, parseCidr, parseCidr6, parseIPv6 } from "../net/address.js";
import { applyCommand } from "./interpreter.js";
import { restoreRuleset } from "./restore.js";
import { parseRule } from "./rule.js";
import { Ruleset } from "./ruleset.js";
import { saveRuleset } from "./save.js";

const INPUT = `*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:MYCHAIN - [0:0]
-A INPUT -s fd00::/64 -j ACCEPT
-A INPUT -s fd00:0:0:0::2 -d 2001:db8:1::10/128 -p tcp --dport 80 -j ACCEPT
-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type echo-request -j ACCEPT
-A INPUT -p icmpv6 --icmpv6-type 1/4 -j ACCEPT
-A INPUT -p icmpv6 -m icmp6 --icmpv6-type neighbour-solicitation -j ACCEPT
-A INPUT -p 58 -j ACCEPT
-A INPUT -p udp -j REJECT
-A INPUT -p udp -j REJECT --reject-with icmp6-adm-prohibited
-A INPUT -p tcp -j REJECT --reject-with tcp-reset
-A INPUT -p tcp -j REJECT --reject-with icmp6-no-route
-A INPUT -p tcp -j REJECT --reject-with addr-unreach
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -m conntrack --ctorigsrc fd00::/64 --ctorigdst 2001:db8::1 -j ACCEPT
-A INPUT -i eth0 -j MYCHAIN
-A INPUT -d ::1 -j ACCEPT
-A FORWARD -j MYCHAIN
-A MYCHAIN -m addrtype --dst-type LOCAL -j RETURN
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -d 2001:db8:1::10/128 -p tcp -m tcp --dport 8001 -j DNAT --to-destination [fd00::2]:80
-A PREROUTING -p tcp --dport 8002 -j DNAT --to-destination fd00::2
-A PREROUTING -p tcp --dport 8003 -j DNAT --to-destination [fd00::2]
-A PREROUTING -p tcp --dport 8005 -j DNAT --to-destination :81
-A PREROUTING -p tcp --dport 8006 -j REDIRECT --to-ports 81
-A POSTROUTING -s fd00::/64 ! -o br0 -j MASQUERADE
-A POSTROUTING -s fd01::/64 -j SNAT --to-source 2001:db8:1::10
-A POSTROUTING -s fd02::/64 -p udp -j SNAT --to-source [2001:db8:1::10]:1000-2000
COMMIT
`;

// ip6tables-save (iptables-nft 1.8.9) output, "#" lines removed.
const SAVED = `*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:MYCHAIN - [0:0]
-A INPUT -s fd00::/64 -j ACCEPT
-A INPUT -s fd00::2/128 -d 2001:db8:1::10/128 -p tcp -m tcp --dport 80 -j ACCEPT
-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 128 -j ACCEPT
-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 1/4 -j ACCEPT
-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 135 -j ACCEPT
-A INPUT -p ipv6-icmp -j ACCEPT
-A INPUT -p udp -j REJECT --reject-with icmp6-port-unreachable
-A INPUT -p udp -j REJECT --reject-with icmp6-adm-prohibited
-A INPUT -p tcp -j REJECT --reject-with tcp-reset
-A INPUT -p tcp -j REJECT --reject-with icmp6-no-route
-A INPUT -p tcp -j REJECT --reject-with icmp6-addr-unreachable
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -m conntrack --ctorigsrc fd00::/64 --ctorigdst 2001:db8::1 -j ACCEPT
-A INPUT -i eth0 -j MYCHAIN
-A INPUT -d ::1/128 -j ACCEPT
-A FORWARD -j MYCHAIN
-A MYCHAIN -m addrtype --dst-type LOCAL -j RETURN
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -d 2001:db8:1::10/128 -p tcp -m tcp --dport 8001 -j DNAT --to-destination [fd00::2]:80
-A PREROUTING -p tcp -m tcp --dport 8002 -j DNAT --to-destination fd00::2
-A PREROUTING -p tcp -m tcp --dport 8003 -j DNAT --to-destination fd00::2
-A PREROUTING -p tcp -m tcp --dport 8005 -j DNAT --to-destination :81
-A PREROUTING -p tcp -m tcp --dport 8006 -j REDIRECT --to-ports 81
-A POSTROUTING -s fd00::/64 ! -o br0 -j MASQUERADE
-A POSTROUTING -s fd01::/64 -j SNAT --to-source 2001:db8:1::10
-A POSTROUTING -s fd02::/64 -p udp -j SNAT --to-source [2001:db8:1::10]:1000-2000
COMMIT
`;

describe("IPv6 addresses", () => {
  it("parses, masks and prints in RFC 5952 form", () => {
    expect(formatIPv6(parseIPv6("FD00:0:0:0::2"))).toBe("fd00::2");
    expect(formatIPv6(parseIPv6("2001:db8:0:0:1:0:0:1"))).toBe("2001:db8::1:0:0:1");
    expect(formatIPv6(0n)).toBe("::");
    expect(formatCidr6(parseCidr6("fd00::1/64"))).toBe("fd00::/64");
    expect(formatCidr6(parseCidr6("::1"))).toBe("::1/128");
    expect(inCidr6(parseIPv6("fd00::ffff"), parseCidr6("fd00::/64"))).toBe(true);
    expect(inCidr6(parseIPv6("fd00:0:0:1::1"), parseCidr6("fd00::/64"))).toBe(false);
    expect(() => parseCidr6("fd00::/129")).toThrow();
  });
  it("never matches an address of the other family", () => {
    expect(inNet(parseIPv6("::"), parseCidr("0.0.0.0/0"))).toBe(false);
    expect(inNet(0, parseCidr6("::/0"))).toBe(false);
  });
});

describe("ip6tables-restore -> ip6tables-save", () => {
  it("prints ip6tables-save's canonical form (verified against iptables-nft 1.8.9)", () => {
    const rs = restoreRuleset(INPUT, new Ruleset("ipv6"));
    expect(rs.family).toBe("ipv6");
    expect(saveRuleset(rs)).toBe(SAVED);
    expect(saveRuleset(restoreRuleset(SAVED, new Ruleset("ipv6")))).toBe(SAVED);
  });

  it("refuses what ip6tables refuses", () => {
    const rs = new Ruleset("ipv6");
    const bad = (argv: string) => applyCommand(rs, argv.split(" "));
    const hint = "Try `ip6tables -h' or 'ip6tables --help' for more information.";
    expect(bad("-A INPUT -p icmpv6 -m icmp --icmp-type 8 -j ACCEPT").error).toMatch(/^ip6tables v1\.8\.9 \(nf_tables\): Couldn't load match `icmp'/);
    expect(bad("-A INPUT -p tcp -j REJECT --reject-with icmp-port-unreachable").error).toBe(`ip6tables v1.8.9 (nf_tables): unknown reject type "icmp-port-unreachable"\n${hint}`);
    expect(bad("-A INPUT -s 10.0.0.1 -j ACCEPT").error).toBe(`ip6tables v1.8.9 (nf_tables): host/network \`10.0.0.1' not found\n${hint}`);
    expect(bad("-A INPUT -p ipv6-icmp --icmpv6-type any -j DROP").error).toBe(`ip6tables v1.8.9 (nf_tables): Unknown ICMPv6 type \`any'\n${hint}`);
    expect(bad("-A INPUT ! -s ::/0 -j ACCEPT").ok).toBe(false);
    expect(() => restoreRuleset("*filter\n-A INPUT -s 10.0.0.1 -j DROP\nCOMMIT\n", new Ruleset("ipv6"))).toThrow(
      "ip6tables-restore v1.8.9 (nf_tables): host/network `10.0.0.1' not found\nError occurred at line: 2\nTry `ip6tables-restore -h' or 'ip6tables-restore --help' for more information.",
    );
  });

  it("accepts what ip6tables accepts (ip6tables -S, iptables-nft 1.8.9)", () => {
    const rs = new Ruleset("ipv6");
    const add = (argv: string) => expect(applyCommand(rs, argv.split(" "))).toEqual({ ok: true });
    add("-A INPUT -s 0/0 -j ACCEPT");
    add("-A INPUT -p icmp -j ACCEPT");
    add("-A INPUT -p ipv6-icmp -m icmp6 ! --icmpv6-type 128/0 -j DROP");
    add("-A INPUT -p ipv6-icmp --icmpv6-type echo-reply -j DROP");
    add("-A INPUT -p tcp -j REJECT --reject-with port-unreach");
    add("-A INPUT -p tcp -j REJECT --reject-with icmp6-policy-fail");
    add("-A INPUT -p tcp -j REJECT --reject-with reject-route");
    add("-A INPUT -s fd00::1/64 -j DROP");
    add("-A INPUT -s FD00::1 -j DROP");
    add("-t nat -A POSTROUTING -p tcp -j MASQUERADE --to-ports 1000-2000");
    expect(saveRuleset(rs).split("\n").filter((l) => l.startsWith("-A"))).toEqual([
      "-A INPUT -j ACCEPT",
      "-A INPUT -p icmp -j ACCEPT",
      "-A INPUT -p ipv6-icmp -m icmp6 ! --icmpv6-type 128/0 -j DROP",
      "-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 129 -j DROP",
      "-A INPUT -p tcp -j REJECT --reject-with icmp6-port-unreachable",
      "-A INPUT -p tcp -j REJECT --reject-with icmp6-policy-fail",
      "-A INPUT -p tcp -j REJECT --reject-with icmp6-reject-route",
      "-A INPUT -s fd00::/64 -j DROP",
      "-A INPUT -s fd00::1/128 -j DROP",
      "-A POSTROUTING -p tcp -j MASQUERADE --to-ports 1000-2000",
    ]);
  });

  it("keeps IPv4 parsing as it was", () => {
    expect(parseRule(["-s", "0/0", "-p", "icmp", "-j", "ACCEPT"]).spec).toBe("-p icmp -j ACCEPT");
    expect(parseRule(["-s", "fd00::/64", "-j", "ACCEPT"], "ipv6").spec).toBe("-s fd00::/64 -j ACCEPT");
    expect(() => parseRule(["-s", "fd00::/64", "-j", "ACCEPT"])).toThrow();
  });
});
