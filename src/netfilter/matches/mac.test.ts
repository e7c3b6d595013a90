import { describe, expect, it } from "vitest";
import { parseRule } from "../rule.js";

// Expected strings are what the real iptables-save printed after `iptables -t TABLE -A CHAIN ARGS`
// in a scratch network namespace (iptables v1.8.9 (nf_tables), kernel 6.18).
const spec = (args: string) => parseRule(args.match(/"[^"]*"|\S+/g)!.map((a) => a.replace(/^"|"$/g, ""))).spec;

describe("-m mac: iptables-save form", () => {
  it.each([
    ["-m mac --mac-source 02:42:AC:11:00:02 -j ACCEPT", "-m mac --mac-source 02:42:ac:11:00:02 -j ACCEPT"],
    ["-m mac ! --mac-source 02:42:ac:11:00:02 -j ACCEPT", "-m mac ! --mac-source 02:42:ac:11:00:02 -j ACCEPT"],
  ])("%s", (args, saved) => {
    expect(spec(args)).toBe(saved);
  });
});

import { matches, packet } from "./test-packet.js";

describe("-m mac: matching", () => {
  it("compares the frame's source address, case-insensitively", () => {
    expect(matches("-m mac --mac-source 02:42:AC:11:00:02", packet({ srcMac: "02:42:ac:11:00:02" }))).toBe(true);
    expect(matches("-m mac ! --mac-source 02:42:ac:11:00:02", packet({ srcMac: "02:42:ac:11:00:03" }))).toBe(true);
  });
  it("never matches a packet with no Ethernet source, even negated", () => {
    expect(matches("-m mac ! --mac-source 02:42:ac:11:00:02", packet())).toBe(false);
  });
});
