import { describe, expect, it } from "vitest";
import { parseIpsetSave, withIpsets } from "../ipset.js";
import { parseRule } from "../rule.js";
import { restoreRuleset } from "../restore.js";
import { saveRuleset } from "../save.js";
import { Ruleset } from "../ruleset.js";
import { context, packet } from "./test-packet.js";
import type { Packet } from "../types.js";

const SETS = parseIpsetSave(`create a hash:ip family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0x6c59d94c
add a 198.51.100.7
create n hash:net family inet hashsize 1024 maxelem 65536
add n 10.0.0.0/8
add n 10.1.0.0/16 nomatch
create v6 hash:net family inet6
add v6 2001:db8::/32
create ipp hash:ip,port family inet timeout 300 counters comment
add ipp 203.0.113.10,tcp:80 timeout 99 packets 0 bytes 0 comment "x y"
`);

const rule = (text: string) => withIpsets(SETS, () => parseRule(text.split(" ")));
const hit = (text: string, p: Packet) => {
  const r = rule(text);
  return r.matches.every((m) => m.module.match(m.opts, context(p)));
};

// Real iptables v1.8.9 (nf_tables) with ipset 7.17: the messages and the save forms below.
describe("-m set", () => {
  it("refuses a set that does not exist, with iptables' message", () => {
    expect(() => parseRule("-m set --match-set foo src -j ACCEPT".split(" "))).toThrow("Set foo doesn't exist.");
    expect(() => restoreRuleset("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m set --match-set bad dst -j DROP\nCOMMIT\n")).toThrow(
      "iptables-restore v1.8.9 (nf_tables): Set bad doesn't exist.\n\nError occurred at line: 3\n",
    );
    expect(() => rule("-m set --match-set v6 src -j DROP")).toThrow("The protocol family of set v6 is IPv6, which is not applicable.");
    expect(() => rule("-m set --match-set a src,dst,src,dst,src,dst,src -j DROP")).toThrow("Can't be more src/dst options than 6.");
    expect(() => rule("-m set --match-set a foo -j DROP")).toThrow(/'src' or 'dst'/);
  });

  it("saves as iptables-save prints it", () => {
    const text = `*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -m set --match-set a src -j DROP
-A INPUT -m set ! --match-set n src,dst -j DROP
-A INPUT -m set --match-set n src --return-nomatch ! --update-counters ! --update-subcounters -j ACCEPT
-A INPUT -m set --match-set a src -m set --match-set n dst -j ACCEPT
COMMIT
`;
    const rs = withIpsets(SETS, () => restoreRuleset(text));
    expect(saveRuleset(rs)).toContain(text.split("\n").slice(4).join("\n"));
    expect(rule("-m set --set a src -j ACCEPT").spec).toBe("-m set --match-set a src -j ACCEPT");
  });

  it("looks the packet up by the flags, with negation and nomatch", () => {
    const p = packet({ src: "198.51.100.7", dst: "203.0.113.10", dport: 80 });
    expect(hit("-m set --match-set a src -j DROP", p)).toBe(true);
    expect(hit("-m set --match-set a dst -j DROP", p)).toBe(false);
    expect(hit("-m set ! --match-set a dst -j DROP", p)).toBe(true);
    expect(hit("-m set --match-set ipp dst,dst -j DROP", p)).toBe(true);
    expect(hit("-m set --match-set ipp dst,src -j DROP", p)).toBe(false);
    // fewer flags than the set has dimensions: never a match
    expect(hit("-m set --match-set ipp dst -j DROP", p)).toBe(false);
    expect(hit("-m set --match-set ipp dst,dst -j DROP", { ...p, proto: "udp" })).toBe(false);
    const q = (src: string) => packet({ src });
    expect(hit("-m set --match-set n src -j DROP", q("10.2.0.1"))).toBe(true);
    expect(hit("-m set --match-set n src -j DROP", q("10.1.0.1"))).toBe(false);
    expect(hit("-m set --match-set n src --return-nomatch -j DROP", q("10.1.0.1"))).toBe(true);
    expect(hit("-m set --match-set n src --return-nomatch -j DROP", q("10.2.0.1"))).toBe(false);
  });

  it("is an IPv6 match in ip6tables for an inet6 set", () => {
    const rs = withIpsets(SETS, () => restoreRuleset("*filter\n-A INPUT -m set --match-set v6 src -j DROP\nCOMMIT\n", new Ruleset("ipv6")));
    expect(saveRuleset(rs)).toContain("-A INPUT -m set --match-set v6 src -j DROP");
    expect(() => withIpsets(SETS, () => restoreRuleset("*filter\n-A INPUT -m set --match-set a src -j DROP\nCOMMIT\n", new Ruleset("ipv6")))).toThrow(
      "The protocol family of set a is IPv4, which is not applicable.",
    );
  });
});
