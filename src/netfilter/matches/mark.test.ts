import { describe, expect, it } from "vitest";
import { parseRule } from "../rule.js";

// Expected strings are what the real iptables-save printed after `iptables -t TABLE -A CHAIN ARGS`
// in a scratch network namespace (iptables v1.8.9 (nf_tables), kernel 6.18).
const spec = (args: string) => parseRule(args.match(/"[^"]*"|\S+/g)!.map((a) => a.replace(/^"|"$/g, ""))).spec;

describe("-m mark / -m connmark: iptables-save form", () => {
  it.each([
    ["-m mark --mark 1 -j ACCEPT", "-m mark --mark 0x1 -j ACCEPT"],
    ["-m mark --mark 0x1/0x3 -j ACCEPT", "-m mark --mark 0x1/0x3 -j ACCEPT"],
    ["-m mark ! --mark 5/0xff -j ACCEPT", "-m mark ! --mark 0x5/0xff -j ACCEPT"],
    ["-m mark --mark 0xffffffff -j ACCEPT", "-m mark --mark 0xffffffff -j ACCEPT"],
    ["-m mark --mark 1/0xffffffff -j ACCEPT", "-m mark --mark 0x1 -j ACCEPT"],
    ["-m mark --mark 0/0 -j ACCEPT", "-m mark --mark 0x0/0x0 -j ACCEPT"],
    ["-m connmark --mark 7 -j ACCEPT", "-m connmark --mark 0x7 -j ACCEPT"],
    ["-m connmark --mark 0x10/0xf0 -j ACCEPT", "-m connmark --mark 0x10/0xf0 -j ACCEPT"],
    ["-m connmark ! --mark 2 -j ACCEPT", "-m connmark ! --mark 0x2 -j ACCEPT"],
  ])("%s", (args, saved) => {
    expect(spec(args)).toBe(saved);
  });
});

import { matches, packet } from "./test-packet.js";

describe("-m mark / -m connmark: matching", () => {
  it("compares (mark & mask) with the value", () => {
    expect(matches("-m mark --mark 0x1/0x3", packet({ mark: 0x5 }))).toBe(true);
    expect(matches("-m mark --mark 0x1/0x3", packet({ mark: 0x6 }))).toBe(false);
    expect(matches("-m mark ! --mark 1", packet({ mark: 0 }))).toBe(true);
    expect(matches("-m connmark --mark 7", packet({ ctMark: 7 }))).toBe(true);
    expect(matches("-m connmark --mark 7", packet({ mark: 7 }))).toBe(false);
  });
  it("connmark never matches an untracked packet, even negated", () => {
    expect(matches("-m connmark ! --mark 7", packet({ ct: "UNTRACKED" }))).toBe(false);
  });
});
