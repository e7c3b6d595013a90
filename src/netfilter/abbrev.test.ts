// Long options may be abbreviated as getopt_long allows; every expectation below is what
// iptables 1.8.9 (nf_tables) printed for the same command in a scratch namespace.
import { describe, expect, it } from "vitest";
import { parseRule } from "./rule.js";

const save = (spec: string) => parseRule(spec.split(" ")).spec;

describe("abbreviated long options, as iptables resolves them", () => {
  it.each([
    ["-p tcp -j REDIRECT --to-port 80", "-p tcp -j REDIRECT --to-ports 80"],
    ["-p tcp --dp 81 -j REDIRECT --to 80", "-p tcp -m tcp --dport 81 -j REDIRECT --to-ports 80"],
    ["-p tcp --dpo 82 -j ACCEPT", "-p tcp -m tcp --dport 82 -j ACCEPT"],
    ["-p tcp --sp 83 -j ACCEPT", "-p tcp -m tcp --sport 83 -j ACCEPT"],
    ["--sou 1.2.3.4 -j ACCEPT", "-s 1.2.3.4/32 -j ACCEPT"],
    ["--des 1.1.1.1 -j ACCEPT", "-d 1.1.1.1/32 -j ACCEPT"],
    ["--pro udp -j ACCEPT", "-p udp -j ACCEPT"],
    ["-p tcp -m multiport --dpo 1,2 -j ACCEPT", "-p tcp -m multiport --dports 1,2 -j ACCEPT"],
    // multiport is loaded, so --sport is a prefix of its --sports before tcp is ever tried.
    ["-p tcp -m multiport --sport 80 -j ACCEPT", "-p tcp -m multiport --sports 80 -j ACCEPT"],
    ["-m comment --comm hi -j ACCEPT", "-m comment --comment hi -j ACCEPT"],
    ["-j LOG --log-p x", "-j LOG --log-prefix x"],
    ["-p udp --dp 10 -m comment --co x --j ACCEPT", "-p udp -m udp --dport 10 -m comment --comment x -j ACCEPT"],
    ["-m state --st NEW -j ACCEPT", "-m state --state NEW -j ACCEPT"],
    ["-p tcp --tcp-f SYN SYN -j ACCEPT", "-p tcp -m tcp --tcp-flags SYN SYN -j ACCEPT"],
    ["-p tcp --dport 9 --go X", "-p tcp -m tcp --dport 9 -g X"],
  ])("%s", (spec, saved) => expect(save(spec)).toBe(saved));

  it.each([
    ["--s 82 -j ACCEPT", 'unknown option "--s"'],
    ["-p tcp --s 82 -j ACCEPT", 'unknown option "--s"'],
    ["--in eth0 -j ACCEPT", 'unknown option "--in"'],
    ["-m conntrack --ctst NEW -j ACCEPT", 'unknown option "--ctst"'],
  ])("%s is unknown (ambiguous) to iptables too", (spec, message) => expect(() => save(spec)).toThrow(message));
});

describe("options iptables has and nfplay does not simulate", () => {
  it("are refused by name, after the same abbreviation rules", () => {
    expect(() => save("-m conntrack --ctstatus DNAT -j ACCEPT")).toThrow("-m conntrack --ctstatus is not supported by nfplay");
    expect(() => save("-m conntrack --ctstatu DNAT -j ACCEPT")).toThrow("-m conntrack --ctstatus is not supported by nfplay");
    expect(() => save("-j MASQUERADE --random-f")).toThrow("-j MASQUERADE --random-fully is not supported by nfplay");
    // --random is exact, so it is not ambiguous with --random-fully.
    expect(save("-j MASQUERADE --random")).toBe("-j MASQUERADE --random");
  });
});
