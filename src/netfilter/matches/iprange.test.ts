import { describe, expect, it } from "vitest";
import { parseRule } from "../rule.js";

// Expected strings are what the real iptables-save printed after `iptables -t TABLE -A CHAIN ARGS`
// in a scratch network namespace (iptables v1.8.9 (nf_tables), kernel 6.18).
const spec = (args: string) => parseRule(args.match(/"[^"]*"|\S+/g)!.map((a) => a.replace(/^"|"$/g, ""))).spec;

describe("-m iprange: iptables-save form", () => {
  it.each([
    ["-m iprange --src-range 10.0.0.1-10.0.0.9 -j ACCEPT", "-m iprange --src-range 10.0.0.1-10.0.0.9 -j ACCEPT"],
    ["-m iprange ! --dst-range 10.0.0.1-10.0.0.9 -j ACCEPT", "-m iprange ! --dst-range 10.0.0.1-10.0.0.9 -j ACCEPT"],
    ["-m iprange --dst-range 10.0.0.5-10.0.0.9 --src-range 10.0.0.1-10.0.0.2 -j ACCEPT", "-m iprange --src-range 10.0.0.1-10.0.0.2 --dst-range 10.0.0.5-10.0.0.9 -j ACCEPT"],
    ["-m iprange --src-range 10.0.0.1 -j ACCEPT", "-m iprange --src-range 10.0.0.1-10.0.0.1 -j ACCEPT"],
    ["-m iprange --src-range 10.0.0.9-10.0.0.1 -j ACCEPT", "-m iprange --src-range 10.0.0.9-10.0.0.1 -j ACCEPT"],
  ])("%s", (args, saved) => {
    expect(spec(args)).toBe(saved);
  });
});

import { matches, packet } from "./test-packet.js";

describe("-m iprange: matching", () => {
  it("is inclusive at both ends and honours !", () => {
    expect(matches("-m iprange --src-range 198.51.100.1-198.51.100.7", packet())).toBe(true);
    expect(matches("-m iprange --src-range 198.51.100.8-198.51.100.9", packet())).toBe(false);
    expect(matches("-m iprange ! --dst-range 203.0.113.1-203.0.113.9", packet())).toBe(true);
    expect(matches("-m iprange --dst-range 10.0.0.1-255.255.255.255", packet())).toBe(true);
  });
});
