import { describe, expect, it } from "vitest";
import { parseRule } from "../rule.js";

// Expected strings are what the real iptables-save printed after `iptables -t TABLE -A CHAIN ARGS`
// in a scratch network namespace (iptables v1.8.9 (nf_tables), kernel 6.18).
const spec = (args: string) => parseRule(args.match(/"[^"]*"|\S+/g)!.map((a) => a.replace(/^"|"$/g, ""))).spec;

describe("-m ttl: iptables-save form", () => {
  it.each([
    ["-m ttl --ttl-eq 64 -j ACCEPT", "-m ttl --ttl-eq 64 -j ACCEPT"],
    ["-m ttl --ttl-gt 10 -j ACCEPT", "-m ttl --ttl-gt 10 -j ACCEPT"],
    ["-m ttl --ttl-lt 10 -j ACCEPT", "-m ttl --ttl-lt 10 -j ACCEPT"],
    ["-m ttl ! --ttl-eq 64 -j ACCEPT", "-m ttl ! --ttl-eq 64 -j ACCEPT"],
    ["-m ttl --ttl 5 -j ACCEPT", "-m ttl --ttl-eq 5 -j ACCEPT"],
  ])("%s", (args, saved) => {
    expect(spec(args)).toBe(saved);
  });
});

import { matches, packet } from "./test-packet.js";

describe("-m ttl: matching", () => {
  it("eq, ne, lt, gt", () => {
    expect(matches("-m ttl --ttl-eq 64", packet())).toBe(true);
    expect(matches("-m ttl ! --ttl-eq 64", packet())).toBe(false);
    expect(matches("-m ttl --ttl-lt 64", packet({ ttl: 63 }))).toBe(true);
    expect(matches("-m ttl --ttl-gt 63", packet({ ttl: 63 }))).toBe(false);
  });
  it("only --ttl-eq can be negated", () => {
    expect(() => spec("-m ttl ! --ttl-gt 3 -j ACCEPT")).toThrow(/unexpected/);
  });
});
