import { describe, expect, it } from "vitest";
import { parseRule } from "../rule.js";

// Expected strings are what the real iptables-save printed after `iptables -t TABLE -A CHAIN ARGS`
// in a scratch network namespace (iptables v1.8.9 (nf_tables), kernel 6.18).
const spec = (args: string) => parseRule(args.match(/"[^"]*"|\S+/g)!.map((a) => a.replace(/^"|"$/g, ""))).spec;

describe("-m length: iptables-save form", () => {
  it.each([
    ["-m length --length 100 -j ACCEPT", "-m length --length 100 -j ACCEPT"],
    ["-m length --length 100:200 -j ACCEPT", "-m length --length 100:200 -j ACCEPT"],
    ["-m length ! --length 100: -j ACCEPT", "-m length ! --length 100:65535 -j ACCEPT"],
    ["-m length --length :200 -j ACCEPT", "-m length --length 0:200 -j ACCEPT"],
    ["-m length --length 50:20 -j ACCEPT", "-m length --length 50:20 -j ACCEPT"],
  ])("%s", (args, saved) => {
    expect(spec(args)).toBe(saved);
  });
});

import { matches, packet } from "./test-packet.js";

describe("-m length: matching", () => {
  it("compares the IP total length (a SYN with options is 60 bytes)", () => {
    expect(matches("-m length --length 60", packet())).toBe(true);
    expect(matches("-m length --length 0:59", packet())).toBe(false);
    expect(matches("-m length ! --length 100:", packet())).toBe(true);
  });
});
